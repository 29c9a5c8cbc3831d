"""Announcements through the real Kafka and store, the service running as a process."""

import json
import uuid

import pytest
from signalement_process import announcement, send_and_answer, store, token

from cii_platform.contracts.internal_signalement import SITUATION_RECORDED
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, inbound
from cii_platform.contracts.types import EVENT_ACCEPTED, EVENT_REJECTED
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


async def test_an_announcement_is_accepted_sealed_stored_and_published(
        signalement_platform: LocalPlatform) -> None:
    data = announcement()
    async with TopicReader(signalement_platform.infra.kafka_bootstrap, SIGNALEMENT_EVENTS) as internal:
        answer = await send_and_answer(signalement_platform, "ORP", data)
        assert answer["type"] == EVENT_ACCEPTED, answer
        situation_id = answer["data"]["resource_id"]
        [recorded] = await internal.wait_for(
            lambda r: r["value"]["type"] == SITUATION_RECORDED and r["value"]["data"]["situation_id"] == situation_id)
    published = recorded["value"]["data"]
    assert (published["gravity_index"], published["gravity_policy"], published["public"]) == (2.5, "v1", "ADULT")
    assert set(published["sealed"]) == {"IDENTITY", "SOCIAL"} and recorded["key"] == situation_id.encode()
    stored = store(signalement_platform).situations.find_one({"_id": situation_id})
    for secret in (data["person"]["avs_number"], "Rey-Zufferey", "lives alone"):
        assert secret not in json.dumps(stored, default=str) and secret not in json.dumps(published)
    with signalement_platform.client("signalement", token(signalement_platform, "ORP", "respondent")) as http:
        read = http.get(f"/api/v1/signalements/{situation_id}").json()
    assert read["person"]["avs_number"] == data["person"]["avs_number"] and read["summary"] == "lives alone, debts"
    assert read["person_pseudonym"] == published["person_pseudonym"] and read["status"] == "SUBMITTED"


async def test_an_invalid_announcement_is_rejected_naming_every_field_and_stores_nothing(
        signalement_platform: LocalPlatform) -> None:
    data = announcement(follow_up_started_on="2099-01-01", public="YOUNG", risk_factors=["HEALTH", "HEALTH"])
    data["person"]["avs_number"] = "756.1234.5678.90"
    answer = await send_and_answer(signalement_platform, "CMS", data)
    assert answer["type"] == EVENT_REJECTED
    assert {e["field"] for e in answer["data"]["errors"]} == {"data.person.avs_number", "data.risk_factors"}
    business = announcement(follow_up_started_on="2099-01-01", public="YOUNG")
    answer = await send_and_answer(signalement_platform, "CMS", business)
    assert [e["field"] for e in answer["data"]["errors"]] == ["data.follow_up_started_on", "data.public"]
    assert store(signalement_platform).situations.count_documents(
        {"external_ref": {"$in": [data["external_ref"], business["external_ref"]]}}) == 0


async def test_resubmission_is_a_new_version_and_a_redelivery_is_answered_the_same(
        signalement_platform: LocalPlatform) -> None:
    data = announcement()
    event_id = str(uuid.uuid4())
    first = await send_and_answer(signalement_platform, "OAI", data, event_id=event_id)
    again = await send_and_answer(signalement_platform, "OAI", data, event_id=event_id)
    assert again["data"] == first["data"] and again["id"] == first["id"]
    changed = {**data, "situation_type": "NETWORK", "risk_factors": ["HEALTH"]}
    second = await send_and_answer(signalement_platform, "OAI", changed)
    assert second["data"]["resource_id"] == first["data"]["resource_id"]
    stored = store(signalement_platform).situations.find_one({"_id": first["data"]["resource_id"]})
    assert stored["version"] == 2 and [v["situation_type"] for v in stored["versions"]] == ["COMPLEX", "NETWORK"]


async def test_unreadable_unknown_and_spoofed_events_are_rejected(signalement_platform: LocalPlatform) -> None:
    malformed = await send_and_answer(signalement_platform, "LMMT", b"{not json")
    assert malformed["type"] == EVENT_REJECTED and malformed["data"]["event_id"] is None
    unknown = await send_and_answer(signalement_platform, "LMMT", {"x": 1}, event_type="ch.vs.cii.nothing.v1")
    assert [e["field"] for e in unknown["data"]["errors"]] == ["type"]
    spoofed = announcement()
    from cii_platform.testing.kafka_client import InstitutionClient, inbound_event

    event = inbound_event("ORP", "ch.vs.cii.signalement.submitted.v1", spoofed)
    async with TopicReader(signalement_platform.infra.kafka_bootstrap, "cii.outbound.lmmt") as reader, \
            InstitutionClient(signalement_platform.infra.kafka_bootstrap) as client:
        await client.send(inbound("LMMT"), event, key=spoofed["external_ref"])
        [answer] = await reader.wait_for(lambda r: r["value"]["data"].get("event_id") == event["id"])
    assert [e["field"] for e in answer["value"]["data"]["errors"]] == ["source"]
