"""Renewal, expiry, the audit hash chain, the exchange filter and the FHIR export: pure code."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cii_platform.consent.model import Status
from procuration.adapters.fhir import consent_resource
from procuration.domain.audit_chain import GENESIS_HASH, chain, verify
from procuration.domain.exchange import permitted_sections, section_digests
from procuration.testing import SAMPLE_TODAY as TODAY
from procuration.testing import sample_procuration as procuration

pytestmark = pytest.mark.unit


def test_renewal_covering_the_same_parties_supersedes_from_its_valid_from():
    old = procuration()
    narrower = procuration(procuration_id="p2", parties=frozenset({"ORP"}), signed_on=TODAY)
    wider = procuration(procuration_id="p3", parties=frozenset({"ORP", "CMS", "OAI"}), signed_on=TODAY,
                        valid_from=TODAY + timedelta(days=3))
    assert old.successor_among([old, narrower]) is None
    assert old.successor_among([old, narrower, wider]) == wider
    assert wider.successor_among([old, wider]) is None  # the older one never supersedes the newer
    superseded = replace(old, status=Status.SUPERSEDED, superseded_on=wider.valid_from)
    assert superseded.status_on(TODAY) is Status.ACTIVE
    assert superseded.status_on(wider.valid_from) is Status.SUPERSEDED


def test_expiry_is_announced_once_30_days_ahead_then_at_expiry():
    p = procuration(valid_until=TODAY + timedelta(days=30))
    assert p.expiry_due(TODAY - timedelta(days=1), 30) is None
    assert p.expiry_due(TODAY, 30) is Status.ACTIVE
    assert replace(p, expiring_notified=True).expiry_due(TODAY, 30) is None
    assert p.expiry_due(TODAY + timedelta(days=31), 30) is Status.EXPIRED
    assert replace(p, status=Status.REVOKED).expiry_due(TODAY + timedelta(days=31), 30) is None


def test_the_hash_chain_detects_an_edit_a_removal_and_a_reordering():
    entries = chain([{"at": str(i), "action": "decision", "outcome": "PERMIT"} for i in range(5)],
                    last_seq=0, last_hash=GENESIS_HASH)
    assert verify(entries).valid and verify(entries).entries == 5
    edited = [dict(e) for e in entries]
    edited[2]["outcome"] = "DENY"
    assert (verify(edited).valid, verify(edited).first_broken) == (False, 3)
    removed = entries[:1] + entries[2:]
    assert (verify(removed).valid, verify(removed).first_broken) == (False, 2)
    swapped = [entries[0], entries[2], entries[1], *entries[3:]]
    assert verify(swapped).valid is False
    more = chain([{"at": "x", "action": "key.release"}], last_seq=5, last_hash=entries[-1]["hash"])
    assert verify(entries + more).valid


def test_only_permitted_sections_travel_and_only_digests_stay():
    sections = {"EMPLOYMENT": {"employer": "A"}, "HEALTH": {"diagnosis": "B"}}
    assert permitted_sections(sections, ["EMPLOYMENT", "SOCIAL"]) == {"EMPLOYMENT": {"employer": "A"}}
    digests = section_digests({"EMPLOYMENT": {"employer": "A"}})
    assert list(digests) == ["EMPLOYMENT"] and len(digests["EMPLOYMENT"]) == 64 and "A" not in digests.values()


def test_fhir_consent_carries_period_actors_purposes_and_classes():
    resource = consent_resource(procuration(), Status.REVOKED)
    assert resource["resourceType"] == "Consent" and resource["status"] == "inactive"
    assert resource["provision"]["period"]["end"] == (TODAY + timedelta(days=100)).isoformat()
    assert [a["reference"]["identifier"]["value"] for a in resource["provision"]["actor"]] == ["CMS", "ORP"]
    assert resource["patient"]["identifier"]["value"] == "p_x"
    assert date.fromisoformat(resource["dateTime"]) == TODAY - timedelta(days=10)


def test_access_report_renders_as_pdf():
    from datetime import UTC, datetime

    from procuration.adapters.access_report_pdf import access_report_pdf

    entry = {"seq": 1, "at": "2026-06-15T10:00:00+00:00", "action": "key.release", "outcome": "RELEASED",
             "actor": {"institution": "ORP", "subject": "worker-1"}, "categories": ["HEALTH"], "purpose": "TRO"}
    pdf = access_report_pdf("p_x", [entry] * 3, datetime(2026, 6, 15, tzinfo=UTC))
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
