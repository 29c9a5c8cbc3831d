"""Transactional outbox without transactions (FerretDB v1 has none).

The events announcing a state change are pushed into the `outbox` array of the very document whose
state changed, in the same atomic update. The relay publishes each pending entry (acks=all), then
removes exactly those entries. A crash between the two republishes; consumers dedupe by event id.
"""

import asyncio
import contextlib
import logging
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from pymongo.asynchronous.collection import AsyncCollection

from ..contracts.envelope import CloudEvent
from ..telemetry import metrics
from .publisher import EventPublisher
from .reliable import TRANSIENT_ERRORS

log = logging.getLogger(__name__)

OUTBOX = "outbox"
PENDING = "outbox_pending"


_tracer = trace.get_tracer(__name__)


def outbox_entry(topic: str, key: str, event: CloudEvent) -> dict[str, Any]:
    """The trace context of the writer travels with the entry, so the relay's publication joins its trace."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return {"id": event.id, "topic": topic, "key": key, "trace": carrier,
            "event": event.model_dump(mode="json", exclude_none=True)}


def with_outbox(update: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Add the pending events to a MongoDB update document (one atomic write with the state)."""
    if not entries:
        return update
    merged = {op: dict(fields) for op, fields in update.items()}
    merged.setdefault("$push", {})[OUTBOX] = {"$each": entries}
    merged.setdefault("$set", {})[PENDING] = True
    return merged


def new_document_outbox(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Fields for a document inserted together with its first events."""
    return {OUTBOX: entries, PENDING: bool(entries)}


class OutboxRelay:
    def __init__(self, service: str, collections: list[AsyncCollection[dict[str, Any]]],
                 publisher: EventPublisher, *, poll_seconds: float = 0.5, batch: int = 200) -> None:
        self._service = service
        self._collections = collections
        self._publisher = publisher
        self._poll_seconds = poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def notify(self) -> None:
        """Called after a write with events: publish now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=f"outbox-relay-{self._service}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        with contextlib.suppress(*TRANSIENT_ERRORS):
            await self.drain()  # last chance for what was written just before shutdown

    async def _loop(self) -> None:
        while True:
            try:
                published = await self.drain()
            except TRANSIENT_ERRORS as exc:
                log.warning("outbox relay waiting for the store or broker: %r", exc)
                published = 0
                await asyncio.sleep(1.0)
            except Exception:
                log.exception("outbox relay failed; retrying")
                published = 0
                await asyncio.sleep(1.0)
            if published == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_seconds)
            self._wake.clear()

    async def drain(self) -> int:
        total = 0
        for collection in self._collections:
            async for document in collection.find({PENDING: True}, {OUTBOX: 1}).limit(self._batch):
                total += await self._publish_document(collection, document)
        return total

    async def _publish_document(self, collection: AsyncCollection[dict[str, Any]], document: dict[str, Any]) -> int:
        entries = document.get(OUTBOX) or []
        for entry in entries:
            await self._publish_entry(entry)
        if entries:
            await collection.update_one({"_id": document["_id"]}, {"$pullAll": {OUTBOX: entries}})
            metrics.outbox_published.labels(self._service).inc(len(entries))
        # Only clear the flag if nothing new was pushed meanwhile.
        await collection.update_one({"_id": document["_id"], OUTBOX: []}, {"$set": {PENDING: False}})
        return len(entries)

    async def _publish_entry(self, entry: dict[str, Any]) -> None:
        token = otel_context.attach(propagate.extract(entry.get("trace") or {}))
        try:
            with _tracer.start_as_current_span(f"outbox publish {entry['topic']}"):
                await self._publisher.publish(entry["topic"], entry["key"], CloudEvent.model_validate(entry["event"]))
        finally:
            otel_context.detach(token)
