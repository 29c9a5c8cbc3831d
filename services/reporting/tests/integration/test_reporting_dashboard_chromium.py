"""The bureau's dashboard in headless Chromium, signed in as the cantonal officer on Keycloak's login page: the
page loads, the SVG charts render, its numbers are the API's, and both match what the generated data set says
(alerts as of a fixed day)."""

import re
from datetime import date, timedelta

import pytest
from reporting_dataset import PublishedDataset, get, wait_for_report
from reporting_expectations import expected_report

from cii_platform.testing.browser import chromium_page, sign_in
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e
ON = date(2024, 12, 31)
OPEN = ("SUBMITTED", "TRIAGED", "OPEN")


def expected_alert_counts(dataset: PublishedDataset) -> dict[str, int]:
    situations = [s for s in dataset.history.situations if s.status in OPEN
                  and not (s.status != "SUBMITTED" and s.triage_decision == "REJECT")]
    procurations = {p.procuration_id: p for p in dataset.history.procurations}
    expired = expiring = 0
    for s in situations:
        p = procurations.get(s.procuration_id or "")
        if p and p.valid_until < ON:
            expired += 1
        elif p and p.valid_until <= ON + timedelta(days=30):
            expiring += 1
    return {"open": len(situations),
            "triage_overdue": sum(1 for s in situations
                                  if s.status == "SUBMITTED" and s.announced_on + timedelta(days=14) < ON),
            "contracts_overdue": sum(1 for a in dataset.history.alerts
                                     if a.kind == "CONTRACT_OVERDUE" and not a.cleared),
            "expired": expired, "expiring": expiring}


def signed_in_dom(url: str) -> str:
    """The page's DOM after signing in as the demo cantonal officer (`officer`) on Keycloak's login page."""
    with chromium_page() as page:
        page.goto(url)
        response = sign_in(page, "officer")
        assert response is not None and response.status == 200, page.content()[:2000]
        return page.content()


def tile_value(dom: str, tile_id: str) -> int:
    match = re.search(rf'id="{tile_id}"><div class="v" data-value="(\d+)"', dom)
    assert match, f"tile {tile_id} missing"
    return int(match.group(1))


def test_dashboard_in_chromium_shows_the_api_numbers(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    wait_for_report(reporting_platform, bureau_token, 2024,
                    expected_report(dataset.history, 2024, dataset.caseloads[2024]))
    board = get(reporting_platform, bureau_token, "/api/v1/dashboard", on=ON.isoformat()).json()
    expected = expected_alert_counts(dataset)
    assert board["open_situations"]["total"] == expected["open"]
    assert board["triage_overdue"] == expected["triage_overdue"] > 0
    assert board["contracts_overdue"] == expected["contracts_overdue"]
    assert (board["procurations_expired"], board["procurations_expiring"]) == (expected["expired"],
                                                                              expected["expiring"])
    alerts = get(reporting_platform, bureau_token, "/api/v1/alerts", on=ON.isoformat(), limit=500).json()
    assert alerts["total"] == len(board["alerts"]) and alerts["items"] == board["alerts"][:500]

    dom = signed_in_dom(f"{reporting_platform.url('reporting')}/?on={ON.isoformat()}")
    assert tile_value(dom, "open-situations") == board["open_situations"]["total"]
    assert tile_value(dom, "triage-overdue") == board["triage_overdue"]
    assert tile_value(dom, "contracts-overdue") == board["contracts_overdue"]
    assert tile_value(dom, "procurations-expired") == board["procurations_expired"]
    assert tile_value(dom, "procurations-expiring") == board["procurations_expiring"]
    for chart in ("chart-open-by-state", "chart-open-by-region", "chart-measures-running"):
        assert re.search(rf'<svg id="{chart}"[^>]*>.*?<rect class="bar"', dom, re.S), f"{chart} not drawn"
    bars = dict(re.findall(r'<svg id="chart-measures-running".*?</svg>', dom, re.S)[0] and
                re.findall(r'data-label="([A-Z_]+)" data-value="(\d+)"',
                           re.findall(r'<svg id="chart-measures-running".*?</svg>', dom, re.S)[0]))
    assert {k: int(v) for k, v in bars.items()} == board["measures_running"]
    assert dom.count("<tr>") >= len(board["alerts"])  # the alerts table lists them all


def test_dashboard_page_sends_a_browser_without_session_to_the_login(reporting_platform: LocalPlatform) -> None:
    """A token in the URL no longer opens the page (it would stay in the history): only a session does."""
    officer = reporting_platform.token("BUREAU", "cantonal_officer")
    with reporting_platform.client("reporting") as anonymous:
        for query in ({}, {"access_token": officer}):
            response = anonymous.get("/", params=query)
            assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")
