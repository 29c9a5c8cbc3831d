"""Exchange requests: metadata, decisions and digests only; the provider's sections never rest here."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cii_platform.messaging.outbox import new_document_outbox, with_outbox
from cii_platform.store import Document

from ..domain.exchange import ExchangeStatus


class MongoExchangeRepository:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("status", ASCENDING), ("deadline", ASCENDING)])

    async def get(self, request_id: str) -> Document | None:
        return await self.collection.find_one({"_id": request_id}, {"outbox": 0})

    async def create(self, document: Document, events: list[dict[str, Any]]) -> bool:
        try:
            await self.collection.insert_one({**document, **new_document_outbox(events)})
            return True
        except DuplicateKeyError:
            return False

    async def close(self, request_id: str, status: ExchangeStatus, changes: dict[str, Any],
                    events: list[dict[str, Any]]) -> bool:
        """Leave AWAITING_PROVIDER exactly once (delivery, denial at delivery, or timeout)."""
        result = await self.collection.update_one(
            {"_id": request_id, "status": ExchangeStatus.AWAITING_PROVIDER.value},
            with_outbox({"$set": {**changes, "status": status.value}}, events))
        return result.modified_count == 1

    async def mark(self, request_id: str, flag: str) -> None:
        await self.collection.update_one({"_id": request_id}, {"$set": {flag: True}})

    async def overdue(self, now: datetime, limit: int = 100) -> list[Document]:
        cursor = self.collection.find({"status": ExchangeStatus.AWAITING_PROVIDER.value, "deadline": {"$lt": now}},
                                      {"outbox": 0}).limit(limit)
        return [document async for document in cursor]
