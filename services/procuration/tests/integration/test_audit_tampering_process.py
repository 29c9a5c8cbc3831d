"""Issue 12, finding 4, through the running process: each of the nine tamperings of the audit log in the
store is detected by GET /api/v1/audit/verify, which names the first bad entry or the missing tail; the
head is anchored by signed checkpoints on Kafka, which survive a restart of the service."""

import asyncio
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from pymongo import ASCENDING, MongoClient

from procuration.testing import ask_decision, bureau_headers, new_avs, procuration_payload, record_procuration

pytestmark = pytest.mark.integration
Entries = list[dict[str, Any]]


def _verify(platform) -> dict[str, Any]:
    with platform.client("procuration") as http:
        response = http.get("/api/v1/audit/verify", headers=bureau_headers(platform, "secretariat"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def _settled(platform, timeout: float = 30.0) -> dict[str, Any]:
    """The chain once its latest checkpoint is on Kafka (published a moment after the appends)."""
    deadline = time.monotonic() + timeout
    while True:
        result = _verify(platform)
        if result["valid"] and result.get("checkpoint_entries") == result["entries"]:
            return result
        assert time.monotonic() < deadline, result
        time.sleep(0.3)


def _sha(entry: dict[str, Any]) -> str:
    """What an attacker without the key can compute: a plain hash of the content."""
    content = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _relink(entries: Entries, start: int) -> Entries:
    for index in range(start, len(entries)):
        if index:
            entries[index]["prev_hash"] = entries[index - 1]["hash"]
        entries[index]["hash"] = _sha(entries[index])
    return entries


def _edit(e: Entries) -> Entries:
    e[-3]["outcome"] = "NOTHING_HAPPENED"
    return e


def _delete_middle(e: Entries) -> Entries:
    return e[:-3] + e[-2:]


def _swap(e: Entries) -> Entries:
    a, b = dict(e[-3]), dict(e[-2])
    e[-3] = {**b, "_id": a["_id"], "seq": a["seq"]}
    e[-2] = {**a, "_id": b["_id"], "seq": b["seq"]}
    return e


def _insert(e: Entries) -> Entries:
    copy = dict(e[-3])  # a valid entry for its place, followed by the shifted originals
    tail = [{**x, "_id": x["_id"] + 1, "seq": x["seq"] + 1} for x in e[-3:]]
    return [*e[:-3], copy, *tail]


def _delete_tail(e: Entries) -> Entries:
    return e[:-2]


def _forged_append(e: Entries) -> Entries:
    last = e[-1]
    forged = {**last, "_id": last["_id"] + 1, "seq": last["seq"] + 1, "prev_hash": last["hash"],
              "action": "key.release", "outcome": "RELEASED"}
    forged["hash"] = _sha(forged)
    return [*e, forged]


def _rewrite(e: Entries) -> Entries:
    e[-3]["outcome"] = "REWRITTEN"
    return _relink(e, len(e) - 3)


def _extra_field(e: Entries) -> Entries:
    e[-3]["note"] = "INJECTED-TEXT"
    return e


TAMPERINGS: list[tuple[str, Callable[[Entries], Entries], Callable[[int], dict[str, Any]]]] = [
    ("edit", _edit, lambda n: {"first_broken": n - 2}),
    ("delete in the middle", _delete_middle, lambda n: {"first_broken": n - 2}),
    ("swap", _swap, lambda n: {"first_broken": n - 2}),
    ("insert", _insert, lambda n: {"first_broken": n - 1}),
    ("delete the last entries", _delete_tail, lambda n: {"first_broken": n - 1, "missing_from": n - 1,
                                                          "missing_to": n}),
    ("append a forged, linked entry", _forged_append, lambda n: {"first_broken": n + 1}),
    ("edit and recompute every later hash", _rewrite, lambda n: {"first_broken": n - 2}),
    ("add a field outside the hashed part", _extra_field, lambda n: {"first_broken": n - 2}),
]


def _replace(collection, entries: Entries) -> None:
    collection.delete_many({})
    collection.insert_many(entries)


def _prepare(platform) -> str:
    avs = new_avs()
    record_procuration(platform, procuration_payload(avs, parties=["ORP"], categories=["SOCIAL"], purposes=["TRO"]))
    for _ in range(3):
        ask_decision(platform, "ORP", avs, "SOCIAL", "TRO")
    return avs


def test_each_tampering_of_the_stored_chain_is_detected_and_named(procuration_platform):
    platform = procuration_platform
    _prepare(platform)
    settled = _settled(platform)
    count = settled["entries"]
    with MongoClient(platform.infra.mongodb_url) as client:
        audit = client["cii_procuration"]["audit_log"]
        original = list(audit.find({}).sort("_id", ASCENDING))
        assert len(original) == count
        found = {}
        for name, tamper, expected in TAMPERINGS:
            _replace(audit, tamper([dict(e) for e in original]))
            try:
                result = _verify(platform)
            finally:
                _replace(audit, original)
            found[name] = result
            assert result["valid"] is False, (name, result)
            assert {k: result.get(k) for k in expected(count)} == expected(count), (name, result)
            assert result["problem"], name
    assert _verify(platform)["valid"] is True
    assert "INJECTED-TEXT" not in json.dumps(found)


async def test_a_tail_deleted_while_the_service_is_down_is_caught_by_the_checkpoint_on_kafka(procuration_platform):
    platform = procuration_platform
    _prepare(platform)
    count = _settled(platform)["entries"]
    platform.services["procuration"].stop()
    with MongoClient(platform.infra.mongodb_url) as client:
        audit = client["cii_procuration"]["audit_log"]
        removed = list(audit.find({"_id": {"$gt": count - 2}}).sort("_id", ASCENDING))
        audit.delete_many({"_id": {"$gt": count - 2}})
        try:
            await asyncio.to_thread(platform.start_service, "procuration")
            after_restart = _verify(platform)  # the process holds no anchor of its own any more
        finally:
            audit.delete_many({"_id": {"$gt": count - 2}})
            audit.insert_many(removed)
    assert after_restart["valid"] is False, after_restart
    assert after_restart["checkpoint_entries"] == count  # the anchor from before the stop, never replaced
    assert (after_restart["first_broken"], after_restart["missing_from"], after_restart["missing_to"]) == (
        count - 1, count - 1, count)
    restored = _verify(platform)
    assert restored["valid"] is True and restored["entries"] == count

