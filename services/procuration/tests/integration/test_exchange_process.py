"""The consent-gated exchange through Kafka and the running process (docs/contract.md sections 5 and 6)."""

import asyncio
from datetime import date

import pytest
from pymongo import MongoClient

from cii_platform.contracts import internal_procuration as internal
from cii_platform.contracts import types
from cii_platform.contracts.topics import PROCURATION_EVENTS, inbound, outbound
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from procuration.testing import (
    EXCHANGE_TIMEOUT_SECONDS,
    new_avs,
    new_id,
    procuration_payload,
    pseudonym_of,
    record_procuration,
)

pytestmark = pytest.mark.integration


def _of(request_id: str, event_type: str):
    return lambda r: r["value"].get("type") == event_type and r["value"]["data"].get("request_id") == request_id


def _request(avs: str, categories: list[str], provider: str = "ORP") -> dict:
    return {"request_id": new_id("req"), "provider": provider, "person": {"avs_number": avs},
            "categories": categories, "purpose": "TRO"}


def _person(platform) -> tuple[str, str]:
    avs = new_avs()
    return avs, record_procuration(platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT", "SOCIAL"], purposes=["TRO"]))


async def test_permitted_categories_only_are_fulfilled_and_delivered(procuration_platform):
    avs, procuration_id = _person(procuration_platform)
    request = _request(avs, ["EMPLOYMENT", "HEALTH"])
    rid = request["request_id"]
    bootstrap = procuration_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound("orp"), outbound("cms"), PROCURATION_EVENTS) as reader, \
            InstitutionClient(bootstrap) as kafka:
        await kafka.send(inbound("cms"), inbound_event("CMS", types.EXCHANGE_REQUESTED, request), key=rid)
        [fulfil] = await reader.wait_for(_of(rid, types.EXCHANGE_FULFIL))
        [awaiting] = await reader.wait_for(_of(rid, internal.EXCHANGE_AWAITING))
        [denied] = await reader.wait_for(_of(rid, types.EXCHANGE_DENIED))
        sections = {"EMPLOYMENT": {"employer": "Garage du Rhône"}, "HEALTH": {"diagnosis": "secret"},
                    "FINANCE": {"debts": 12000}}  # the provider over-shares
        await kafka.send(inbound("orp"), inbound_event("ORP", types.EXCHANGE_PROVIDED, {
            "request_id": rid, "sections": sections}), key=rid)
        [delivered] = await reader.wait_for(_of(rid, types.EXCHANGE_DELIVERED))
    assert fulfil["topic"] == outbound("orp")
    assert fulfil["value"]["data"] == {"request_id": rid, "requester": "CMS", "person": {"avs_number": avs},
                                       "categories": ["EMPLOYMENT"], "purpose": "TRO",
                                       "procuration_id": procuration_id}
    # the provider's respondent can be told (issue 17): pseudonym and codes on the internal topic, no AVS number
    assert awaiting["topic"] == PROCURATION_EVENTS and avs not in str(awaiting["value"])
    assert {k: v for k, v in awaiting["value"]["data"].items() if k not in ("person_pseudonym", "deadline")} == {
        "request_id": rid, "requester": "CMS", "provider": "ORP", "categories": ["EMPLOYMENT"], "purpose": "TRO"}
    assert awaiting["value"]["data"]["person_pseudonym"] == pseudonym_of(procuration_platform, avs)
    assert denied["topic"] == outbound("cms")
    assert denied["value"]["data"] == {"request_id": rid, "denied_categories": ["HEALTH"],
                                       "reason": "category_not_covered"}
    assert delivered["topic"] == outbound("cms")
    assert delivered["value"]["data"] == {"request_id": rid, "provider": "ORP",
                                          "sections": {"EMPLOYMENT": {"employer": "Garage du Rhône"}}}
    stored = _stored_exchange(procuration_platform, rid)
    assert stored["status"] == "DELIVERED" and stored["withheld"] == ["FINANCE", "HEALTH"]
    assert "Garage" not in str(stored) and avs not in str(stored)  # digests only, never the content


