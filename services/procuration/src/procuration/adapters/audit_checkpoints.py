"""The audit chain's anchor outside the store: signed checkpoints (count, head hash) on Kafka.

Published after appends (at most every `interval` seconds, never delaying the group commit) on the
procuration topic under one key, so they stay in order on one partition with infinite retention. A
checkpoint only ever extends the latest one: at start, if the store does not hold the chain the latest
checkpoint names (its tail was deleted or rewritten while the service was down), no checkpoint is
published over it, so `verify` keeps reporting the damage instead of a new, shorter anchor hiding it.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, TopicPartition

from cii_platform.clock import Clock
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.internal_procuration import AUDIT_CHECKPOINT, AUDIT_CHECKPOINT_KEY, AuditCheckpoint
from cii_platform.contracts.topics import PROCURATION_EVENTS
from cii_platform.messaging.publisher import EventPublisher
from cii_platform.settings import ServiceSettings

from ..domain.audit_chain import Checkpoint

log = logging.getLogger(__name__)
StoredHash = Callable[[int], Awaitable[str | None]]


class KafkaCheckpoints:
    def __init__(self, publisher: EventPublisher, settings: ServiceSettings, key: bytes, clock: Clock, *,
                 interval: float) -> None:
        self._publisher = publisher
        self._settings = settings
        self._key = key
        self._clock = clock
        self._interval = interval
        self._pending: tuple[int, str] | None = None
        self._published = 0
        self._task: asyncio.Task[None] | None = None
        self.blocked: str | None = None  # why no checkpoint may be published (a damaged chain at start)

    async def start(self, stored_hash: StoredHash, stored_head: tuple[int, str]) -> None:
        """Check the store against the latest checkpoint before extending it, then anchor the stored head
        (entries appended just before the last stop)."""
        latest = await self.latest()
        if latest is not None:
            entries, head = latest
            self._published = entries
            if await stored_hash(entries) != head:
                self.blocked = f"the store does not hold entry {entries} as the latest checkpoint names it"
                log.error("audit chain: %s; no checkpoint is published until it is investigated", self.blocked)
                return
        if stored_head[0] > self._published:
            self._pending = stored_head
            await self.flush()

    def unblock(self) -> None:
        """The store holds the chain again as the anchors name it (verified): checkpoints may resume."""
        self.blocked = None

    def head_changed(self, entries: int, head: str) -> None:
        """Called after every group commit (synchronously, cheaply): publish soon, in the background."""
        self._pending = (entries, head)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._publish_soon())

    async def _publish_soon(self) -> None:
        await asyncio.sleep(self._interval)
        await self.flush()

    async def flush(self) -> None:
        while self._pending is not None and self._pending[0] > self._published and self.blocked is None:
            entries, head = self._pending
            checkpoint = Checkpoint(entries, head, self._clock.now().isoformat()).signed(self._key)
            event = new_event(AUDIT_CHECKPOINT, platform_source("procuration"), AuditCheckpoint(
                entries=entries, head_hash=head, at=checkpoint.at, signature=checkpoint.signature))
            try:
                await self._publisher.publish(PROCURATION_EVENTS, AUDIT_CHECKPOINT_KEY, event)
            except Exception:  # the next append (or the shutdown) publishes again
                log.exception("audit checkpoint %d not published", entries)
                return
            self._published = entries

    async def drain(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.flush()

    async def latest(self) -> tuple[int, str] | None:
        """The authentic checkpoint with the most entries, read from the ends of the topic's partitions."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self._settings.kafka_bootstrap_servers,
                                    security_protocol=self._settings.kafka_security_protocol,
                                    ssl_context=self._settings.kafka_ssl_context(), enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = [TopicPartition(PROCURATION_EVENTS, p)
                          for p in sorted(consumer.partitions_for_topic(PROCURATION_EVENTS)
                                          or await self._partitions(consumer))]
            return await self._latest_in(consumer, partitions)
        finally:
            await consumer.stop()

    async def _partitions(self, consumer: AIOKafkaConsumer) -> set[int]:
        cluster = await consumer._client.fetch_all_metadata()
        return cluster.partitions_for_topic(PROCURATION_EVENTS) or set()

    async def _latest_in(self, consumer: AIOKafkaConsumer,
                         partitions: list[TopicPartition]) -> tuple[int, str] | None:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        begins = await consumer.beginning_offsets(partitions)
        best: tuple[int, str] | None = None
        for partition in partitions:
            window = 500
            while True:
                start = max(begins[partition], ends[partition] - window)
                found = await self._scan(consumer, partition, start, ends[partition])
                if found is not None or start == begins[partition]:
                    break
                window *= 8
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return best

    async def _scan(self, consumer: AIOKafkaConsumer, partition: TopicPartition, start: int,
                    end: int) -> tuple[int, str] | None:
        best: tuple[int, str] | None = None
        if start >= end:
            return None
        consumer.seek(partition, start)
        position = start
        while position < end:
            batches = await consumer.getmany(partition, timeout_ms=2000, max_records=5000)
            records = batches.get(partition, [])
            if not records:
                break
            for record in records:
                position = record.offset + 1
                if record.key != AUDIT_CHECKPOINT_KEY.encode():
                    continue
                checkpoint = self._authentic(record.value)
                if checkpoint is not None and (best is None or checkpoint.entries > best[0]):
                    best = (checkpoint.entries, checkpoint.head_hash)
        return best

    def _authentic(self, value: bytes | None) -> Checkpoint | None:
        try:
            data = json.loads(value or b"{}")
            if data.get("type") != AUDIT_CHECKPOINT:
                return None
            body = AuditCheckpoint.model_validate(data.get("data"))
        except (ValueError, TypeError):
            return None
        checkpoint = Checkpoint(body.entries, body.head_hash, body.at, body.signature)
        if not checkpoint.is_authentic(self._key):
            log.warning("audit checkpoint with a wrong signature ignored (entries %d)", body.entries)
            return None
        return checkpoint
