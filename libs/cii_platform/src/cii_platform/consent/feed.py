"""Feeds a ConsentReplica from the procuration service's topic: every partition from its beginning at
start (the replica lives in memory), then whatever follows. No consumer group, nothing committed."""

import asyncio
import contextlib
import json
import logging
import ssl

from aiokafka import AIOKafkaConsumer, TopicPartition

from ..contracts.topics import PROCURATION_EVENTS
from ..messaging.topics_admin import partitions_of
from .replica import ConsentReplica

log = logging.getLogger(__name__)


class ReplicaFeed:
    def __init__(self, replica: ConsentReplica, bootstrap_servers: str, *, topic: str = PROCURATION_EVENTS,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self._replica = replica
        self._topic = topic
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False,
            security_protocol="SSL" if ssl_context else "PLAINTEXT", ssl_context=ssl_context)
        self._task: asyncio.Task[None] | None = None
        self.caught_up = asyncio.Event()

    async def start(self) -> None:
        await self._consumer.start()
        try:
            partitions = await partitions_of(self._consumer, self._topic)
            self._consumer.assign(partitions)
            await self._consumer.seek_to_beginning(*partitions)
            ends = await self._consumer.end_offsets(partitions)
        except BaseException:
            await self._consumer.stop()
            raise
        self._task = asyncio.create_task(self._follow(ends), name="consent-replica-feed")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _follow(self, ends_at_start: dict[TopicPartition, int]) -> None:
        pending = {tp: end for tp, end in ends_at_start.items() if end > 0}
        if not pending:
            self.caught_up.set()
        while True:
            batches = await self._consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    self._apply(record.value)
                    if tp in pending and record.offset + 1 >= pending[tp]:
                        del pending[tp]
            if not pending and not self.caught_up.is_set():
                log.info("consent replica caught up: %s events, %s persons",
                         self._replica.applied, self._replica.persons())
                self.caught_up.set()

    def _apply(self, value: bytes | None) -> None:
        try:
            event = json.loads(value or b"")
            self._replica.apply(event["type"], event["data"])
        except Exception as exc:  # an unreadable event must not stop the feed; the custodian still decides
            log.error("consent replica skipped an unreadable event: %r", exc)
