"""Consuming the platform's own events (internal topics): dedupe by event id, dispatch by type.

Tolerant reader: types nobody here handles are skipped, unknown fields ignored.
"""

import json
import logging
from collections.abc import Awaitable, Callable

from ..contracts.envelope import CloudEvent
from ..telemetry import metrics
from .reliable import Inbox, RecordInfo, ReliableRunner

log = logging.getLogger(__name__)

EventHandler = Callable[[CloudEvent], Awaitable[None]]


class InternalEventConsumer:
    def __init__(self, consumer_name: str, handlers: dict[str, EventHandler], *, inbox: Inbox,
                 runner: ReliableRunner) -> None:
        self._name = consumer_name
        self._handlers = handlers
        self._inbox = inbox
        self._runner = runner

    async def handle_record(self, record: RecordInfo) -> None:
        await self._runner.run(record, lambda: self._process(record))

    async def _process(self, record: RecordInfo) -> None:
        # An unreadable record on an internal topic is a bug upstream: raising sends it to the dead letters.
        event = CloudEvent.model_validate(json.loads(record.value))
        handler = self._handlers.get(event.type)
        if handler is None:
            return
        key = Inbox.key(self._name, event.source, event.id)
        if await self._inbox.seen(key) is not None:
            metrics.messages.labels(self._name, event.type, "duplicate").inc()
            return
        await handler(event)
        await self._inbox.remember(key)
        metrics.messages.labels(self._name, event.type, "applied").inc()
