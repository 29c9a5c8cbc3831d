"""Which persons have an open situation (fed by the signalement and measures events)."""

import contextlib
from datetime import date

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cii_platform.store import Document

# Statuses after which a situation no longer needs a procuration watched (signalement's state machine).
CLOSED_STATUSES = frozenset({"CLOSED", "REJECTED"})


class MongoSituationRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("person_pseudonym", ASCENDING)])
        await self.collection.create_index([("open", ASCENDING)])

    async def record(self, situation_id: str, person_pseudonym: str, status: str, on: date) -> None:
        await self.collection.update_one({"_id": situation_id}, {"$set": {"person_pseudonym": person_pseudonym}},
                                         upsert=True)
        await self.set_status(situation_id, status, on)

    async def set_status(self, situation_id: str, status: str, on: date) -> None:
        if status in CLOSED_STATUSES:
            await self.collection.update_one({"_id": situation_id},
                                             {"$set": {"open": False, "closed_on": on.isoformat()}}, upsert=True)
            return
        # A closed situation stays closed, even when an older status event arrives late.
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.update_one({"_id": situation_id, "open": {"$ne": False}},
                                             {"$set": {"open": True}}, upsert=True)

    async def knows_person(self, person_pseudonym: str) -> bool:
        return await self.collection.find_one({"person_pseudonym": person_pseudonym}, {"_id": 1}) is not None

    async def persons_with_open_situations(self) -> set[str]:
        cursor = self.collection.find({"open": True, "person_pseudonym": {"$exists": True}},
                                      {"person_pseudonym": 1})
        return {document["person_pseudonym"] async for document in cursor}

    async def persons_closed_before(self, cutoff: date) -> list[str]:
        """Persons whose situations are all closed, the last one before `cutoff` (retention)."""
        latest: dict[str, str | None] = {}
        async for document in self.collection.find({"person_pseudonym": {"$exists": True}}):
            person = document["person_pseudonym"]
            closed_on = None if document.get("open", True) else document.get("closed_on")
            if person in latest and latest[person] is None:
                continue
            latest[person] = None if closed_on is None else max(closed_on, latest.get(person) or "")
        return [person for person, last in latest.items() if last is not None and last < cutoff.isoformat()]
