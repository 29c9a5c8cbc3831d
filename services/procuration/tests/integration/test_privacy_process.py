"""Retention and data minimisation through the running process: keys of persons whose situations
closed long ago are destroyed; no collection and no internal topic holds a name, an AVS number or
a provided section in clear."""

import asyncio
from datetime import date

import httpx
import pytest
from pymongo import MongoClient

from cii_platform.contracts import types
from cii_platform.contracts.internal_procuration import PERSON_ERASED
from cii_platform.contracts.topics import MEASURES_EVENTS, PROCURATION_EVENTS, SIGNALEMENT_EVENTS, inbound, outbound
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from procuration.testing import (
    institution_headers,
    new_avs,
    new_id,
    procuration_payload,
    pseudonym_of,
    service_headers,
    situation_closed_event,
    situation_recorded_event,
)

pytestmark = pytest.mark.integration
TODAY = date.today()


async def test_keys_of_persons_closed_longer_than_the_retention_are_destroyed(procuration_platform):
    platform = procuration_platform
    old, recent = pseudonym_of(platform, new_avs()), pseudonym_of(platform, new_avs())
    async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=service_headers(platform)) as http:
        key_ids = {p: (await http.post("/internal/v1/keys/issue", json={
            "person_pseudonym": p, "category": "SOCIAL", "controller": "CMS"})).json()["key_id"] for p in (old, recent)}
        async with InstitutionClient(platform.infra.kafka_bootstrap) as kafka, \
                TopicReader(platform.infra.kafka_bootstrap, PROCURATION_EVENTS) as events:
            for person, closed_on in ((old, TODAY.replace(year=TODAY.year - 11)), (recent, TODAY)):
                opened = situation_recorded_event(person)
                situation_id = opened["data"]["situation_id"]
                await kafka.send(SIGNALEMENT_EVENTS, opened, key=situation_id)
                await kafka.send(MEASURES_EVENTS, situation_closed_event(situation_id, closed_on), key=situation_id)
            for _ in range(30):
                await http.post("/internal/v1/daily-checks/run")
                released = await http.post("/internal/v1/keys/release", json={
                    "key_id": key_ids[old], "institution": "CMS", "purpose": "TRO"})
                if released.status_code == 410:
                    break
                await asyncio.sleep(0.5)
            await events.wait_for(lambda r: r["value"]["type"] == PERSON_ERASED
                                  and r["value"]["data"]["person_pseudonym"] == old)
            kept = await http.post("/internal/v1/keys/release", json={
                "key_id": key_ids[recent], "institution": "CMS", "purpose": "TRO"})
    assert released.status_code == 410
    assert kept.status_code == 200


async def test_no_collection_and_no_internal_topic_holds_personal_data_in_clear(procuration_platform):
    platform = procuration_platform
    avs, name, secret = new_avs(), "Zurbriggen-" + new_id("n"), "diagnosis-" + new_id("d")
    payload = procuration_payload(avs, parties=["ORP", "CMS"], categories=["HEALTH"], purposes=["TRO"],
                                  last_name=name)
    request = {"request_id": new_id("req"), "provider": "ORP", "person": {"avs_number": avs},
               "categories": ["HEALTH"], "purpose": "TRO"}
    rid = request["request_id"]
    bootstrap = platform.infra.kafka_bootstrap
    async with InstitutionClient(bootstrap) as kafka, TopicReader(bootstrap, outbound("cms"), outbound("orp")) as out:
        signed = inbound_event("ORP", types.PROCURATION_SIGNED, payload)
        await kafka.send(inbound("orp"), signed, key=payload["procuration_id"])
        await out.wait_for(lambda r: r["value"]["data"].get("event_id") == signed["id"])
        await kafka.send(inbound("cms"), inbound_event("CMS", types.EXCHANGE_REQUESTED, request), key=rid)
        await out.wait_for(lambda r: r["value"].get("type") == types.EXCHANGE_FULFIL
                           and r["value"]["data"]["request_id"] == rid)
        await kafka.send(inbound("orp"), inbound_event("ORP", types.EXCHANGE_PROVIDED, {
            "request_id": rid, "sections": {"HEALTH": {"note": secret}}}), key=rid)
        [delivered] = await out.wait_for(lambda r: r["value"].get("type") == types.EXCHANGE_DELIVERED
                                         and r["value"]["data"]["request_id"] == rid)
    assert delivered["value"]["data"]["sections"] == {"HEALTH": {"note": secret}}
    with MongoClient(platform.infra.mongodb_url) as client:
        database = client["cii_procuration"]
        stored = " ".join(str(list(database[name].find({}))) for name in database.list_collection_names())
    async with TopicReader(bootstrap, PROCURATION_EVENTS, from_beginning=True) as internal:
        await internal.poll(2.0)
        published = str([r["value"] for r in internal.records])
    async with httpx.AsyncClient(base_url=platform.url("procuration"),
                                 headers=institution_headers(platform, "ORP", "respondent")) as http:
        shown = (await http.get(f"/api/v1/procurations/{payload['procuration_id']}")).json()
    assert shown["person"]["last_name"] == name  # the identity is there, sealed
    for clear in (name, avs, avs.replace(".", ""), secret):
        assert clear not in stored
        assert clear not in published
