"""State checks through the platform's own APIs: what is stored and reported equals the workload's expectation."""

import time
from typing import Any

from workload import DRAIN_SECONDS, Workload

from cii_platform.testing.platform import LocalPlatform


def officer(platform: LocalPlatform) -> str:
    return platform.token("BUREAU", "cantonal_officer")


def situations_of_year(platform: LocalPlatform, year: int) -> set[str]:
    refs: set[str] = set()
    with platform.client("signalement", officer(platform)) as client:
        offset = 0
        while True:
            page = client.get("/api/v1/signalements", params={
                "announced_from": f"{year}-01-01", "announced_to": f"{year}-12-31", "limit": 500, "offset": offset})
            page.raise_for_status()
            items = page.json()["items"]
            refs |= {item["external_ref"] for item in items}
            offset += len(items)
            if not items or offset >= page.json()["total"]:
                return refs


def annual_report(platform: LocalPlatform, year: int) -> dict[str, Any]:
    with platform.client("reporting", platform.token("BUREAU", "reporting_reader")) as client:
        response = client.get(f"/api/v1/reports/annual/{year}")
        response.raise_for_status()
        report: dict[str, Any] = response.json()
        return report


def annual_total(platform: LocalPlatform, year: int) -> int:
    return int(annual_report(platform, year)["adult_complex"]["total"])


def annual_round_tables(platform: LocalPlatform, year: int) -> int:
    return int(annual_report(platform, year)["measures"].get("TRO", 0))


def stored_round_tables(platform: LocalPlatform, work: Workload) -> dict[str, list[tuple[str, str]]]:
    """(measure id, status) of the TROs the measures service stores for each measured situation."""
    with platform.client("measures", officer(platform)) as client:
        return {situation_id: [(m["id"], m["status"]) for m in client.get(
            "/api/v1/measures", params={"situation_id": situation_id, "type": "TRO"}).json()["items"]]
            for situation_id in work.round_tables}


def wait_until(check: Any, expected: Any, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def procuration_statuses(platform: LocalPlatform, work: Workload) -> dict[str, str]:
    statuses = {}
    with platform.client("procuration", officer(platform)) as client:
        for procuration_id in work.procurations:
            response = client.get(f"/api/v1/procurations/{procuration_id}")
            statuses[procuration_id] = response.json().get("status", str(response.status_code))
    return statuses


def assert_exactly_once(platform: LocalPlatform, work: Workload) -> None:
    stored = wait_until(lambda: situations_of_year(platform, work.year), work.valid_announcements)
    assert stored == work.valid_announcements, (
        f"{len(work.valid_announcements - stored)} announcements lost, {len(stored - work.valid_announcements)} extra")
    reported = wait_until(lambda: annual_total(platform, work.year), len(work.valid_announcements),
                          timeout=DRAIN_SECONDS)
    assert reported == len(work.valid_announcements), f"reported {reported}, expected {len(work.valid_announcements)}"
    assert_round_tables_held_once(platform, work)
    statuses = procuration_statuses(platform, work)
    wrong = {pid: f"{statuses.get(pid)} instead of {expected}" for pid, expected in work.procurations.items()
             if statuses.get(pid) != expected}
    assert not wrong, f"{len(wrong)} of {len(work.procurations)} procurations: {dict(list(wrong.items())[:10])}"


def assert_round_tables_held_once(platform: LocalPlatform, work: Workload) -> None:
    stored = stored_round_tables(platform, work)
    wrong = {s: tables for s, tables in stored.items() if tables != [(work.round_tables[s], "held")]}
    assert not wrong, f"{len(wrong)} situations without exactly one held TRO: {list(wrong.items())[:5]}"
    reported = wait_until(lambda: annual_round_tables(platform, work.year), len(work.round_tables))
    assert reported == len(work.round_tables), f"report counts {reported} TRO, {len(work.round_tables)} were held"
