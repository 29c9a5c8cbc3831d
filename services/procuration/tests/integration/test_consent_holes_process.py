"""Issue 12 through the running procuration process on real Kafka and store: reporting readers, non-party
decisions, refusals in the access report, erasure of unknown pseudonyms, the migration of identities
sealed under a former shared key."""

import asyncio
from datetime import UTC, datetime

import pytest
from pymongo import MongoClient

from cii_platform.contracts import types
from cii_platform.contracts.envelope import institution_source
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.security.crypto import new_data_key, seal, wrap_key
from cii_platform.security.keys import read_hex_key
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from procuration.testing import (
    ask_decision,
    bureau_headers,
    institution_headers,
    new_avs,
    new_id,
    procuration_payload,
    pseudonym_of,
    record_procuration,
)

pytestmark = pytest.mark.integration


def _report(platform, pseudonym: str) -> list[dict]:
    with platform.client("procuration") as http:
        response = http.get(f"/api/v1/persons/{pseudonym}/access-report", headers=bureau_headers(platform))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_a_reporting_reader_reads_no_procuration_not_even_of_its_own_institution(procuration_platform):
    platform = procuration_platform
    pid = record_procuration(platform, procuration_payload(new_avs(), parties=["ORP", "CMS"], categories=["SOCIAL"],
                                                           purposes=["TRO"], last_name="Reader-Hidden"))
    reader = {"Authorization": f"Bearer {platform.token('ORP', 'reporting_reader')}"}
    with platform.client("procuration") as http:
        plain = http.get(f"/api/v1/procurations/{pid}", headers=reader)
        fhir = http.get(f"/api/v1/procurations/{pid}?format=fhir", headers=reader)
        own = http.get(f"/api/v1/procurations/{pid}", headers=institution_headers(platform, "ORP", "respondent"))
    assert plain.status_code == 404 and fhir.status_code == 404  # today: 200 with the decrypted person
    assert "Reader-Hidden" not in plain.text + fhir.text
    assert own.status_code == 200 and own.json()["person"]["last_name"] == "Reader-Hidden"


def test_a_non_party_gets_the_same_answer_with_or_without_a_procuration(procuration_platform):
    platform = procuration_platform
    with_one, without = new_avs(), new_avs()
    record_procuration(platform, procuration_payload(with_one, parties=["ORP", "CMS"], categories=["SOCIAL"],
                                                     purposes=["TRO"]))
    answers = [ask_decision(platform, "OAI", avs, "SOCIAL", "TRO") for avs in (with_one, without)]
    assert answers[0] == answers[1] == {"decision": "DENY", "reason": "no_procuration", "procuration_id": None}


async def test_refusals_before_any_decision_are_audited_in_the_persons_access_report(procuration_platform):
    platform = procuration_platform
    avs = new_avs()
    pseudonym = pseudonym_of(platform, avs)
    record_procuration(platform, procuration_payload(avs, parties=["ORP", "CMS"], categories=["SOCIAL"],
                                                     purposes=["TRO"]))
    with platform.client("procuration") as http:  # 1. a field worker may not ask the decision point
        refused = http.post("/api/v1/decisions", headers=institution_headers(platform, "ORP", "field_worker"), json={
            "requester": "ORP", "person": {"avs_number": avs}, "category": "SOCIAL", "purpose": "TRO"})
    assert refused.status_code == 403
    bootstrap = platform.infra.kafka_bootstrap
    request_id = new_id("req")
    request = {"request_id": request_id, "provider": "ORP", "person": {"avs_number": avs},
               "categories": ["SOCIAL"], "purpose": "TRO"}
    async with InstitutionClient(bootstrap) as kafka, \
            TopicReader(bootstrap, outbound("cms"), outbound("orp"), outbound("oai")) as answers:
        spoofed = inbound_event("ORP", types.EXCHANGE_REQUESTED, {**request, "request_id": new_id("spoof")})
        await kafka.send(inbound("cms"), spoofed, key=spoofed["data"]["request_id"])  # 2. ORP's source on CMS's topic
        await answers.wait_for(lambda r: r["value"].get("type") == types.EVENT_REJECTED
                               and r["value"]["data"].get("event_id") == spoofed["id"])
        await kafka.send(inbound("cms"), inbound_event("CMS", types.EXCHANGE_REQUESTED, request), key=request_id)
        await answers.wait_for(lambda r: r["value"].get("type") == types.EXCHANGE_FULFIL
                               and r["value"]["data"]["request_id"] == request_id)
        wrong = inbound_event("OAI", types.EXCHANGE_PROVIDED, {"request_id": request_id,
                                                               "sections": {"SOCIAL": {"note": "x"}}})
        await kafka.send(inbound("oai"), wrong, key=request_id)  # 3. OAI answers what was asked of ORP
        await answers.wait_for(lambda r: r["value"].get("type") == types.EVENT_REJECTED
                               and r["value"]["data"].get("event_id") == wrong["id"])
    report = _report(platform, pseudonym)
    refusals = [e for e in report if e["action"] == "request.refused"]
    assert [e["actor"]["institution"] for e in refusals] == ["ORP", "CMS", "OAI"], refusals
    assert refusals[0]["details"]["route"] == "POST /decisions"
    assert refusals[1]["details"]["event_type"] == types.EXCHANGE_REQUESTED
    assert refusals[1]["actor"]["claimed_source"] == institution_source("ORP")
    assert refusals[2]["details"]["answered_by"] == "OAI" and refusals[2]["details"]["provider"] == "ORP"


