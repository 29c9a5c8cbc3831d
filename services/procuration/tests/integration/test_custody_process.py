"""Key custody, erasure and the tamper-evident audit log through the running process."""

import asyncio
import base64

import httpx
import pytest
from pymongo import MongoClient

from cii_platform.contracts.internal_procuration import PERSON_ERASED
from cii_platform.contracts.topics import PROCURATION_EVENTS
from cii_platform.security.crypto import seal, unseal
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.pdf import pdf_text
from procuration.testing import (
    bureau_headers,
    institution_headers,
    new_avs,
    procuration_payload,
    record_procuration,
    service_headers,
)

pytestmark = pytest.mark.integration


def _release(http: httpx.Client, platform, key_id: str, institution: str) -> httpx.Response:
    return http.post("/internal/v1/keys/release", headers=service_headers(platform), json={
        "key_id": key_id, "institution": institution, "purpose": "TRO",
        "actor": {"subject": "worker-1", "institution": institution, "roles": ["field_worker"], "name": "Anne Favre"},
        "resource": "situation:s-1"})


async def test_erasure_makes_a_previously_readable_section_unreadable(procuration_platform):
    avs = new_avs()
    pid = record_procuration(procuration_platform, procuration_payload(
        avs, parties=["CMS", "ORP"], categories=["HEALTH"], purposes=["TRO"]), institution="CMS")
    officer = bureau_headers(procuration_platform)
    async with TopicReader(procuration_platform.infra.kafka_bootstrap, PROCURATION_EVENTS) as events:
        with procuration_platform.client("procuration") as http:
            pseudonym = http.get(f"/api/v1/procurations/{pid}", headers=officer).json()["person_pseudonym"]
            issued = http.post("/internal/v1/keys/issue", headers=service_headers(procuration_platform), json={
                "person_pseudonym": pseudonym, "category": "HEALTH", "controller": "CMS"}).json()
            section = seal({"diagnosis": "burn-out"}, base64.b64decode(issued["key"]), issued["key_id"],
                           context="situation:s-1")
            permitted = _release(http, procuration_platform, issued["key_id"], "ORP")
            denied = _release(http, procuration_platform, issued["key_id"], "OAI")
            people = http.post("/internal/v1/keys/release", headers=institution_headers(procuration_platform, "ORP"),
                               json={"key_id": issued["key_id"], "institution": "ORP", "purpose": "TRO"})
            not_officer = http.post(f"/api/v1/persons/{pseudonym}/erase", headers=bureau_headers(
                procuration_platform, "secretariat"))
            erased = http.post(f"/api/v1/persons/{pseudonym}/erase", headers=officer)
            after = _release(http, procuration_platform, issued["key_id"], "CMS")
            reissue = http.post("/internal/v1/keys/issue", headers=service_headers(procuration_platform), json={
                "person_pseudonym": pseudonym, "category": "HEALTH", "controller": "CMS"})
            shown = http.get(f"/api/v1/procurations/{pid}", headers=officer).json()
            report = http.get(f"/api/v1/persons/{pseudonym}/access-report", headers=officer).json()
            report_csv = http.get(f"/api/v1/persons/{pseudonym}/access-report?format=csv", headers=officer)
            report_pdf = http.get(f"/api/v1/persons/{pseudonym}/access-report?format=pdf", headers=officer)
            report_pdf_de = http.get(f"/api/v1/persons/{pseudonym}/access-report?format=pdf&language=de",
                                     headers=officer)
        [erasure] = await events.wait_for(lambda r: r["value"]["type"] == PERSON_ERASED
                                          and r["value"]["data"]["person_pseudonym"] == pseudonym)
    assert permitted.status_code == 200
    assert unseal(section, base64.b64decode(permitted.json()["key"]), context="situation:s-1") == {
        "diagnosis": "burn-out"}
    assert denied.status_code == 403 and "no_procuration" in denied.json()["detail"]
    assert people.status_code == 403 and not_officer.status_code == 403
    assert erased.status_code == 200 and erased.json()["erased"] is True
    assert after.status_code == 410 and reissue.status_code == 410
    assert shown["erased"] is True and shown["person"] is None
    assert erasure["key"].decode() == pseudonym
    releases = [(e["details"]["institution"], e["outcome"]) for e in report["items"] if e["action"] == "key.release"]
    assert ("ORP", "RELEASED") in releases and ("OAI", "DENIED") in releases and ("CMS", "ERASED") in releases
    assert any(e["action"] == "person.erased" for e in report["items"])
    assert report_csv.headers["content-type"].startswith("text/csv") and "key.release" in report_csv.text
    assert report_pdf.headers["content-type"] == "application/pdf"
    french, german = pdf_text(report_pdf.content), pdf_text(report_pdf_de.content)
    assert "Rapport d'accès" in french and "Clé de données remise pour lire des données scellées" in french
    assert "Anne Favre, Collaborateur·trice de terrain, Office régional de placement (ORP)" in french
    assert "Données personnelles effacées" in french and "worker-1" not in french
    assert "Zugriffsbericht" in german and "Personendaten gelöscht" in german and "Gesundheit" in german
    for code in ("key.release", "person.erased", "RELEASED", "HEALTH", "institution_system"):
        assert code not in french and code not in german, code
    with MongoClient(procuration_platform.infra.mongodb_url) as client:
        assert client["cii_procuration"]["data_keys"].count_documents({"person_pseudonym": pseudonym}) == 0


