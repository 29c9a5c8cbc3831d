"""Procurations in the store: one document each, with its pending events (outbox) in the same document."""

from datetime import date
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.consent.model import Procuration, Status
from cii_platform.messaging.outbox import new_document_outbox, with_outbox
from cii_platform.store import Document


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def to_document(procuration: Procuration) -> Document:
    return {
        "_id": procuration.procuration_id, "person_pseudonym": procuration.person_pseudonym,
        "signed_on": procuration.signed_on.isoformat(), "valid_from": procuration.valid_from.isoformat(),
        "valid_until": procuration.valid_until.isoformat(), "parties": sorted(procuration.parties),
        "categories": sorted(procuration.categories), "purposes": sorted(procuration.purposes),
        "document_sha256": procuration.document_sha256, "recorded_by": procuration.recorded_by,
        "status": procuration.status.value, "revoked_on": None, "superseded_by": None, "superseded_on": None,
        "expiring_notified": False,
    }


def from_document(document: Document) -> Procuration:
    return Procuration(
        procuration_id=document["_id"], person_pseudonym=document["person_pseudonym"],
        signed_on=date.fromisoformat(document["signed_on"]), valid_from=date.fromisoformat(document["valid_from"]),
        valid_until=date.fromisoformat(document["valid_until"]), parties=frozenset(document["parties"]),
        categories=frozenset(document["categories"]), purposes=frozenset(document["purposes"]),
        document_sha256=document["document_sha256"], recorded_by=document["recorded_by"],
        status=Status(document["status"]), revoked_on=_day(document.get("revoked_on")),
        superseded_by=document.get("superseded_by"), superseded_on=_day(document.get("superseded_on")),
        expiring_notified=bool(document.get("expiring_notified")))


class MongoProcurationRepository:
    """Reads of a person's procurations (every decision) are served from memory: this process is the
    only writer (the procuration service runs as one replica), and every write here invalidates them.
    A generation counter stops a read that raced with a write from caching what it read before it."""

    def __init__(self, collection: AsyncCollection[Document], *, cache_limit: int = 100_000) -> None:
        self.collection = collection
        self._cache: dict[str, list[Procuration]] = {}
        self._generation = 0
        self._cache_limit = cache_limit

    def _invalidate(self, person_pseudonym: str | None = None) -> None:
        self._generation += 1
        if person_pseudonym is None:
            self._cache.clear()
        else:
            self._cache.pop(person_pseudonym, None)

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("person_pseudonym", ASCENDING)])
        await self.collection.create_index([("status", ASCENDING)])

    async def get(self, procuration_id: str) -> Procuration | None:
        document = await self.collection.find_one({"_id": procuration_id}, {"outbox": 0})
        return from_document(document) if document else None

    async def get_document(self, procuration_id: str) -> Document | None:
        return await self.collection.find_one({"_id": procuration_id}, {"outbox": 0})

    async def for_person(self, person_pseudonym: str) -> list[Procuration]:
        cached = self._cache.get(person_pseudonym)
        if cached is not None:
            return cached
        generation = self._generation
        cursor = self.collection.find({"person_pseudonym": person_pseudonym}, {"outbox": 0, "identity": 0})
        procurations = [from_document(document) async for document in cursor]
        if generation == self._generation:
            if len(self._cache) >= self._cache_limit:
                self._cache.clear()
            self._cache[person_pseudonym] = procurations
        return procurations

    async def active_for_persons(self, pseudonyms: list[str]) -> list[Procuration]:
        cursor = self.collection.find({"person_pseudonym": {"$in": pseudonyms}, "status": Status.ACTIVE.value},
                                      {"outbox": 0, "identity": 0})
        return [from_document(document) async for document in cursor]

    async def insert(self, procuration: Procuration, identity: Document | None,
                     events: list[dict[str, Any]]) -> None:
        self._invalidate(procuration.person_pseudonym)
        await self.collection.insert_one({**to_document(procuration), "identity": identity,
                                          **new_document_outbox(events)})
        self._invalidate(procuration.person_pseudonym)

    async def transition(self, procuration_id: str, expected: dict[str, Any], changes: dict[str, Any],
                         events: list[dict[str, Any]]) -> bool:
        """One atomic update of the state and its events, only if the document is still as `expected`."""
        self._invalidate()
        result = await self.collection.update_one({"_id": procuration_id, **expected},
                                                  with_outbox({"$set": changes}, events))
        self._invalidate()
        return result.modified_count == 1

    async def forget_identity(self, person_pseudonym: str) -> None:
        await self.collection.update_many({"person_pseudonym": person_pseudonym}, {"$set": {"identity": None}})
        self._invalidate(person_pseudonym)

    async def count(self, query: dict[str, Any]) -> int:
        return await self.collection.count_documents(query)
