"""The signed procuration form itself, kept sealed with its hash, through the running process (real store):
stored only when its SHA-256 is the procuration's, by the recording institution, sealed in the store (no
plaintext), read back by the recorder with the key's release audited (the bureau only if the procuration
names it), and unreadable once the person is erased."""

import hashlib

import pytest
from pymongo import MongoClient

from procuration.testing import bureau_headers, institution_headers, new_avs, procuration_payload, pseudonym_of

pytestmark = pytest.mark.integration
FORM = b"%PDF-1.4\n% the procuration signed by Anne Rossier\n%%EOF\n"


def test_the_signed_form_is_kept_sealed_with_its_hash_and_read_by_its_recorder(procuration_platform):
    platform = procuration_platform
    avs = new_avs()
    payload = procuration_payload(avs, parties=["ORP", "CMS"], categories=["IDENTITY"], purposes=["TRO"])
    payload["document_sha256"] = hashlib.sha256(FORM).hexdigest()
    orp = institution_headers(platform, "ORP", "field_worker")
    with platform.client("procuration") as http:
        assert http.post("/api/v1/procurations", json=payload, headers=orp).status_code == 201
        pid = payload["procuration_id"]
        url = f"/api/v1/procurations/{pid}/document"
        other_form = http.put(url, content=b"%PDF-1.4 another form", headers={
            **orp, "Content-Type": "application/pdf"})
        wrong_type = http.put(url, content=FORM, headers={**orp, "Content-Type": "text/plain"})
        by_a_party = http.put(url, content=FORM, headers={
            **institution_headers(platform, "CMS", "field_worker"), "Content-Type": "application/pdf"})
        before = http.get(f"/api/v1/procurations/{pid}", headers=orp).json()
        stored = http.put(url, content=FORM, headers={**orp, "Content-Type": "application/pdf"})
        again = http.put(url, content=FORM, headers={**orp, "Content-Type": "application/pdf"})
        after = http.get(f"/api/v1/procurations/{pid}", headers=orp).json()
        read_back = http.get(url, headers=orp)
        by_officer = http.get(url, headers=bureau_headers(platform))
        by_party = http.get(url, headers=institution_headers(platform, "CMS", "field_worker"))
    assert other_form.status_code == 422 and [e["field"] for e in other_form.json()["errors"]] == ["document"]
    assert wrong_type.status_code == 422 and [e["field"] for e in wrong_type.json()["errors"]] == ["document"]
    assert by_a_party.status_code == 404  # only the institution that recorded it keeps its form
    assert before["document_stored"] is False and after["document_stored"] is True
    assert stored.status_code == 200, stored.text
    assert stored.json()["sha256"] == payload["document_sha256"] and stored.json()["size"] == len(FORM)
    assert again.status_code == 200 and again.json()["stored_at"] == stored.json()["stored_at"]
    assert read_back.status_code == 200 and read_back.content == FORM
    assert read_back.headers["content-type"] == "application/pdf"
    assert by_officer.status_code == 404  # the bureau is no party: its key is not released to it (rule 1)
    assert by_party.status_code == 404

    person = pseudonym_of(platform, avs)
    with MongoClient(platform.infra.mongodb_url) as client:
        database = client["cii_procuration"]
        kept = database["signed_forms"].find_one({"_id": pid})
        audit = list(database["audit_log"].find({"person_pseudonym": person}))
    assert kept is not None and b"Rossier" not in str(kept).encode() and "sealed" in kept
    assert kept["sealed"]["key_id"].endswith("/IDENTITY/ORP")  # the recorder's key for the person
    actions = [entry["action"] for entry in audit]
    assert actions.count("procuration.form_stored") == 1
    assert any(e["action"] == "key.release" and "procuration-form:" in str(e.get("details")) for e in audit)

    with platform.client("procuration") as http:
        assert http.post(f"/api/v1/persons/{person}/erase", headers=bureau_headers(platform)).status_code == 200
        erased = http.get(url, headers=orp)
    assert erased.status_code == 410
