"""Situations end (issue 14, point 7), through the four services as processes, the real broker and store.

Each way a situation ends publishes the one internal SituationClosed fact (outcome and reason codes):
the signalement service marks it CLOSED and tells the announcer (with its external_ref) and the
co-followers (without) on their outbound topics (docs/contract.md 6, `ch.vs.cii.situation.closed.v1`);
reporting counts it and drops its alerts; the procuration service starts the retention clock.
"""

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import outbound
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]  # a loaded machine starts the platform slowly

YEAR = 2002  # a past year no other suite uses: the report's closures of that year are this test's alone


def announcement(announced_on: str) -> dict[str, Any]:
    digits = "756" + "".join(str(random.randrange(10)) for _ in range(9))
    return {
        "external_ref": f"close-{uuid.uuid4()}", "announced_on": announced_on,
        "announcer": {"collaborator": "Claire Favre", "respondent": "Rita Imboden"},
        "person": {"avs_number": format_avs(digits), "last_name": "Bonvin", "first_name": "Luc",
                   "birth_date": "1970-07-14", "sex": "M", "region": "SION", "education_level": "SECONDARY_II"},
        "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "ONE_TO_THREE_YEARS",
        "follow_up_started_on": f"{YEAR}-01-15", "co_following": ["CMS"],
    }