def test_the_data_protection_officer_reads_the_trail_but_does_not_erase(procuration_platform):
    pid = record_procuration(procuration_platform, procuration_payload(
        new_avs(), parties=["CMS", "ORP"], categories=["SOCIAL"], purposes=["TRO"]), institution="CMS")
    dpo = bureau_headers(procuration_platform, "dpo")
    with procuration_platform.client("procuration") as http:
        pseudonym = http.get(f"/api/v1/procurations/{pid}",
                             headers=institution_headers(procuration_platform, "CMS")).json()["person_pseudonym"]
        verified = http.get("/api/v1/audit/verify", headers=dpo)
        report = http.get(f"/api/v1/persons/{pseudonym}/access-report", headers=dpo)
        erase = http.post(f"/api/v1/persons/{pseudonym}/erase", headers=dpo)
        worker = http.get(f"/api/v1/persons/{pseudonym}/access-report",
                          headers=institution_headers(procuration_platform, "CMS"))
    assert verified.status_code == 200 and verified.json()["valid"] is True
    assert report.status_code == 200 and report.json()["total"] >= 1
    assert erase.status_code == 403 and worker.status_code == 403


def test_audit_verification_catches_an_edited_entry(procuration_platform):
    avs = new_avs()
    record_procuration(procuration_platform, procuration_payload(avs, parties=["ORP"], categories=["SOCIAL"],
                                                                 purposes=["TRO"]))
    headers = bureau_headers(procuration_platform, "secretariat")
    with procuration_platform.client("procuration") as http, \
            MongoClient(procuration_platform.infra.mongodb_url) as client:
        before = http.get("/api/v1/audit/verify", headers=headers).json()
        audit = client["cii_procuration"]["audit_log"]
        target = audit.find_one({"action": "procuration.recorded"}, sort=[("_id", -1)])
        audit.update_one({"_id": target["_id"]}, {"$set": {"outcome": "NOTHING_HAPPENED"}})
        try:
            broken = http.get("/api/v1/audit/verify", headers=headers).json()
        finally:
            audit.update_one({"_id": target["_id"]}, {"$set": {"outcome": target["outcome"]}})
        repaired = http.get("/api/v1/audit/verify", headers=headers).json()
        reader = http.get("/api/v1/audit/verify", headers=institution_headers(procuration_platform, "ORP"))
    assert before["valid"] is True and before["entries"] >= target["seq"]
    assert broken["valid"] is False and broken["first_broken"] == target["seq"]
    assert repaired["valid"] is True
    assert reader.status_code == 403


