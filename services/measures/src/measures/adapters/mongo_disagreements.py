"""Disagreements flagged on measures, escalated to the cantonal officer (outbox in the same document)."""

from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.messaging.outbox import OUTBOX, new_document_outbox, with_outbox
from cii_platform.store import Document

Entries = list[dict[str, Any]]
OPEN = "OPEN"
DECIDED = "DECIDED"


class MongoDisagreementRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index([("status", 1), ("measure_id", 1)])

    async def add(self, disagreement_id: str, fields: dict[str, Any], entries: Entries) -> None:
        await self.collection.insert_one({"_id": disagreement_id, **fields, "status": OPEN,
                                          **new_document_outbox(entries)})

    async def get(self, disagreement_id: str) -> Document | None:
        return await self.collection.find_one({"_id": disagreement_id}, {OUTBOX: 0})

    async def decide(self, disagreement_id: str, fields: dict[str, Any], entries: Entries) -> Document | None:
        """None when it is not open (already decided)."""
        return await self.collection.find_one_and_update(
            {"_id": disagreement_id, "status": OPEN},
            with_outbox({"$set": {**fields, "status": DECIDED}}, entries),
            return_document=ReturnDocument.AFTER)  # FerretDB v1: no projection here

    async def find(self, criteria: dict[str, Any]) -> list[Document]:
        cursor = self.collection.find(criteria, {OUTBOX: 0}).sort("raised_on", 1)
        return [d async for d in cursor]
