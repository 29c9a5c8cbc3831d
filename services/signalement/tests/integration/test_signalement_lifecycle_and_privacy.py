"""Measures' facts, network transitions, procuration-gated reads and erasure, all as processes."""

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from signalement_process import announcement, fresh_avs, send_and_answer, store, token

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.internal_signalement import (
    SITUATION_STATUS_CHANGED,
    TRANSITION_NOTIFIED,
    TRANSITION_RECORDED,
)
from cii_platform.contracts.topics import MEASURES_EVENTS, SIGNALEMENT_EVENTS, outbound
from cii_platform.contracts.types import EVENT_ACCEPTED, EVENT_REJECTED, TRANSITION_SIGNALED
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration
API = "/api/v1/signalements"


async def announced(platform: LocalPlatform, institution: str = "ORP", **overrides: object) -> tuple[str, dict]:
    data = announcement(**overrides)
    answer = await send_and_answer(platform, institution, data)
    assert answer["type"] == EVENT_ACCEPTED, answer
    return answer["data"]["resource_id"], data


async def publish_measure_fact(platform: LocalPlatform, event_type: str, body: object, situation_id: str) -> str:
    event = new_event(event_type, platform_source("measures"), body)  # type: ignore[arg-type]
    async with InstitutionClient(platform.infra.kafka_bootstrap) as client:
        await client.send(MEASURES_EVENTS, event.model_dump(mode="json", exclude_none=True), key=situation_id)
    return event.id


async def test_a_held_measure_opens_and_a_closure_closes_the_situation(signalement_platform: LocalPlatform) -> None:
    situation_id, _ = await announced(signalement_platform)
    held = measures.MeasureHeld(measure_id="m-1", situation_id=situation_id, type="TRO", held_on=date.today())
    closed = measures.SituationClosed(situation_id=situation_id, closed_on=date.today())
    async with TopicReader(signalement_platform.infra.kafka_bootstrap, SIGNALEMENT_EVENTS) as reader:
        await publish_measure_fact(signalement_platform, measures.MEASURE_HELD, held, situation_id)
        await reader.wait_for(lambda r: r["value"]["type"] == SITUATION_STATUS_CHANGED
                              and r["value"]["data"]["situation_id"] == situation_id
                              and r["value"]["data"]["status"] == "OPEN")
        await publish_measure_fact(signalement_platform, measures.SITUATION_CLOSED, closed, situation_id)
        await reader.wait_for(lambda r: r["value"]["type"] == SITUATION_STATUS_CHANGED
                              and r["value"]["data"]["situation_id"] == situation_id
                              and r["value"]["data"]["status"] == "CLOSED")
    assert store(signalement_platform).situations.find_one({"_id": situation_id})["status"] == "CLOSED"


async def test_a_transition_is_published_pseudonymised_and_notified_to_the_receiver(
        signalement_platform: LocalPlatform) -> None:
    avs_number = fresh_avs()
    data = {"transition_id": f"t-{uuid.uuid4().hex[:8]}", "to_institution": "ORP",
            "signaled_on": date.today().isoformat(), "person": {"avs_number": avs_number}, "unit": "BIP"}
    bootstrap = signalement_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, SIGNALEMENT_EVENTS, outbound("ORP")) as reader:
        answer = await send_and_answer(signalement_platform, "OASI", data, event_type=TRANSITION_SIGNALED,
                                       key=data["transition_id"])
        assert answer["type"] == EVENT_ACCEPTED
        [recorded] = await reader.wait_for(lambda r: r["value"]["type"] == TRANSITION_RECORDED
                                           and r["value"]["data"]["transition_id"] == data["transition_id"])
        [notice] = await reader.wait_for(lambda r: r["value"]["type"] == TRANSITION_NOTIFIED
                                         and r["value"]["data"]["transition_id"] == data["transition_id"])
    assert recorded["value"]["data"]["from_institution"] == "OASI" and recorded["value"]["data"]["from_unit"] == "BIP"
    assert notice["value"]["data"]["person_pseudonym"] == recorded["value"]["data"]["person_pseudonym"]
    assert avs_number not in str(recorded) + str(notice)
    to_self = {**data, "transition_id": "t-self", "to_institution": "OASI", "unit": None}
    rejected = await send_and_answer(signalement_platform, "OASI", to_self, event_type=TRANSITION_SIGNALED)
    assert rejected["type"] == EVENT_REJECTED
    assert [e["field"] for e in rejected["data"]["errors"]] == ["data.to_institution"]


async def eventually(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """The lists learn procurations from the procuration service's internal events: a moment later."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.3)


def procuration_for(avs_number: str, person: dict, parties: list[str]) -> dict:
    return {"procuration_id": f"pr-{uuid.uuid4().hex[:8]}",
            "person": {"avs_number": avs_number, "last_name": person["last_name"],
                       "first_name": person["first_name"], "birth_date": person["birth_date"]},
            "signed_on": (date.today() - timedelta(days=10)).isoformat(),
            "valid_from": (date.today() - timedelta(days=10)).isoformat(),
            "valid_until": (date.today() + timedelta(days=300)).isoformat(), "parties": parties,
            "categories": ["IDENTITY", "SOCIAL"], "purposes": ["CII_COORDINATION"],
            "document_sha256": hashlib.sha256(b"signed form").hexdigest()}


async def test_a_co_following_institution_reads_only_under_a_procuration(
        signalement_platform: LocalPlatform) -> None:
    situation_id, data = await announced(signalement_platform, co_following=["CMS"])
    cms = token(signalement_platform, "CMS", "respondent")
    with signalement_platform.client("signalement", cms) as http:
        assert http.get(f"{API}/{situation_id}").status_code == 404
    signed = procuration_for(data["person"]["avs_number"], data["person"], ["ORP", "CMS"])
    with signalement_platform.client("procuration", token(signalement_platform, "ORP", "respondent")) as http:
        assert http.post("/api/v1/procurations", json=signed).status_code == 201
    with signalement_platform.client("signalement", cms) as http:
        read = http.get(f"{API}/{situation_id}")
        assert read.status_code == 200, read.text
        assert read.json()["person"]["last_name"] == "Rey-Zufferey" and read.json()["person_access"] == "GRANTED"
        listed = lambda: {i["id"] for i in http.get(API, params={"limit": 500}).json()["items"]}  # noqa: E731
        await eventually(lambda: situation_id in listed())
    reads = list(store(signalement_platform).read_log.find({"situation_id": situation_id}).sort("at", 1))
    assert [(r["institution"], r["outcome"]) for r in reads] == [("CMS", "DENIED"), ("CMS", "GRANTED")]


async def test_after_erasure_the_person_is_null_and_erased(signalement_platform: LocalPlatform) -> None:
    situation_id, _ = await announced(signalement_platform)
    orp = token(signalement_platform, "ORP", "respondent")
    with signalement_platform.client("signalement", orp) as http:
        pseudonym = http.get(f"{API}/{situation_id}").json()["person_pseudonym"]
    officer = token(signalement_platform, "BUREAU", "cantonal_officer")
    with signalement_platform.client("procuration", officer) as http:
        assert http.post(f"/api/v1/persons/{pseudonym}/erase").status_code == 200
    with signalement_platform.client("signalement", orp) as http:
        read = http.get(f"{API}/{situation_id}").json()
    assert read["person"] is None and read["erased"] is True and read["summary"] is None