async def test_request_without_procuration_is_denied_and_never_reaches_the_provider(procuration_platform):
    request = _request(new_avs(), ["EMPLOYMENT"])
    rid = request["request_id"]
    bootstrap = procuration_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound("orp"), outbound("cms"), PROCURATION_EVENTS) as reader, \
            InstitutionClient(bootstrap) as kafka:
        event = inbound_event("CMS", types.EXCHANGE_REQUESTED, request)
        await kafka.send(inbound("cms"), event, key=rid)
        [denied] = await reader.wait_for(_of(rid, types.EXCHANGE_DENIED))
        await reader.wait_for(lambda r: r["value"]["data"].get("event_id") == event["id"])
    assert denied["value"]["data"] == {"request_id": rid, "denied_categories": ["EMPLOYMENT"],
                                       "reason": "no_procuration"}
    # nothing waits at the provider: no fulfil, no internal "awaiting" (nobody is told)
    assert not [r for r in reader.records
                if _of(rid, types.EXCHANGE_FULFIL)(r) or _of(rid, internal.EXCHANGE_AWAITING)(r)]


async def test_revocation_between_request_and_delivery_stops_the_data(procuration_platform):
    avs, procuration_id = _person(procuration_platform)
    request = _request(avs, ["SOCIAL"])
    rid = request["request_id"]
    bootstrap = procuration_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound("orp"), outbound("cms")) as reader, \
            InstitutionClient(bootstrap) as kafka:
        await kafka.send(inbound("cms"), inbound_event("CMS", types.EXCHANGE_REQUESTED, request), key=rid)
        await reader.wait_for(_of(rid, types.EXCHANGE_FULFIL))
        revoke = inbound_event("ORP", types.PROCURATION_REVOKED, {
            "procuration_id": procuration_id, "revoked_on": date.today().isoformat(), "reason": "withdrawn"})
        await kafka.send(inbound("orp"), revoke, key=procuration_id)
        await reader.wait_for(lambda r: r["value"]["data"].get("event_id") == revoke["id"])
        provided = inbound_event("ORP", types.EXCHANGE_PROVIDED, {
            "request_id": rid, "sections": {"SOCIAL": {"household": "two children"}}})
        await kafka.send(inbound("orp"), provided, key=rid)
        [denied] = await reader.wait_for(_of(rid, types.EXCHANGE_DENIED))
        await reader.wait_for(lambda r: r["value"]["data"].get("event_id") == provided["id"])
    assert denied["value"]["data"] == {"request_id": rid, "denied_categories": ["SOCIAL"], "reason": "revoked"}
    assert not [r for r in reader.records if _of(rid, types.EXCHANGE_DELIVERED)(r)]


async def test_provider_silence_is_answered_with_a_timeout(procuration_platform):
    avs, _ = _person(procuration_platform)
    request = _request(avs, ["EMPLOYMENT"])
    rid = request["request_id"]
    bootstrap = procuration_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound("orp"), outbound("cms")) as reader, \
            InstitutionClient(bootstrap) as kafka:
        await kafka.send(inbound("cms"), inbound_event("CMS", types.EXCHANGE_REQUESTED, request), key=rid)
        await reader.wait_for(_of(rid, types.EXCHANGE_FULFIL))
        await asyncio.sleep(EXCHANGE_TIMEOUT_SECONDS / 2)
        assert not [r for r in reader.records if _of(rid, types.EXCHANGE_DENIED)(r)]
        [denied] = await reader.wait_for(_of(rid, types.EXCHANGE_DENIED), timeout=EXCHANGE_TIMEOUT_SECONDS + 10)
        late = inbound_event("ORP", types.EXCHANGE_PROVIDED, {"request_id": rid,
                                                              "sections": {"EMPLOYMENT": {"employer": "X"}}})
        await kafka.send(inbound("orp"), late, key=rid)
        await reader.wait_for(lambda r: r["value"]["data"].get("event_id") == late["id"])
    assert denied["value"]["data"] == {"request_id": rid, "denied_categories": ["EMPLOYMENT"], "reason": "timeout"}
    [rejection] = reader.answers_to(late["id"])
    assert rejection["type"] == types.EVENT_REJECTED
    assert rejection["data"]["errors"][0]["field"] == "data.request_id"
    assert not [r for r in reader.records if _of(rid, types.EXCHANGE_DELIVERED)(r)]


def _stored_exchange(platform, request_id: str) -> dict:
    with MongoClient(platform.infra.mongodb_url) as client:
        document = client["cii_procuration"]["exchanges"].find_one({"_id": request_id})
    assert document is not None
    return document