async def call(http: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    """A 503 (a dependency such as the key custodian slow to answer) changed nothing: ask again a few times."""
    for _ in range(10):
        response = await asyncio.to_thread(http.request, method, path, json=body)
        if response.status_code != 503:
            return response
        await asyncio.sleep(2.0)
    return response


async def eventually(probe: Callable[[], Any], timeout: float = 240.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.3)


class Bureau:
    """The people of the scenario: ORP announces (CMS co-follows), the Sion coordinator triages and closes."""

    def __init__(self, platform: LocalPlatform) -> None:
        self.platform = platform
        self.orp_signalement = platform.client("signalement", platform.token("ORP", "field_worker"))
        self.orp = platform.client("measures", platform.token("ORP", "field_worker"))
        coordinator = platform.token("BUREAU", "coordinator", region="SION")
        self.coordinator_signalement = platform.client("signalement", coordinator)
        self.coordinator = platform.client("measures", coordinator)
        reader = platform.token("BUREAU", "reporting_reader")
        self.reporting = platform.client("reporting", reader)

    async def announce(self, announced_on: str = f"{YEAR}-03-02") -> tuple[str, str]:
        body = announcement(announced_on)
        created = await call(self.orp_signalement, "POST", "/api/v1/signalements", body)
        assert created.status_code == 201, created.text
        return str(created.json()["id"]), str(body["external_ref"])

    async def triage(self, situation_id: str, decision: str) -> None:
        triaged = await call(self.coordinator_signalement, "POST", f"/api/v1/signalements/{situation_id}/triage",
                             {"decision": decision, "reason": "Décision de la séance de tri"})
        assert triaged.status_code == 200, triaged.text

    async def request(self, situation_id: str, measure_type: str) -> str:
        async def created() -> str | None:
            answer = await call(self.orp, "POST", "/api/v1/measures", {
                "situation_id": situation_id, "type": measure_type, "requested_on": f"{YEAR}-03-10"})
            return str(answer.json()["id"]) if answer.status_code == 201 else None
        return str(await eventually(created))

    async def status(self, situation_id: str) -> str:
        return str((await call(self.orp_signalement, "GET", f"/api/v1/signalements/{situation_id}")).json()["status"])

    async def dashboard(self) -> dict[str, Any]:
        answer = await call(self.reporting, "GET", "/api/v1/dashboard")
        assert answer.status_code == 200, answer.text
        board: dict[str, Any] = answer.json()
        return board

    async def report(self) -> dict[str, Any]:
        report: dict[str, Any] = (await call(self.reporting, "GET", f"/api/v1/reports/annual/{YEAR}")).json()
        return report


async def test_every_way_a_situation_ends_closes_it_tells_the_network_and_counts_it(platform: LocalPlatform) -> None:
    """Issue 14 point 7, after seed 001 (sections 5.3/5.4: the coordinator triages, redirects to a network
    or simple CII, organises the TRO; section 6: the closure steps) and docs/contract.md section 6
    (`ch.vs.cii.situation.closed.v1` to the announcer with external_ref, to co-followers without)."""
    bureau = Bureau(platform)
    bootstrap = platform.infra.kafka_bootstrap
    board_before = await bureau.dashboard()
    redirected, redirected_ref = await bureau.announce()
    no_further, _ = await bureau.announce()
    cancelled, _ = await bureau.announce()
    by_hand, _ = await bureau.announce(f"{YEAR}-02-01")  # never triaged: its triage is overdue
    await eventually(lambda: overdue_triage_of(bureau, by_hand))
    async with TopicReader(bootstrap, outbound("ORP")) as orp_topic, TopicReader(bootstrap, outbound("CMS")) as cms:
        await bureau.triage(redirected, "REDIRECT_NETWORK")
        for situation_id in (no_further, cancelled):
            await bureau.triage(situation_id, "ACCEPT_COMPLEX")
        await hold_a_tro_recommending_nothing_more(bureau, no_further)
        await cancel_the_only_measure(bureau, cancelled)
        await close_by_hand(bureau, by_hand)

        expected = {redirected: "REDIRECTED_NETWORK", no_further: "NO_FURTHER_MEASURE",
                    cancelled: "MEASURE_CANCELLED", by_hand: "CLOSED_BY_COORDINATOR"}

        def closure_notice(situation_id: str) -> Callable[[dict[str, Any]], bool]:
            return lambda r: (r["value"].get("type") == types.SITUATION_CLOSED
                              and r["value"]["data"]["situation_id"] == situation_id)
        for situation_id, outcome in expected.items():
            to_announcer = (await orp_topic.wait_for(closure_notice(situation_id), timeout=240))[0]["value"]["data"]
            to_co_follower = (await cms.wait_for(closure_notice(situation_id), timeout=240))[0]["value"]["data"]
            assert to_announcer["outcome"] == to_co_follower["outcome"] == outcome
            assert "external_ref" not in to_co_follower or to_co_follower["external_ref"] is None
            assert to_announcer["external_ref"] is not None
        redirect_notice = next(r["value"]["data"] for r in orp_topic.records if closure_notice(redirected)(r))
        assert redirect_notice["external_ref"] == redirected_ref

    for situation_id in expected:
        assert await eventually(closed_probe(bureau, situation_id)), situation_id
    board = await eventually(lambda: closures_counted(bureau, board_before, expected))
    assert not [a for a in board["alerts"] if a["situation_id"] in expected], "alerts of closed situations stop"
    report = await bureau.report()
    assert {k: report["closures"]["by_outcome"].get(k) for k in ("NO_FURTHER_MEASURE", "MEASURE_CANCELLED",
                                                                 "CLOSED_BY_COORDINATOR")} == dict.fromkeys(
        ("NO_FURTHER_MEASURE", "MEASURE_CANCELLED", "CLOSED_BY_COORDINATOR"), 1)
    await eventually(lambda: retention_clock_started(platform, list(expected)))


async def hold_a_tro_recommending_nothing_more(bureau: Bureau, situation_id: str) -> None:
    tro = await bureau.request(situation_id, "TRO")
    base = f"/api/v1/measures/{tro}"
    assert (await call(bureau.coordinator, "POST", f"{base}/schedule", {"date": f"{YEAR}-03-20"})).status_code == 200
    contradiction = await call(bureau.coordinator, "POST", f"{base}/hold", {"held_on": f"{YEAR}-03-20", "outcome": {
        "recommended_measure": "CASE_MANAGEMENT", "no_further_measure": True}})
    assert contradiction.status_code == 422
    assert contradiction.json()["errors"][0]["field"] == "outcome.no_further_measure"
    held = await call(bureau.coordinator, "POST", f"{base}/hold", {"held_on": f"{YEAR}-03-20", "outcome": {
        "no_further_measure": True}})
    assert held.status_code == 200, held.text


async def cancel_the_only_measure(bureau: Bureau, situation_id: str) -> None:
    coaching = await bureau.request(situation_id, "COACHING_ORP_CMS")
    base = f"/api/v1/measures/{coaching}"
    unknown = await call(bureau.orp, "POST", f"{base}/cancel", {"cancelled_on": f"{YEAR}-03-12", "reason": "BORED"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "reason"
    cancelled = await call(bureau.orp, "POST", f"{base}/cancel", {"cancelled_on": f"{YEAR}-03-12",
                                                                  "reason": "PERSON_DECLINED"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text
    again = await call(bureau.orp, "POST", f"{base}/cancel", {"cancelled_on": f"{YEAR}-03-12",
                                                              "reason": "PERSON_DECLINED"})
    assert again.status_code == 409


async def close_by_hand(bureau: Bureau, situation_id: str) -> None:
    path = f"/api/v1/situations/{situation_id}/closure"
    body = {"closed_on": f"{YEAR}-04-01", "reason": "PERSON_MOVED_AWAY"}

    async def known() -> bool:
        return (await call(bureau.coordinator, "GET", path)).status_code == 200
    await eventually(known)
    assert (await call(bureau.orp, "POST", path, body)).status_code == 403  # the announcer does not close
    wrong = await call(bureau.coordinator, "POST", path, {"closed_on": f"{YEAR}-01-01", "reason": "BORED"})
    assert wrong.status_code == 422
    assert sorted(e["field"] for e in wrong.json()["errors"]) == ["closed_on", "reason"]
    closed = await call(bureau.coordinator, "POST", path, body)
    assert closed.status_code == 200, closed.text
    assert closed.json() == {"situation_id": situation_id, "closed": True, "closed_on": f"{YEAR}-04-01",
                             "outcome": "CLOSED_BY_COORDINATOR", "reason": "PERSON_MOVED_AWAY"}
    assert (await call(bureau.coordinator, "POST", path, body)).status_code == 409


async def overdue_triage_of(bureau: Bureau, situation_id: str) -> bool:
    board = await bureau.dashboard()
    return any(a["kind"] == "TRIAGE_OVERDUE" and a["situation_id"] == situation_id for a in board["alerts"])


def closed_probe(bureau: Bureau, situation_id: str) -> Callable[[], Awaitable[bool]]:
    async def is_closed() -> bool:
        return await bureau.status(situation_id) == "CLOSED"
    return is_closed


async def closures_counted(bureau: Bureau, before: dict[str, Any], expected: dict[str, str]) -> dict[str, Any] | None:
    board = await bureau.dashboard()
    was, now = before["situations_closed"]["by_outcome"], board["situations_closed"]["by_outcome"]
    grown = all(now.get(outcome, 0) >= was.get(outcome, 0) + 1 for outcome in expected.values())
    return board if grown else None


async def retention_clock_started(platform: LocalPlatform, situation_ids: list[str]) -> bool:
    """The procuration service counts the retention period of a person's data from the closure."""
    def read() -> bool:
        client: MongoClient[dict[str, Any]]
        with MongoClient(platform.infra.mongodb_url) as client:
            found: list[dict[str, Any]] = list(client["cii_procuration"]["situations"].find(
                {"_id": {"$in": situation_ids}}))
        return len(found) == len(situation_ids) and all(d.get("open") is False and d.get("closed_on")
                                                        for d in found)
    return await asyncio.to_thread(read)
