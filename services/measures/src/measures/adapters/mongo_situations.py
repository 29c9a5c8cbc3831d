"""The projection of the signalement service's situations, and their closure by this service.

Idempotent: a SituationRecorded applies only if its version is newer than the stored one; status
changes are plain `$set` of the event's status (the topic keeps one situation's events in order).
The closure and its SituationClosed event are written in one update of the situation's document.
"""

from datetime import date
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.messaging.outbox import OUTBOX, PENDING, with_outbox
from cii_platform.store import Document, is_duplicate_key

from ..domain.situation import Situation

Entries = list[dict[str, Any]]
# Fields owned by this service, never overwritten by a re-announcement.
LOCAL_FIELDS = ("closed", "closed_on", "closure_outcome", "closure_reason", "followed_since", "reviews",
                OUTBOX, PENDING)


def _from_document(document: Document) -> Situation:
    fields = {k: v for k, v in document.items() if k not in ("_id", OUTBOX, PENDING)}
    return Situation.model_validate({**fields, "id": document["_id"]})


class MongoSituationRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index("person_pseudonym")

    async def get(self, situation_id: str) -> Situation | None:
        document = await self.collection.find_one({"_id": situation_id}, {OUTBOX: 0})
        return _from_document(document) if document else None

    async def record(self, situation: Situation) -> None:
        fields = situation.model_dump(mode="json", exclude={"id", *LOCAL_FIELDS})
        try:
            await self.collection.update_one(
                {"_id": situation.id, "version": {"$lt": situation.version}},
                {"$set": fields}, upsert=True)
        except Exception as exc:
            if not is_duplicate_key(exc):  # an equal or newer version is already applied
                raise

    async def set_status(self, situation_id: str, status: str, triage_decision: str | None = None,
                         triaged_on: date | None = None) -> None:
        fields: dict[str, Any] = {"status": status}
        if triage_decision:
            fields["triage_decision"] = triage_decision
        if triaged_on:
            fields["followed_since"] = triaged_on.isoformat()
        await self.collection.update_one({"_id": situation_id}, {"$set": fields})

    async def open_of_person(self, person_pseudonym: str) -> list[Situation]:
        cursor = self.collection.find({"person_pseudonym": person_pseudonym, "closed": {"$ne": True}},
                                      {OUTBOX: 0})
        return [s async for s in (_from_document(d) async for d in cursor) if not s.rejected]

    async def followed_as_complex(self) -> list[Situation]:
        cursor = self.collection.find({"closed": {"$ne": True}, "$or": [
            {"triage_decision": "ACCEPT_COMPLEX"}, {"situation_type": "COMPLEX", "status": "OPEN"}]}, {OUTBOX: 0})
        return [s async for s in (_from_document(d) async for d in cursor) if s.followed_as_complex]

    async def add_review(self, situation_id: str, reviewed_on: date, entries: Entries) -> bool:
        updated = await self.collection.find_one_and_update(
            {"_id": situation_id, "closed": {"$ne": True}},
            with_outbox({"$push": {"reviews": reviewed_on.isoformat()}}, entries),
            return_document=ReturnDocument.AFTER)
        return updated is not None

    async def close(self, situation_id: str, closed_on: date, entries: Entries, *, outcome: str | None = None,
                    reason: str | None = None) -> bool:
        """True only for the call that closed it (the event is written once)."""
        fields = {"closed": True, "closed_on": closed_on.isoformat(), "closure_outcome": outcome,
                  "closure_reason": reason}
        updated = await self.collection.find_one_and_update(
            {"_id": situation_id, "closed": {"$ne": True}},
            with_outbox({"$set": fields}, entries),
            return_document=ReturnDocument.AFTER)
        return updated is not None
