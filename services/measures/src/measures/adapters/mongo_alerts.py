"""Alerts in the store: one document per alert id, raised and cleared with their event in one update.

Raising is guarded by `active != True` (an upsert that finds an active alert hits the unique `_id`
and changes nothing), clearing by `active == True`: each transition emits its event exactly once.
"""

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.messaging.outbox import OUTBOX, PENDING, with_outbox
from cii_platform.store import Document, is_duplicate_key

Entries = list[dict[str, Any]]


def public_alert(document: Document) -> Document:
    fields = {k: v for k, v in document.items() if k not in ("_id", OUTBOX, PENDING)}
    return {"id": document["_id"], **fields}


class MongoAlertRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index([("active", 1), ("measure_id", 1)])
        await self.collection.create_index([("active", 1), ("situation_id", 1)])

    async def raise_alert(self, alert_id: str, fields: dict[str, Any], entries: Entries) -> bool:
        update = with_outbox({"$set": {**fields, "active": True, "cleared_at": None}}, entries)
        try:
            await self.collection.update_one({"_id": alert_id, "active": {"$ne": True}}, update, upsert=True)
        except Exception as exc:
            if is_duplicate_key(exc):
                return False  # already active
            raise
        return True

    async def clear_alert(self, alert_id: str, cleared_at: datetime, reason: str, entries: Entries) -> bool:
        result = await self.collection.update_one(
            {"_id": alert_id, "active": True},
            with_outbox({"$set": {"active": False, "cleared_at": cleared_at, "cleared_because": reason}}, entries))
        return result.modified_count == 1

    async def active(self, criteria: dict[str, Any]) -> list[Document]:
        cursor = self.collection.find({**criteria, "active": True}, {OUTBOX: 0})
        return [d async for d in cursor]

    async def find(self, criteria: dict[str, Any]) -> list[Document]:
        cursor = self.collection.find(criteria, {OUTBOX: 0}).sort("raised_at", 1)
        return [d async for d in cursor]
