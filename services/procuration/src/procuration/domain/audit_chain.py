"""The audit log's keyed hash chain, and its anchors outside the store.

Each entry's `hash` is an HMAC-SHA256, under the audit key (a secret file, never in the store), of the
WHOLE stored entry but the `hash` itself (`_id`, `seq`, `prev_hash` included): editing, removing,
reordering or inserting an entry, adding a field to it, or forging one, breaks the chain, and nobody
without the key can recompute it. What a chain cannot show by itself, its last entries deleted, is
caught by the checkpoints: signed (count, head hash) pairs published outside the store (Kafka), and the
tail the running process wrote last.

Entries written before the chain was keyed (no `v`) keep their former unkeyed SHA-256 and may only be a
prefix: the first keyed entry pins their head in its MAC.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64
KEYED = 2  # the `v` of keyed entries
# The fields of the former, unkeyed hash.
LEGACY_FIELDS = ("seq", "prev_hash", "at", "actor", "action", "person_pseudonym", "categories", "purpose",
                 "procuration_id", "outcome", "details")


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str).encode()


def legacy_hash(entry: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical({name: entry.get(name) for name in LEGACY_FIELDS})).hexdigest()


def entry_mac(entry: dict[str, Any], key: bytes) -> str:
    """Over every stored field but `hash` (the document's `_id` is the sequence number)."""
    content = {name: value for name, value in entry.items() if name != "hash"}
    content.setdefault("_id", entry.get("seq"))
    return hmac.new(key, b"cii-audit-entry|" + _canonical(content), hashlib.sha256).hexdigest()


def chain(entries: list[dict[str, Any]], *, last_seq: int, last_hash: str, key: bytes) -> list[dict[str, Any]]:
    """Number, link and seal new entries after (last_seq, last_hash): the documents to store."""
    linked = []
    for offset, entry in enumerate(entries, start=1):
        seq = last_seq + offset
        item = {"_id": seq, **entry, "v": KEYED, "seq": seq, "prev_hash": last_hash}
        item["hash"] = last_hash = entry_mac(item, key)
        linked.append(item)
    return linked


@dataclass(frozen=True)
class Checkpoint:
    """The chain's length and head, signed: published outside the store after appends."""

    entries: int
    head_hash: str
    at: str
    signature: str = ""

    def signed(self, key: bytes) -> "Checkpoint":
        return Checkpoint(self.entries, self.head_hash, self.at, self._signature(key))

    def _signature(self, key: bytes) -> str:
        message = f"cii-audit-checkpoint|{self.entries}|{self.head_hash}|{self.at}".encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def is_authentic(self, key: bytes) -> bool:
        return hmac.compare_digest(self.signature, self._signature(key))


@dataclass(frozen=True)
class Verification:
    valid: bool
    entries: int
    first_broken: int | None = None
    problem: str | None = None
    missing_from: int | None = None  # the deleted tail, when the anchors count more entries than stored
    missing_to: int | None = None
    checkpoint_entries: int | None = None  # the latest authentic checkpoint the store was checked against


def _entry_problem(entry: dict[str, Any], expected_seq: int, previous_hash: str, keyed_seen: bool,
                   key: bytes) -> str | None:
    seq = entry.get("seq")
    if seq != expected_seq or entry.get("_id", seq) != seq:
        return f"sequence number {seq} where {expected_seq} was expected (an entry is missing or inserted)"
    if entry.get("prev_hash") != previous_hash:
        return "prev_hash does not match the previous entry"
    if entry.get("v") == KEYED:
        if not hmac.compare_digest(str(entry.get("hash")), entry_mac(entry, key)):
            return "the entry's MAC does not match its content (edited, extended or forged)"
        return None
    if keyed_seen:
        return "an unkeyed entry after the keyed chain began (forged)"
    if entry.get("hash") != legacy_hash(entry) or set(entry) - {*LEGACY_FIELDS, "_id", "hash"}:
        return "hash does not match the entry's content (edited)"
    return None


def verify(entries: Iterable[dict[str, Any]], key: bytes, *,
           anchors: Iterable[tuple[int, str]] = (), checkpoint_entries: int | None = None) -> Verification:
    """`entries` in sequence order; `anchors` are (count, head hash) pairs known outside the store (the
    latest checkpoint, the tail this process wrote). Names the first bad entry, or the missing tail."""
    previous_hash, expected_seq, count, keyed_seen = GENESIS_HASH, 1, 0, False
    heads: dict[int, str] = {}
    wanted = {count_: head for count_, head in anchors if count_ > 0}
    for entry in entries:
        count += 1
        problem = _entry_problem(entry, expected_seq, previous_hash, keyed_seen, key)
        if problem:
            return Verification(False, count, expected_seq, problem, checkpoint_entries=checkpoint_entries)
        keyed_seen |= entry.get("v") == KEYED
        previous_hash, expected_seq = str(entry["hash"]), expected_seq + 1
        if count in wanted:
            heads[count] = previous_hash
    for anchored, head in sorted(wanted.items()):
        if anchored > count:
            return Verification(False, count, count + 1,
                                f"entries {count + 1} to {anchored} are missing: the chain outside the store "
                                f"counts {anchored} entries (deleted tail)", missing_from=count + 1,
                                missing_to=anchored, checkpoint_entries=checkpoint_entries)
        if heads.get(anchored) != head:
            return Verification(False, count, anchored, f"entry {anchored} is not the one anchored outside the "
                                "store (the chain was rewritten)", checkpoint_entries=checkpoint_entries)
    return Verification(True, count, checkpoint_entries=checkpoint_entries)
