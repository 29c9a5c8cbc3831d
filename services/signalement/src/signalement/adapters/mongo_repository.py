"""Situations, transitions and the read log in the MongoDB-compatible store (FerretDB v1 locally).

Each state change and its events are one single-document update (no transactions in FerretDB v1),
serialized with the outbox relay's writes (ServiceRuntime.collection); `applied_events` guards every update
so a redelivered event changes nothing.
"""

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from cii_platform.messaging.outbox import OUTBOX, PENDING, with_outbox
from cii_platform.messaging.reliable import insert_many_new
from cii_platform.store import Document, StoreProfile, insert_new

from ..domain.status import STATUS_CLOSED

SITUATIONS = "situations"
TRANSITIONS = "transitions"
READ_LOG = "read_log"
LIST_PROJECTION = {OUTBOX: 0, "versions": 0, "applied_events": 0}


class MongoSituationRepository:
    def __init__(self, collection: AsyncCollection[Document], profile: StoreProfile | None = None) -> None:
        """`collection`: the runtime's serialized `situations` collection (shared with the outbox relay);
        `profile`: the store's, detected at start (FerretDB's workarounds until then)."""
        self.collection = collection
        self._profile = profile or StoreProfile()

    @property
    def read_back_writes(self) -> bool:
        return self._profile.read_back_writes

    async def existing_ids(self, situation_ids: list[str]) -> set[str]:
        if not situation_ids:
            return set()
        return {d["_id"] async for d in self.collection.find({"_id": {"$in": situation_ids}}, {"_id": 1})}

    async def insert_many(self, documents: list[Document]) -> set[str]:
        return await insert_many_new(self.collection, documents)

    async def applied(self, events: dict[str, str]) -> set[str]:
        if not events:
            return set()
        cursor = self.collection.find({"_id": {"$in": sorted(events)}}, {"applied_events": 1})
        return {d["_id"] async for d in cursor if events[d["_id"]] in d.get("applied_events", [])}

    async def open_situations_of_many(self, person_pseudonyms: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        if not person_pseudonyms:
            return found
        cursor = self.collection.find({"person_pseudonym": {"$in": person_pseudonyms},
                                       "status": {"$ne": STATUS_CLOSED}}, {"_id": 1, "person_pseudonym": 1})
        async for document in cursor:
            found.setdefault(document["person_pseudonym"], []).append(document["_id"])
        return found

    async def create_indexes(self) -> None:
        for field in ("person_pseudonym", "status", "region", "announced_on", "recorded_by", "co_following",
                      PENDING):
            await self.collection.create_index(field)

    async def get(self, situation_id: str) -> Document | None:
        return await self.collection.find_one({"_id": situation_id}, {OUTBOX: 0})

    async def insert(self, document: Document) -> bool:
        return await insert_new(self.collection, document)

    async def record_version(self, situation_id: str, *, expected_version: int, event_id: str,
                             fields: Document, version_entry: Document, outbox: list[Document]) -> bool:
        update = with_outbox({"$set": fields, "$push": {"versions": version_entry, "applied_events": event_id}},
                             outbox)
        result = await self.collection.update_one(
            {"_id": situation_id, "version": expected_version, "applied_events": {"$ne": event_id}}, update)
        return result.modified_count == 1

    async def change_status(self, situation_id: str, *, event_id: str, guard: Document, fields: Document,
                            outbox: list[Document]) -> Document | None:
        update = with_outbox({"$set": fields, "$push": {"applied_events": event_id}}, outbox)
        updated = await self.collection.find_one_and_update(  # FerretDB v1: no projection here
            {"_id": situation_id, "applied_events": {"$ne": event_id}, **guard}, update,
            return_document=ReturnDocument.AFTER)
        if updated is not None:
            updated.pop(OUTBOX, None)
        return updated

    async def open_situations_of(self, person_pseudonym: str, *, excluding: str) -> list[str]:
        cursor = self.collection.find({"person_pseudonym": person_pseudonym, "status": {"$ne": STATUS_CLOSED}},
                                      {"_id": 1})
        return sorted([d["_id"] async for d in cursor if d["_id"] != excluding])

    async def find(self, query: Document, *, offset: int, limit: int) -> list[Document]:
        cursor = self.collection.find(query, LIST_PROJECTION).sort(
            [("announced_on", DESCENDING), ("_id", ASCENDING)]).skip(offset).limit(limit)
        return [d async for d in cursor]

    async def count(self, query: Document) -> int:
        return await self.collection.count_documents(query)

    async def mark_erased(self, person_pseudonym: str) -> int:
        """The keys are gone, the sealed copies are unreadable: drop them and say so."""
        result = await self.collection.update_many(
            {"person_pseudonym": person_pseudonym, "erased": {"$ne": True}},
            {"$set": {"erased": True, "sealed": {}}})
        return result.modified_count


class MongoTransitionRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def insert(self, document: Document) -> bool:
        return await insert_new(self.collection, document)


class MongoReadLog:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = database[READ_LOG]

    async def create_indexes(self) -> None:
        await self.collection.create_index("situation_id")

    async def record(self, entry: Document) -> None:
        await self.collection.insert_one(dict(entry))

    async def of_situation(self, situation_id: str) -> list[dict[str, Any]]:
        return [d async for d in self.collection.find({"situation_id": situation_id}, {"_id": 0})]
