"""Deliveries, preferences and projections in the store (FerretDB v1 locally, MongoDB in production).

The delivery's `_id` is derived from (event, person): the unique index every store has is what makes
a redelivered event's insert a no-op.
"""

import contextlib
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cii_platform.store import Document, insert_new

from ..domain.people import Preferences
from ..service_layer.notify import MAIL_DIGEST, MAIL_IN_DIGEST, MAIL_PENDING, MAIL_SENT

DELIVERIES = "deliveries"
PREFERENCES = "preferences"
SITUATIONS = "situations"
SCHEDULES = "schedules"
INBOX_FIELDS = {"_id": 1, "kind": 1, "reference": 1, "situation_id": 1, "created_at": 1, "read_at": 1}


class MongoDeliveries:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index([("username", ASCENDING), ("created_at", DESCENDING)])
        await self.collection.create_index([("mail", ASCENDING), ("next_attempt_at", ASCENDING)])
        await self.collection.create_index("digest_id")

    async def add(self, document: Document) -> bool:
        return await insert_new(self.collection, document)

    async def exists(self, delivery_id: str) -> bool:
        return await self.collection.find_one({"_id": delivery_id}, {"_id": 1}) is not None

    async def due_mails(self, now: datetime, limit: int) -> list[Document]:
        cursor = self.collection.find({"mail": MAIL_PENDING, "next_attempt_at": {"$lte": now}})
        return await cursor.sort("next_attempt_at", ASCENDING).limit(limit).to_list()

    async def mark_sent(self, delivery_id: str, at: datetime) -> None:
        await self.collection.update_one({"_id": delivery_id}, {"$set": {"mail": MAIL_SENT, "sent_at": at}})

    async def postpone(self, delivery_id: str, attempts: int, next_attempt_at: datetime, error: str) -> None:
        await self.collection.update_one({"_id": delivery_id}, {"$set": {
            "attempts": attempts, "next_attempt_at": next_attempt_at, "last_error": error}})

    async def inbox(self, username: str, *, unread_only: bool, offset: int, limit: int
                    ) -> tuple[list[Document], int]:
        query: Document = {"username": username, "inbox": {"$ne": False}}
        if unread_only:
            query["read_at"] = None
        total = await self.collection.count_documents(query)
        cursor = self.collection.find(query, INBOX_FIELDS).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.skip(offset).limit(limit).to_list(), total

    async def mark_read(self, username: str, delivery_id: str, at: datetime) -> bool:
        found = await self.collection.find_one({"_id": delivery_id, "username": username, "inbox": {"$ne": False}},
                                               {"read_at": 1})
        if found is None:
            return False
        if found.get("read_at") is None:
            await self.collection.update_one({"_id": delivery_id}, {"$set": {"read_at": at}})
        return True

    async def claim_for_digest(self, username: str, digest_id: str) -> list[Document]:
        await self.collection.update_many({"username": username, "mail": MAIL_DIGEST},
                                          {"$set": {"mail": MAIL_IN_DIGEST, "digest_id": digest_id}})
        return await self.collection.find({"digest_id": digest_id}).sort("created_at", ASCENDING).to_list()

    async def digest_pending_people(self) -> list[str]:
        found = await self.collection.find({"mail": MAIL_DIGEST}, {"username": 1}).to_list()
        return sorted({d["username"] for d in found})


class MongoPreferences:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def get(self, username: str) -> Preferences:
        found = await self.collection.find_one({"_id": username})
        return Preferences(found.get("language"), bool(found.get("digest"))) if found else Preferences()

    async def put(self, username: str, preferences: Preferences) -> None:
        await self.collection.replace_one({"_id": username}, {"_id": username, "language": preferences.language,
                                                              "digest": preferences.digest}, upsert=True)


class MongoProjections:
    def __init__(self, situations: AsyncCollection[Document], schedules: AsyncCollection[Document]) -> None:
        self.situations = situations
        self.schedules = schedules

    async def create_indexes(self) -> None:
        await self.situations.create_index("person_pseudonym")

    async def situation(self, situation_id: str) -> Document | None:
        return await self.situations.find_one({"_id": situation_id})

    async def situation_of_person(self, person_pseudonym: str) -> Document | None:
        return await self.situations.find_one({"person_pseudonym": person_pseudonym},
                                              sort=[("announced_on", -1), ("_id", -1)])

    async def save_situation(self, situation_id: str, fields: Document) -> None:
        await self.situations.update_one({"_id": situation_id}, {"$set": fields}, upsert=True)

    async def schedule(self, measure_id: str) -> Document | None:
        return await self.schedules.find_one({"_id": measure_id})

    async def save_schedule(self, measure_id: str, event_key: str, fields: Document) -> None:
        # Applied already: the upsert of the guarded filter collides with the existing document.
        with contextlib.suppress(DuplicateKeyError):
            await self.schedules.update_one({"_id": measure_id, "applied": {"$ne": event_key}},
                                            {"$set": fields, "$push": {"applied": event_key}}, upsert=True)
