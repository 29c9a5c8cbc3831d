"""Helpers for the measures process tests: upstream stand-in events, HTTP calls, event waits."""

import asyncio
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx

from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.topics import PROCURATION_EVENTS, SIGNALEMENT_EVENTS
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

TODAY = date(2026, 9, 30)
MEASURES = "/api/v1/measures"


def situation_recorded(*, institution: str = "ORP", region: str = "SION", situation_type: str = "COMPLEX",
                       announced_on: date = date(2026, 3, 2), person_pseudonym: str | None = None,
                       public: str = "ADULT") -> signalement.SituationRecorded:
    situation_id = f"s-{uuid.uuid4().hex}"
    return signalement.SituationRecorded(
        situation_id=situation_id, version=1, institution=institution, external_ref=f"ext-{situation_id}",
        announced_on=announced_on, person_pseudonym=person_pseudonym or f"p-{uuid.uuid4().hex}", sex="F",
        birth_year=1982, age=44, region=region, public=public, education_level="NONE",
        situation_type=situation_type, risk_factors=["HEALTH", "SOCIAL_ISOLATION"], employment_gap="UNDER_1_YEAR",
        gravity_index=1.5, gravity_policy="v1", follow_up_started_on=date(2025, 12, 1), co_following=["CMS"],
        routing=signalement.Routing(coordinator_id="coord-sion", region=region), status="SUBMITTED")


async def publish_situation(upstream: InstitutionClient, situation: signalement.SituationRecorded) -> None:
    event = new_event(signalement.SITUATION_RECORDED, platform_source("signalement"), situation)
    await upstream.send(SIGNALEMENT_EVENTS, event.model_dump(mode="json", exclude_none=True),
                        key=situation.situation_id)


async def publish_triage(upstream: InstitutionClient, situation_id: str, decision: str) -> None:
    payload = signalement.SituationTriaged(situation_id=situation_id, decision=decision,
                                           triaged_at=datetime.now(UTC), triaged_by="coord-sion", status="TRIAGED")
    event = new_event(signalement.SITUATION_TRIAGED, platform_source("signalement"), payload)
    await upstream.send(SIGNALEMENT_EVENTS, event.model_dump(mode="json", exclude_none=True), key=situation_id)


def client(platform: LocalPlatform, institution: str, *roles: str, region: str | None = None,
           subject: str | None = None) -> httpx.Client:
    return platform.client("measures", platform.token(institution, *roles, region=region, subject=subject))


async def request_when_known(http: httpx.Client, body: dict[str, Any], timeout: float = 30.0) -> str:
    """The projection is eventually consistent: retry while the situation is still unknown (422)."""
    deadline = time.monotonic() + timeout
    while True:
        response = await asyncio.to_thread(http.post, MEASURES, json=body)
        if response.status_code == 201:
            return str(response.json()["id"])
        if time.monotonic() > deadline:
            raise AssertionError(f"measure not created: {response.status_code} {response.text}")
        await asyncio.sleep(0.3)


async def call(http: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return await asyncio.to_thread(http.request, method, path, json=body)


async def events_of(reader: TopicReader, event_type: str, *, count: int = 1, timeout: float = 30.0,
                    **data: Any) -> list[dict[str, Any]]:
    """Events of a type whose data has the given values (e.g. measure_id=...)."""
    def matches(record: dict[str, Any]) -> bool:
        value = record["value"]
        return value.get("type") == event_type and all(value["data"].get(k) == v for k, v in data.items())
    found = await reader.wait_for(matches, count=count, timeout=timeout)
    return [r["value"]["data"] for r in found]


async def wait_until(predicate: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.3)


async def publish_procuration_status(upstream: InstitutionClient, event_type: str, person_pseudonym: str,
                                     valid_until: date) -> None:
    """Stand-in for the procuration service's expiry watch (the scenario test uses the real one)."""
    payload = procuration.ProcurationStatusEvent(procuration_id=f"proc-{uuid.uuid4().hex[:8]}",
                                                 person_pseudonym=person_pseudonym, status="EXPIRED",
                                                 valid_until=valid_until, effective_on=valid_until)
    event = new_event(event_type, platform_source("procuration"), payload)
    await upstream.send(PROCURATION_EVENTS, event.model_dump(mode="json", exclude_none=True), key=person_pseudonym)
