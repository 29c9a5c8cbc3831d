"""Consent registry through the running process: HTTP and Kafka share one code path."""

from datetime import date, timedelta

import pytest

from cii_platform.contracts import types
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from procuration.testing import bureau_headers, institution_headers, new_avs, new_id, procuration_payload

pytestmark = pytest.mark.integration


def test_recorded_procuration_reads_back_and_exports_as_fhir_consent(procuration_platform):
    payload = procuration_payload(new_avs(), parties=["ORP", "CMS"], categories=["EMPLOYMENT"],
                                  purposes=["TRO"])
    with procuration_platform.client("procuration") as http:
        created = http.post("/api/v1/procurations", json=payload, headers=institution_headers(
            procuration_platform, "ORP", "field_worker"))
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        officer = http.get(f"/api/v1/procurations/{pid}", headers=bureau_headers(procuration_platform)).json()
        fhir = http.get(f"/api/v1/procurations/{pid}?format=fhir", headers=bureau_headers(procuration_platform))
        stranger = http.get(f"/api/v1/procurations/{pid}", headers=institution_headers(procuration_platform, "OAI"))
        recorder = http.get(f"/api/v1/procurations/{pid}", headers=institution_headers(
            procuration_platform, "ORP", "field_worker")).json()
    assert officer["status"] == "ACTIVE" and officer["parties"] == ["CMS", "ORP"]
    assert officer["person"] is None  # the bureau is no party of this procuration: no identity (issue 12)
    assert recorder["person"]["last_name"] == "Rossier"  # unsealed for the recording institution, audited
    consent = fhir.json()
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    assert consent["resourceType"] == "Consent" and consent["status"] == "active"
    assert consent["provision"]["period"] == {"start": payload["valid_from"], "end": payload["valid_until"]}
    assert {a["reference"]["identifier"]["value"] for a in consent["provision"]["actor"]} == {"ORP", "CMS"}
    assert [c["code"] for c in consent["provision"]["class"]] == ["EMPLOYMENT"]
    assert [p["code"] for p in consent["provision"]["purpose"]] == ["TRO"]
    assert stranger.status_code == 404


def test_http_errors_name_each_bad_field_and_change_nothing(procuration_platform):
    payload = procuration_payload(new_avs(), parties=["ORP", "NOPE"], categories=["EMPLOYMENT"], purposes=["TRO"])
    future = procuration_payload(new_avs(), parties=["ORP"], categories=["EMPLOYMENT"], purposes=["TRO"])
    future["signed_on"] = (date.today() + timedelta(days=3)).isoformat()
    backwards = procuration_payload(new_avs(), parties=["ORP"], categories=["EMPLOYMENT"], purposes=["TRO"],
                                    valid_from=date.today(), valid_until=date.today() - timedelta(days=1))
    headers = institution_headers(procuration_platform, "ORP")
    with procuration_platform.client("procuration") as http:
        unknown = http.post("/api/v1/procurations", json=payload, headers=headers)
        in_future = http.post("/api/v1/procurations", json=future, headers=headers)
        reversed_period = http.post("/api/v1/procurations", json=backwards, headers=headers)
        missing = http.get(f"/api/v1/procurations/{payload['procuration_id']}", headers=bureau_headers(
            procuration_platform))
    assert unknown.status_code == 422 and [e["field"] for e in unknown.json()["errors"]] == ["parties.1"]
    assert in_future.status_code == 422 and [e["field"] for e in in_future.json()["errors"]] == ["signed_on"]
    assert reversed_period.status_code == 422
    assert [e["field"] for e in reversed_period.json()["errors"]] == ["valid_until"]
    assert missing.status_code == 404


async def test_kafka_signed_and_revoked_go_through_the_same_rules(procuration_platform):
    avs = new_avs()
    payload = procuration_payload(avs, parties=["CMS", "ORP"], categories=["SOCIAL"], purposes=["COACHING"])
    bad = {**payload, "procuration_id": new_id("proc"), "categories": ["SOCIAL", "ASTROLOGY"]}
    signed, rejected = (inbound_event("CMS", types.PROCURATION_SIGNED, p) for p in (payload, bad))
    revoked = inbound_event("CMS", types.PROCURATION_REVOKED, {
        "procuration_id": payload["procuration_id"], "revoked_on": date.today().isoformat(), "reason": "moved"})
    bootstrap = procuration_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound("cms")) as answers, InstitutionClient(bootstrap) as cms:
        await cms.send(inbound("cms"), signed, key=payload["procuration_id"])
        await cms.send(inbound("cms"), rejected, key=bad["procuration_id"])
        await answers.wait_for(lambda r: r["value"]["data"].get("event_id") in (signed["id"], rejected["id"]),
                               count=2)
        decision_before = _decide(procuration_platform, "ORP", avs, "SOCIAL", "COACHING")
        await cms.send(inbound("cms"), revoked, key=payload["procuration_id"])
        await answers.wait_for(lambda r: r["value"]["data"].get("event_id") == revoked["id"])
    [accepted] = answers.answers_to(signed["id"])
    [rejection] = answers.answers_to(rejected["id"])
    assert accepted["type"] == types.EVENT_ACCEPTED and accepted["data"]["resource_id"] == payload["procuration_id"]
    assert rejection["type"] == types.EVENT_REJECTED
    assert [e["field"] for e in rejection["data"]["errors"]] == ["data.categories.1"]
    assert decision_before["decision"] == "PERMIT"
    after = _decide(procuration_platform, "ORP", avs, "SOCIAL", "COACHING")
    assert after == {"decision": "DENY", "reason": "revoked", "procuration_id": payload["procuration_id"]}


def _decide(platform, requester: str, avs: str, category: str, purpose: str) -> dict:
    with platform.client("procuration") as http:
        response = http.post("/api/v1/decisions", headers=bureau_headers(platform, "service"), json={
            "requester": requester, "person": {"avs_number": avs}, "category": category, "purpose": purpose})
    assert response.status_code == 200, response.text
    return response.json()


def test_http_revocation_by_a_party_takes_effect_at_once(procuration_platform):
    avs = new_avs()
    payload = procuration_payload(avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT"], purposes=["TRO"])
    with procuration_platform.client("procuration") as http:
        pid = http.post("/api/v1/procurations", json=payload,
                        headers=institution_headers(procuration_platform, "ORP")).json()["id"]
        stranger = http.post(f"/api/v1/procurations/{pid}/revoke", json={
            "revoked_on": date.today().isoformat(), "reason": "x"}, headers=institution_headers(
            procuration_platform, "OAI"))
        bad = http.post(f"/api/v1/procurations/{pid}/revoke", json={"reason": "x"},
                        headers=institution_headers(procuration_platform, "CMS"))
        assert _decide(procuration_platform, "CMS", avs, "EMPLOYMENT", "TRO")["decision"] == "PERMIT"
        revoked = http.post(f"/api/v1/procurations/{pid}/revoke", json={
            "revoked_on": date.today().isoformat(), "reason": "the person withdrew"},
            headers=institution_headers(procuration_platform, "CMS", "case_manager"))
    assert stranger.status_code == 404
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["revoked_on"]
    assert revoked.status_code == 200 and revoked.json()["status"] == "REVOKED"
    assert _decide(procuration_platform, "CMS", avs, "EMPLOYMENT", "TRO")["reason"] == "revoked"