async def test_concurrent_appends_keep_one_unbroken_chain(procuration_platform):
    platform = procuration_platform
    avs = new_avs()
    record_procuration(platform, procuration_payload(avs, parties=["ORP"], categories=["SOCIAL"], purposes=["TRO"]))
    body = {"requester": "ORP", "person": {"avs_number": avs}, "category": "SOCIAL", "purpose": "TRO"}
    async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=service_headers(platform),
                                 timeout=30) as http:
        before = (await http.get("/api/v1/audit/verify")).json()
        answers = await asyncio.gather(*(http.post("/api/v1/decisions", json=body) for _ in range(60)))
        assert {a.json()["decision"] for a in answers} == {"PERMIT"}
        for _ in range(50):  # decisions join the group commit a few ms after their answer
            after = (await http.get("/api/v1/audit/verify")).json()
            if after["entries"] >= before["entries"] + 60:
                break
            await asyncio.sleep(0.1)
    assert after["valid"] is True and after["entries"] >= before["entries"] + 60


def test_a_batch_of_keys_is_issued_in_one_request_erased_persons_answered_as_such(procuration_platform):
    """The batch route (issue 19): the same keys as one by one, audited each, an erased person refused alone."""
    officer = bureau_headers(procuration_platform)
    pseudonyms = []
    for _ in range(2):
        pid = record_procuration(procuration_platform, procuration_payload(
            new_avs(), parties=["CMS", "ORP"], categories=["SOCIAL"], purposes=["TRO"]), institution="CMS")
        with procuration_platform.client("procuration") as http:
            pseudonyms.append(http.get(f"/api/v1/procurations/{pid}", headers=officer).json()["person_pseudonym"])
    live, gone = pseudonyms
    service = service_headers(procuration_platform)
    with procuration_platform.client("procuration") as http:
        assert http.post(f"/api/v1/persons/{gone}/erase", headers=officer).status_code == 200
        before = http.get(f"/api/v1/persons/{live}/access-report", headers=officer).json()
        asked = [{"person_pseudonym": live, "category": "IDENTITY", "controller": "CMS"},
                 {"person_pseudonym": live, "category": "SOCIAL", "controller": "ORP"},
                 {"person_pseudonym": gone, "category": "IDENTITY", "controller": "CMS"},
                 {"person_pseudonym": live, "category": "IDENTITY", "controller": "CMS"}]
        batch = http.post("/internal/v1/keys/issue-batch", headers=service, json={"keys": asked})
        single = http.post("/internal/v1/keys/issue", headers=service, json=asked[1])
        empty = http.post("/internal/v1/keys/issue-batch", headers=service, json={"keys": []})
        anonymous = http.post("/internal/v1/keys/issue-batch", headers=institution_headers(procuration_platform, "ORP"),
                              json={"keys": asked[:1]})
        report = http.get(f"/api/v1/persons/{live}/access-report", headers=officer).json()
        verified = http.get("/api/v1/audit/verify", headers=bureau_headers(procuration_platform, "dpo")).json()
    assert batch.status_code == 200, batch.text
    first, second, erased, again = batch.json()["keys"]
    assert erased == {"key_id": f"{gone}/IDENTITY/CMS", "key": None, "erased": True}
    assert first == again and first["key_id"] == f"{live}/IDENTITY/CMS" and first["key"]
    assert second == {**single.json(), "key": single.json()["key"], "erased": False}
    assert empty.status_code == 422 and "keys" in empty.text
    assert anonymous.status_code == 403
    def issued(trail: dict) -> list[str]:
        return [e["details"]["key_id"] for e in trail["items"] if e["action"] == "key.issue"]

    for key_id, times in ((f"{live}/IDENTITY/CMS", 2), (f"{live}/SOCIAL/ORP", 2)):  # the batch's and the single
        assert issued(report).count(key_id) - issued(before).count(key_id) == times
    assert verified["valid"] is True
