"""Caseload chunks as received (pseudonymised), each inserted with its CaseloadRecorded event in its outbox."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.messaging.outbox import new_document_outbox
from cii_platform.store import Document, insert_new


class MongoCaseloadChunks:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def record(self, chunk_id: str, fields: dict[str, Any], outbox: list[dict[str, Any]]) -> bool:
        """True when recorded now; False when this chunk was recorded before (a resent event)."""
        return await insert_new(self.collection, {"_id": chunk_id, **fields, **new_document_outbox(outbox)})
