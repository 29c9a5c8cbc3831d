"""Measures in the store: one document per measure, its pending events in the same document (outbox).

Every change is one `update_one` guarded by the version read, so a state change and its events are
written together or not at all, and two concurrent changes cannot both win.
"""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.messaging.outbox import OUTBOX, PENDING, new_document_outbox, with_outbox
from cii_platform.store import Document, insert_new

from ..domain.model import Measure, MeasureStatus

Entries = list[dict[str, Any]]


def _to_document(measure: Measure) -> Document:
    return measure.model_dump(mode="json", exclude={"id"})


def _from_document(document: Document) -> Measure:
    fields = {k: v for k, v in document.items() if k not in ("_id", OUTBOX, PENDING)}
    return Measure.model_validate({**fields, "id": document["_id"]})


class MongoMeasureRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index("situation_id")
        await self.collection.create_index([("type", 1), ("status", 1)])

    async def get(self, measure_id: str) -> Measure | None:
        document = await self.collection.find_one({"_id": measure_id})
        return _from_document(document) if document else None

    async def add(self, measure: Measure, entries: Entries) -> bool:
        """False when a measure with this id exists already (a follow-up created twice)."""
        measure.version = 1
        return await insert_new(self.collection, {"_id": measure.id, **_to_document(measure),
                                                  **new_document_outbox(entries)})

    async def save(self, measure: Measure, entries: Entries) -> bool:
        """False when someone changed the measure since it was read."""
        expected = measure.version
        measure.version = expected + 1
        result = await self.collection.update_one(
            {"_id": measure.id, "version": expected}, with_outbox({"$set": _to_document(measure)}, entries))
        if result.matched_count == 0:
            measure.version = expected
            return False
        return True

    async def of_situation(self, situation_id: str) -> list[Measure]:
        cursor = self.collection.find({"situation_id": situation_id}, {OUTBOX: 0})
        return [_from_document(d) async for d in cursor.sort("requested_on", 1)]

    async def running_case_managements(self) -> list[Measure]:
        cursor = self.collection.find({"type": "CASE_MANAGEMENT", "status": MeasureStatus.STARTED.value},
                                      {OUTBOX: 0})
        return [_from_document(d) async for d in cursor]

    async def with_variable_costs(self) -> list[Measure]:
        cursor = self.collection.find({"variable_cost": {"$ne": None}}, {OUTBOX: 0})
        return [_from_document(d) async for d in cursor]

    async def find(self, criteria: dict[str, Any]) -> list[Measure]:
        cursor = self.collection.find(criteria, {OUTBOX: 0})
        return [_from_document(d) async for d in cursor.sort("requested_on", 1)]