def test_erasing_an_unknown_pseudonym_answers_404_and_records_nothing(procuration_platform):
    platform = procuration_platform
    unknown = "p_" + "0" * 38 + "ab"
    with platform.client("procuration") as http:
        answer = http.post(f"/api/v1/persons/{unknown}/erase", headers=bureau_headers(platform))
        anything = http.post("/api/v1/persons/any-string/erase", headers=bureau_headers(platform))
    assert answer.status_code == 404 and anything.status_code == 404
    with MongoClient(platform.infra.mongodb_url) as client:
        database = client["cii_procuration"]
        assert database["erased_persons"].count_documents({"_id": {"$in": [unknown, "any-string"]}}) == 0
        assert database["audit_log"].count_documents({"person_pseudonym": {"$in": [unknown, "any-string"]},
                                                      "action": "person.erased"}) == 0
    known = pseudonym_of(platform, avs := new_avs())
    record_procuration(platform, procuration_payload(avs, parties=["ORP"], categories=["SOCIAL"], purposes=["TRO"]))
    with platform.client("procuration") as http:
        assert http.post(f"/api/v1/persons/{known}/erase", headers=bureau_headers(platform)).status_code == 200
        assert http.post(f"/api/v1/persons/{known}/erase", headers=bureau_headers(platform)).status_code == 200


async def test_identities_under_a_former_shared_key_are_resealed_under_the_recorders_key_at_start(
        procuration_platform):
    platform = procuration_platform
    avs = new_avs()
    pid = record_procuration(platform, procuration_payload(avs, parties=["ORP", "CMS"], categories=["SOCIAL"],
                                                           purposes=["TRO"], last_name="Shared-Key"))
    person = pseudonym_of(platform, avs)
    master = read_hex_key(platform.infra.data_dir / "keys" / "master.key", "master key")
    legacy_id, key = f"{person}/IDENTITY", new_data_key()
    with MongoClient(platform.infra.mongodb_url) as client:
        database = client["cii_procuration"]
        database["data_keys"].insert_one({
            "_id": legacy_id, "person_pseudonym": person, "category": "IDENTITY", "controllers": ["ORP", "CMS"],
            "wrapped": wrap_key(key, master, key_id=legacy_id), "created_at": datetime.now(UTC)})
        identity = {"avs_number": avs, "last_name": "Shared-Key", "first_name": "Anne", "birth_date": "1990-04-02"}
        database["procurations"].update_one({"_id": pid}, {"$set": {
            "identity": seal(identity, key, legacy_id, context=pid).model_dump()}})
    cms = institution_headers(platform, "CMS", "respondent")
    with platform.client("procuration") as http:  # a party that did not record it: only under a PERMIT
        assert http.get(f"/api/v1/procurations/{pid}", headers=cms).json()["person"] is None
    platform.services["procuration"].stop()
    await asyncio.to_thread(platform.start_service, "procuration")
    with MongoClient(platform.infra.mongodb_url) as client:
        stored = client["cii_procuration"]["procurations"].find_one({"_id": pid})
    assert stored["identity"]["key_id"] == f"{person}/IDENTITY/ORP"
    with platform.client("procuration") as http:
        shown = http.get(f"/api/v1/procurations/{pid}", headers=institution_headers(platform, "ORP", "respondent"))
    assert shown.json()["person"]["last_name"] == "Shared-Key"
