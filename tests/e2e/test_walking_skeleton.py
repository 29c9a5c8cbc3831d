"""The walking skeleton of issue 2, through the contract only: a plain Kafka client, the four services as
processes, the real broker and store.

An announcement published on `cii.inbound.orp` is answered on `cii.outbound.orp`, stored by the
signalement service, and counted in the annual report; a malformed record is rejected without blocking
the next one; a duplicate id is processed once.
"""

import time
import uuid
from typing import Any

import httpx
import pytest

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e

YEAR = 2001  # a past year no other suite announces in, so the report's counts are this test's alone


def announcement(ref: str, avs_digits: str) -> dict[str, Any]:
    return {
        "external_ref": ref, "announced_on": f"{YEAR}-03-02",
        "announcer": {"collaborator": "Claire Favre", "respondent": "Rita Imboden"},
        "person": {"avs_number": format_avs(avs_digits), "last_name": "Bonvin", "first_name": "Luc",
                   "birth_date": "1970-07-14", "sex": "M", "region": "MARTIGNY", "education_level": "SECONDARY_II"},
        "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "ONE_TO_THREE_YEARS",
        "follow_up_started_on": f"{YEAR}-01-15", "co_following": ["CMS"],
        "summary": "Arrêt maladie prolongé, dettes.",
    }


def annual_report(platform: LocalPlatform, year: int) -> dict[str, Any]:
    token = platform.token("BUREAU", "reporting_reader")
    with platform.client("reporting", token) as client:
        response = client.get(f"/api/v1/reports/annual/{year}")
        response.raise_for_status()
        report: dict[str, Any] = response.json()
        return report


def wait_for_report(platform: LocalPlatform, year: int, expected_total: int, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        report = annual_report(platform, year)
        if report["adult_complex"]["total"] >= expected_total or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


async def test_an_announcement_flows_from_an_institution_to_the_annual_report(platform: LocalPlatform) -> None:
    bootstrap = platform.infra.kafka_bootstrap
    first = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement(f"skel-{uuid.uuid4()}", "756100000001"))
    second = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement(f"skel-{uuid.uuid4()}", "756100000002"))
    async with TopicReader(bootstrap, outbound("ORP")) as answers, InstitutionClient(bootstrap) as orp:
        await orp.send(inbound("ORP"), first, key=first["data"]["external_ref"])
        await orp.send(inbound("ORP"), b"\x00 this is not JSON", key="garbage")
        await orp.send(inbound("ORP"), first, key=first["data"]["external_ref"])  # the same id again
        await orp.send(inbound("ORP"), second, key=second["data"]["external_ref"])
        await answers.wait_for(lambda r: r["value"].get("data", {}).get("event_id") == second["id"], timeout=60)
        # The duplicate is answered again (same answer id) but applied once; other keys may overtake it.
        await answers.wait_for(lambda r: r["value"].get("data", {}).get("event_id") == first["id"], count=2)
        await answers.wait_for(lambda r: r["value"]["type"] == types.EVENT_REJECTED
                               and r["value"]["data"]["event_id"] is None, timeout=10)

    first_answers = answers.answers_to(first["id"])
    assert [a["type"] for a in first_answers] == [types.EVENT_ACCEPTED, types.EVENT_ACCEPTED]
    situation_id = first_answers[0]["data"]["resource_id"]
    assert first_answers[1]["data"]["resource_id"] == situation_id
    malformed = [r["value"] for r in answers.records if r["value"]["data"].get("event_id") is None]
    assert malformed[0]["data"]["errors"][0]["message"].startswith("malformed JSON")

    with platform.client("signalement", platform.token("ORP", "field_worker")) as client:
        stored = client.get(f"/api/v1/signalements/{situation_id}")
        assert stored.status_code == 200, stored.text
        assert stored.json()["person_pseudonym"].startswith("p_")
        listed = client.get("/api/v1/signalements", params={"limit": 500}).json()
    ours = {first["data"]["external_ref"], second["data"]["external_ref"]}
    assert len([s for s in listed["items"] if s.get("external_ref") in ours]) == 2

    report = wait_for_report(platform, YEAR, expected_total=2)
    assert report["adult_complex"]["total"] == 2, "the duplicate must not be counted twice"
    assert report["adult_complex"]["by_institution"]["ORP"] == 2
    assert report["adult_complex"]["by_region"]["MARTIGNY"] == 2


def test_every_service_answers_health_readiness_metrics_and_openapi(platform: LocalPlatform) -> None:
    for name in ("signalement", "measures", "procuration", "reporting"):
        base = platform.url(name)
        assert httpx.get(f"{base}/healthz").status_code == 200
        ready = httpx.get(f"{base}/readyz")
        assert ready.status_code == 200 and ready.json()["checks"] == {"kafka": True, "store": True}
        assert "cii_http_requests_total" in httpx.get(f"{base}/metrics").text
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"]
        assert httpx.get(f"{base}/api/v1/anything").status_code in (401, 404)


def test_routes_refuse_a_missing_or_forged_token(platform: LocalPlatform) -> None:
    with httpx.Client(base_url=platform.url("signalement")) as client:
        missing = client.get("/api/v1/signalements")
        assert missing.status_code == 401
        assert missing.headers["content-type"].startswith("application/problem+json")
        forged = client.get("/api/v1/signalements", headers={"Authorization": "Bearer not.a.token"})
        assert forged.status_code == 401
