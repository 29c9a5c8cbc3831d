"""Renewal, expiry, the audit hash chain, the exchange filter and the FHIR export: pure code."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from cii_platform.consent.model import Status
from procuration.adapters.fhir import consent_resource
from procuration.domain.audit_chain import (
    GENESIS_HASH,
    Checkpoint,
    Verification,
    chain,
    entry_mac,
    legacy_hash,
    verify,
)
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


KEY = b"k" * 32


def _entries(count: int = 5) -> list[dict]:
    return chain([{"at": str(i), "action": "decision", "outcome": "PERMIT", "person_pseudonym": "p_1",
                   "details": {}} for i in range(count)], last_seq=0, last_hash=GENESIS_HASH, key=KEY)


def _relinked(entries: list[dict], key: bytes) -> list[dict]:
    """What an attacker does after an edit: recompute every hash from there on (with `key`)."""
    fixed, previous = [], GENESIS_HASH
    for entry in entries:
        item = {**entry, "prev_hash": previous}
        item["hash"] = previous = entry_mac(item, key)
        fixed.append(item)
    return fixed


def test_the_keyed_chain_detects_each_of_the_nine_tamperings_and_names_the_entry():
    entries = _entries()
    head = (5, entries[-1]["hash"])
    assert verify(entries, KEY, anchors=[head]) == Verification(True, 5)
    edited = [dict(e) for e in entries]
    edited[2]["outcome"] = "DENY"
    deleted = entries[:1] + entries[2:]
    swapped = [entries[0], entries[2], entries[1], *entries[3:]]
    inserted = entries[:2] + [{**entries[1], "seq": 3}] + [{**e, "seq": e["seq"] + 1} for e in entries[2:]]
    forged_tail = entries + chain([{"at": "x", "action": "decision"}], last_seq=5, last_hash=entries[-1]["hash"],
                                  key=b"w" * 32)  # linked to the head, but without the audit key
    legacy_tail = [*entries, {"_id": 6, "seq": 6, "prev_hash": entries[-1]["hash"], "action": "x"}]
    legacy_tail[-1]["hash"] = legacy_hash(legacy_tail[-1])  # the former, unkeyed rule
    rewritten = [dict(e) for e in entries]
    rewritten[1]["outcome"] = "DENY"
    rewritten = _relinked(rewritten, b"w" * 32)
    extended = [dict(e) for e in entries]
    extended[3]["note"] = "injected text"
    cases = {"edit": (edited, 3), "delete": (deleted, 2), "swap": (swapped, 2), "insert": (inserted, 3),
             "forged tail": (forged_tail, 6), "unkeyed tail": (legacy_tail, 6), "rewrite": (rewritten, 1),
             "extra field": (extended, 4)}
    for name, (tampered, first) in cases.items():
        result = verify(tampered, KEY, anchors=[head])
        assert (result.valid, result.first_broken) == (False, first), name
    truncated = verify(entries[:3], KEY, anchors=[head], checkpoint_entries=5)
    assert (truncated.valid, truncated.missing_from, truncated.missing_to) == (False, 4, 5)
    assert truncated.first_broken == 4 and "missing" in (truncated.problem or "")
    assert verify([], KEY, anchors=[head]).missing_to == 5  # everything deleted
    # a chain rebuilt with the right key after a truncation still differs from the anchor's head
    regrown = entries[:3] + chain([{"at": "y", "action": "decision"}] * 2, last_seq=3,
                                  last_hash=entries[2]["hash"], key=KEY)
    assert (verify(regrown, KEY, anchors=[head]).valid, verify(regrown, KEY, anchors=[head]).first_broken) == (
        False, 5)


def test_entries_before_the_chain_was_keyed_stay_verifiable_as_a_prefix():
    legacy, previous = [], GENESIS_HASH
    for seq in (1, 2):
        entry = {"_id": seq, "seq": seq, "prev_hash": previous, "at": "t", "action": "decision", "outcome": "x",
                 "actor": {}, "person_pseudonym": None, "categories": [], "purpose": None, "procuration_id": None,
                 "details": {}}
        entry["hash"] = previous = legacy_hash(entry)
        legacy.append(entry)
    keyed = chain([{"at": "u", "action": "audit.chain_keyed"}], last_seq=2, last_hash=previous, key=KEY)
    assert verify(legacy + keyed, KEY).valid
    legacy[0]["outcome"] = "edited"
    assert verify(legacy + keyed, KEY).first_broken == 1


def test_a_checkpoint_is_authentic_only_under_the_audit_key():
    checkpoint = Checkpoint(5, "ab" * 32, "2026-01-01T00:00:00+00:00").signed(KEY)
    assert checkpoint.is_authentic(KEY)
    assert not Checkpoint(6, checkpoint.head_hash, checkpoint.at, checkpoint.signature).is_authentic(KEY)
    assert not checkpoint.is_authentic(b"w" * 32)


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
