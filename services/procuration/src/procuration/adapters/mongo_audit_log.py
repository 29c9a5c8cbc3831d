"""The append-only audit log in the store, with group commit, keyed chain and outside anchors.

Appends are serialised by the chain itself: `_id` is the sequence number (unique), so two writers can
never both append entry n. Within the process, concurrent appends are batched into one `insert_many`
(group commit): the caller gets its answer only once its entry is durable, at 500 decisions per second.
After each batch the new head is handed to `on_head` (the checkpoint publisher), which never delays it.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from cii_platform.store import Document

from ..domain.audit_chain import GENESIS_HASH, KEYED, Verification, chain, verify

HeadListener = Callable[[int, str], None]
REPORTED_FIELDS = ("seq", "at", "actor", "action", "person_pseudonym", "categories", "purpose", "procuration_id",
                   "outcome", "details", "prev_hash", "hash")

Pending = tuple[dict[str, Any], asyncio.Future[int]]
BATCH_WINDOW_SECONDS = 0.01
log = logging.getLogger(__name__)


def _log_failure(future: asyncio.Future[int]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("audit entry could not be written: %r", future.exception())


class MongoAuditLog:
    def __init__(self, collection: AsyncCollection[Document], key: bytes) -> None:
        self._collection = collection
        self._key = key
        self.on_head: HeadListener | None = None
        # The latest published checkpoint, as (count, head, checkpoint entries); read at verification.
        self.latest_checkpoint: Callable[[], Awaitable[tuple[int, str] | None]] | None = None
        self._written_head: tuple[int, str] | None = None  # the highest entry this process stored
        self.on_verified: Callable[[], None] | None = None  # the chain holds against its anchors
        self._pending: list[Pending] = []
        self._flushing = False
        self._tail: tuple[int, str] | None = None
        self._flush_task: asyncio.Task[None] | None = None

    async def ensure_indexes(self) -> None:
        await self._collection.create_index([("person_pseudonym", ASCENDING), ("seq", ASCENDING)])

    async def append(self, entry: dict[str, Any], *, durable: bool = True) -> int:
        """Append one entry (without seq/hash); return its sequence number once stored, or at once
        (0) when not `durable`: the entry is then written by the group commit a few ms later."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, future))
        if not self._flushing:
            self._flushing = True
            # Entries nobody waits for gather for a few ms: one insert for many decisions under load.
            self._flush_task = asyncio.create_task(self._flush(0.0 if durable else BATCH_WINDOW_SECONDS))
        if durable:
            return await future
        future.add_done_callback(_log_failure)
        return 0

    async def _flush(self, window: float) -> None:
        try:
            if window:
                await asyncio.sleep(window)
            while self._pending:
                batch, self._pending = self._pending, []
                await self._write(batch)
        finally:
            self._flushing = False

    async def drain(self) -> None:
        """At shutdown: wait for the entries still in the group commit."""
        while self._flushing and self._flush_task is not None:
            await asyncio.shield(self._flush_task)

    async def _write(self, batch: list[Pending]) -> None:
        remaining = batch
        try:
            for _ in range(20):  # another writer appended meanwhile: re-read the tail and re-link
                written = await self._insert_linked([entry for entry, _ in remaining])
                for (_, future), seq in zip(remaining[:len(written)], written, strict=True):
                    future.set_result(seq)
                remaining = remaining[len(written):]
                if not remaining:
                    return
            raise RuntimeError("audit log contention: could not append after 20 attempts")
        except Exception as exc:
            for _, future in remaining:
                if not future.done():
                    future.set_exception(exc)

    async def _insert_linked(self, entries: list[dict[str, Any]]) -> list[int]:
        last_seq, last_hash = self._tail or await self._read_tail()
        documents = chain(entries, last_seq=last_seq, last_hash=last_hash, key=self._key)
        try:
            await self._collection.insert_many(documents, ordered=True)
        except BulkWriteError as exc:
            inserted = int(exc.details.get("nInserted", 0))
            self._tail = None
            if inserted:
                self._new_head(documents[inserted - 1])
            return [item["seq"] for item in documents[:inserted]]
        self._tail = (documents[-1]["seq"], documents[-1]["hash"])
        self._new_head(documents[-1])
        return [item["seq"] for item in documents]

    def _new_head(self, document: dict[str, Any]) -> None:
        head = (int(document["seq"]), str(document["hash"]))
        if self._written_head is None or head[0] > self._written_head[0]:
            self._written_head = head
            if self.on_head is not None:
                self.on_head(*head)

    async def stored_hash(self, seq: int) -> str | None:
        entry = await self._collection.find_one({"_id": seq}, {"hash": 1})
        return str(entry["hash"]) if entry else None

    async def tail_is_keyed(self) -> bool:
        """False when the last entry predates the keyed chain (the start-up migration then keys it)."""
        last = await self._collection.find_one({}, sort=[("_id", DESCENDING)])
        return last is None or last.get("v") == KEYED

    async def head(self) -> tuple[int, str]:
        """The stored chain's length and last hash (the checkpoint publisher's start)."""
        return await self._read_tail()

    async def _read_tail(self) -> tuple[int, str]:
        last = await self._collection.find_one({}, sort=[("_id", DESCENDING)])
        return (int(last["seq"]), str(last["hash"])) if last else (0, GENESIS_HASH)

    async def verify(self) -> Verification:
        anchors: list[tuple[int, str]] = []
        checkpoint = await self.latest_checkpoint() if self.latest_checkpoint is not None else None
        if checkpoint is not None:
            anchors.append(checkpoint)
        if self._written_head is not None:
            anchors.append(self._written_head)
        entries = [entry async for entry in self._collection.find({}).sort("_id", ASCENDING)]
        result = verify(entries, self._key, anchors=anchors,
                        checkpoint_entries=checkpoint[0] if checkpoint else None)
        if result.valid and self.on_verified is not None:
            self.on_verified()
        return result

    async def for_person(self, person_pseudonym: str) -> AsyncIterator[dict[str, Any]]:
        # Only the fields an entry has: a field added in the store never reaches the access report.
        cursor = self._collection.find({"person_pseudonym": person_pseudonym},
                                       dict.fromkeys(REPORTED_FIELDS, 1) | {"_id": 0}).sort("_id", ASCENDING)
        async for entry in cursor:
            yield entry
