"""The in-process decision point of another service, fed by the running procuration service's events on
the real Kafka: it permits what the custodian permits, denies after a revocation, and its decisions land
in the custodian's hash-chained audit log."""

import asyncio
import time
from datetime import date

import pytest

from cii_platform.consent.local import LocalDecisionPoint, running_local_decisions
from cii_platform.contracts.topics import MEASURES_EVENTS
from cii_platform.testing.platform import LocalPlatform
from procuration.testing import (
    ask_decision,
    bureau_headers,
    institution_headers,
    new_avs,
    procuration_payload,
    pseudonym_of,
    record_procuration,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
ACTOR = {"institution": "CMS", "roles": ["case_manager"], "subject": "user:cms-7"}


async def until_decided(point: LocalDecisionPoint, wanted: str, *, within: float = 30, **ask: str) -> str:
    """The replica follows the custodian within the time an event takes to arrive."""
    deadline = time.monotonic() + within
    while True:
        decision = point.decide(actor=ACTOR, **ask)
        if decision.decision == wanted or time.monotonic() > deadline:
            return decision.reason
        await asyncio.sleep(0.2)


async def test_local_decisions_follow_the_custodian_and_are_audited(procuration_platform: LocalPlatform) -> None:
    avs = new_avs()
    procuration_id = await asyncio.to_thread(record_procuration, procuration_platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT"], purposes=["TRO"]))
    pseudonym = pseudonym_of(procuration_platform, avs)
    ask = {"requester": "CMS", "person_pseudonym": pseudonym, "category": "EMPLOYMENT", "purpose": "TRO"}
    async with running_local_decisions("measures", procuration_platform.infra.kafka_bootstrap, MEASURES_EVENTS,
                                       flush_seconds=0.1, catch_up_seconds=30) as point:
        assert await until_decided(point, "PERMIT", **ask) == "permitted"
        assert point.decide(actor=ACTOR, **{**ask, "requester": "OAI"}).reason == "no_procuration"
        with procuration_platform.client("procuration") as http:
            revoked = http.post(f"/api/v1/procurations/{procuration_id}/revoke",
                                json={"revoked_on": date.today().isoformat(), "reason": "retrait"},
                                headers=institution_headers(procuration_platform, "ORP"))
        assert revoked.status_code == 200, revoked.text
        assert await until_decided(point, "DENY", **ask) == "revoked"
        custodian = await asyncio.to_thread(ask_decision, procuration_platform, "CMS", avs, "EMPLOYMENT", "TRO")
        assert custodian["reason"] == "revoked"
    entries = await wait_for_local_decisions(procuration_platform, pseudonym, count=3)
    assert {(e["details"]["requester"], e["outcome"], e["details"]["reason"]) for e in entries} >= {
        ("CMS", "PERMIT", "permitted"), ("OAI", "DENY", "no_procuration"), ("CMS", "DENY", "revoked")}
    assert all(e["actor"]["subject"] == "user:cms-7" for e in entries)
    with procuration_platform.client("procuration") as http:
        verification = http.get("/api/v1/audit/verify", headers=bureau_headers(procuration_platform)).json()
    assert verification["valid"] is True


async def wait_for_local_decisions(platform: LocalPlatform, pseudonym: str, *, count: int) -> list[dict]:
    deadline = time.monotonic() + 60
    while True:
        with platform.client("procuration") as http:
            report = http.get(f"/api/v1/persons/{pseudonym}/access-report", headers=bureau_headers(platform)).json()
        entries = [e for e in report["items"]
                   if e["action"] == "decision" and e["details"].get("decided_by") == "measures"]
        if len(entries) >= count or time.monotonic() > deadline:
            return entries
        await asyncio.sleep(0.5)
