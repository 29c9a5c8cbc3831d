"""Data keys in the store, only ever wrapped by the master key; erased persons as tombstones."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cii_platform.messaging.outbox import new_document_outbox
from cii_platform.messaging.reliable import insert_many_new
from cii_platform.store import Document


class MongoKeyStore:
    def __init__(self, keys: AsyncCollection[Document], erased: AsyncCollection[Document]) -> None:
        self.keys = keys
        self.erased = erased
        # Erasure is final and only this process (one replica) erases: the set of erased persons is
        # loaded at start and kept here, so decisions (a hot path) never ask the store.
        self._known_erased: set[str] = set()

    async def ensure_indexes(self) -> None:
        await self.keys.create_index([("person_pseudonym", ASCENDING)])
        self._known_erased |= {document["_id"] async for document in self.erased.find({}, {"_id": 1})}

    async def get(self, key_id: str) -> Document | None:
        return await self.keys.find_one({"_id": key_id})

    async def create(self, document: Document) -> bool:
        """False when another caller created the same key first (theirs wins)."""
        try:
            await self.keys.insert_one(document)
            return True
        except DuplicateKeyError:
            return False

    async def get_many(self, key_ids: list[str]) -> dict[str, Document]:
        if not key_ids:
            return {}
        return {document["_id"]: document async for document in self.keys.find({"_id": {"$in": key_ids}})}

    async def create_many(self, documents: list[Document]) -> set[str]:
        """The keys written; those another caller created first are skipped (theirs win)."""
        return await insert_many_new(self.keys, documents)

    async def rewrap(self, key_id: str, old_wrapped: str, new_wrapped: str, fingerprint: str) -> bool:
        result = await self.keys.update_one({"_id": key_id, "wrapped": old_wrapped},
                                            {"$set": {"wrapped": new_wrapped, "master_fingerprint": fingerprint}})
        return result.modified_count == 1

    def all_keys(self) -> AsyncIterator[Document]:
        return self.keys.find({})

    async def has_keys(self, person_pseudonym: str) -> bool:
        return await self.keys.find_one({"person_pseudonym": person_pseudonym}, {"_id": 1}) is not None

    async def destroy_person(self, person_pseudonym: str) -> int:
        result = await self.keys.delete_many({"person_pseudonym": person_pseudonym})
        return result.deleted_count

    async def erasure(self, person_pseudonym: str) -> Document | None:
        return await self.erased.find_one({"_id": person_pseudonym}, {"outbox": 0})

    async def record_erasure(self, person_pseudonym: str, erased_at: datetime, erased_by: dict[str, Any],
                             events: list[dict[str, Any]]) -> bool:
        """The tombstone and its PersonErased event in one insert; False if the person was already erased."""
        self._known_erased.add(person_pseudonym)  # before the write: no key is issued from now on
        try:
            await self.erased.insert_one({"_id": person_pseudonym, "erased_at": erased_at,
                                          "erased_by": erased_by, **new_document_outbox(events)})
            return True
        except DuplicateKeyError:
            return False

    async def is_erased(self, person_pseudonym: str) -> bool:
        return person_pseudonym in self._known_erased
