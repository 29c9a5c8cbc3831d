"""The audit log's hash chain: each entry's hash covers its content and the previous entry's hash,
so editing, removing or reordering any entry breaks every link after it."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
# The fields covered by the hash (everything an entry says); the stored document adds `_id` = seq.
HASHED_FIELDS = ("seq", "prev_hash", "at", "actor", "action", "person_pseudonym", "categories", "purpose",
                 "procuration_id", "outcome", "details")


def entry_hash(entry: dict[str, Any]) -> str:
    content = {name: entry.get(name) for name in HASHED_FIELDS}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain(entries: list[dict[str, Any]], *, last_seq: int, last_hash: str) -> list[dict[str, Any]]:
    """Number and link new entries after (last_seq, last_hash)."""
    linked = []
    for offset, entry in enumerate(entries, start=1):
        item = {**entry, "seq": last_seq + offset, "prev_hash": last_hash}
        item["hash"] = last_hash = entry_hash(item)
        linked.append(item)
    return linked


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    first_broken: int | None = None
    problem: str | None = None


def verify(entries: Iterable[dict[str, Any]]) -> Verification:
    """`entries` in sequence order; reports the first entry whose number, link or hash does not hold."""
    previous_hash, expected_seq, count = GENESIS_HASH, 1, 0
    for entry in entries:
        count += 1
        seq = entry.get("seq")
        problem = None
        if seq != expected_seq:
            problem = f"sequence number {seq} where {expected_seq} was expected (an entry is missing)"
        elif entry.get("prev_hash") != previous_hash:
            problem = "prev_hash does not match the previous entry"
        elif entry.get("hash") != entry_hash(entry):
            problem = "hash does not match the entry's content (edited)"
        if problem:
            return Verification(False, count, expected_seq if seq != expected_seq else seq, problem)
        previous_hash, expected_seq = entry["hash"], expected_seq + 1
    return Verification(True, count)
