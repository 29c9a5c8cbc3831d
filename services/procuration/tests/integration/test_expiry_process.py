"""The expiry watch through the running process: only persons with an open situation are watched."""

import asyncio
from datetime import date, timedelta

import httpx
import pytest

from cii_platform.contracts.internal_procuration import PROCURATION_EXPIRED, PROCURATION_EXPIRING
from cii_platform.contracts.topics import MEASURES_EVENTS, PROCURATION_EVENTS, SIGNALEMENT_EVENTS
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from procuration.testing import (
    bureau_headers,
    new_avs,
    procuration_payload,
    pseudonym_of,
    record_procuration,
    situation_closed_event,
    situation_recorded_event,
)

pytestmark = pytest.mark.integration
TODAY = date.today()


def _status_event(event_type: str, procuration_id: str):
    return lambda r: r["value"]["type"] == event_type and r["value"]["data"]["procuration_id"] == procuration_id


async def _run_watch_until(platform, reader: TopicReader, predicate, timeout: float = 20.0) -> list[dict]:
    async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=bureau_headers(platform)) as http:
        for _ in range(int(timeout)):
            assert (await http.post("/internal/v1/daily-checks/run")).status_code == 200
            try:
                return await reader.wait_for(predicate, timeout=1.0)
            except TimeoutError:
                await asyncio.sleep(0)
    raise TimeoutError("the expiry watch announced nothing")


async def test_expiring_and_expired_procurations_of_open_situations_are_announced(procuration_platform):
    platform = procuration_platform
    watched, unwatched = new_avs(), new_avs()
    expiring = record_procuration(platform, procuration_payload(
        watched, parties=["ORP", "CMS"], categories=["SOCIAL"], purposes=["TRO"],
        valid_until=TODAY + timedelta(days=10)))
    expired = record_procuration(platform, procuration_payload(
        watched, parties=["OAI"], categories=["EMPLOYMENT"], purposes=["TRO"],
        valid_from=TODAY - timedelta(days=400), valid_until=TODAY - timedelta(days=1)))
    ignored = record_procuration(platform, procuration_payload(
        unwatched, parties=["ORP"], categories=["SOCIAL"], purposes=["TRO"], valid_until=TODAY + timedelta(days=5)))
    situation = situation_recorded_event(pseudonym_of(platform, watched))
    bootstrap = platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, PROCURATION_EVENTS) as reader, InstitutionClient(bootstrap) as kafka:
        await kafka.send(SIGNALEMENT_EVENTS, situation, key=situation["data"]["situation_id"])
        [warning] = await _run_watch_until(platform, reader, _status_event(PROCURATION_EXPIRING, expiring))
        [ended] = await reader.wait_for(_status_event(PROCURATION_EXPIRED, expired))
        closed = situation_closed_event(situation["data"]["situation_id"], TODAY)
        await kafka.send(MEASURES_EVENTS, closed, key=situation["data"]["situation_id"])
        await asyncio.sleep(2)
        async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=bureau_headers(platform)) as http:
            assert (await http.post("/internal/v1/daily-checks/run")).json() == {"expiring": 0, "expired": 0,
                                                                           "retention_purged": 0}
            state = (await http.get(f"/api/v1/procurations/{expired}")).json()
        await reader.poll(1.0)
    assert warning["value"]["data"]["status"] == "EXPIRING"
    assert warning["value"]["data"]["valid_until"] == (TODAY + timedelta(days=10)).isoformat()
    assert ended["value"]["data"]["status"] == "EXPIRED" and state["status"] == "EXPIRED"
    assert not [r for r in reader.records if r["value"]["data"].get("procuration_id") == ignored
                and r["value"]["type"] in (PROCURATION_EXPIRING, PROCURATION_EXPIRED)]
    # announced once: a second run found nothing new
    assert len([r for r in reader.records if _status_event(PROCURATION_EXPIRING, expiring)(r)]) == 1
