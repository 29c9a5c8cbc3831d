"""Publishing CloudEvents: JSON bytes, keyed so one case keeps its order (docs/contract.md section 3)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import InvalidProducerEpoch, OutOfOrderSequenceNumber, ProducerFenced, UnknownProducerId
from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate

from ..contracts.envelope import CloudEvent, encode_event

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
# Structured mode only (docs/contract.md 3): the CloudEvents Kafka binding takes any `ce_` header to mean
# binary mode, so a record carrying one beside a structured value is unreadable to the official SDKs.
STRUCTURED_HEADERS = {"content-type": CONTENT_TYPE}

# An idempotent producer that got one of these refuses every later record of the partition: only a new
# producer (new producer id, sequences from 0) can publish again.
FATAL_PRODUCER_ERRORS = (OutOfOrderSequenceNumber, UnknownProducerId, InvalidProducerEpoch, ProducerFenced)


# (topic, key, event, trace carrier): the carrier (W3C headers of the record or write the event follows)
# makes the event's publication join that trace, when many are sent together from one batch.
Outgoing = tuple[str, str | None, CloudEvent, dict[str, str] | None]


@contextlib.contextmanager
def joined_trace(carrier: dict[str, str] | None) -> Iterator[None]:
    """Within the block, the current trace is the one the carrier names (none: unchanged)."""
    if not carrier:
        yield
        return
    token = otel_context.attach(propagate.extract(carrier))
    try:
        yield
    finally:
        otel_context.detach(token)


class EventPublisher(Protocol):
    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None: ...

    async def publish_many(self, events: list[Outgoing]) -> None: ...

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None: ...


class KafkaEventPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker
        self._renewing = asyncio.Lock()
        self._generation = 0

    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None:
        await self._send(lambda: self._broker.publish(
            encode_event(event), topic=topic, key=key.encode() if key else None,
            headers=dict(STRUCTURED_HEADERS),
        ))

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None:
        await self._send(lambda: self._broker.publish(value, topic=topic, key=key, headers=headers))

    async def publish_many(self, events: list[Outgoing]) -> None:
        """Send every event without waiting for each (in order: one key keeps its order), then wait for all
        of them: the producer packs them into few requests. Returns once every one is acknowledged."""
        if not events:
            return

        async def send_all() -> None:
            pending = []
            for topic, key, event, trace in events:
                with joined_trace(trace):
                    pending.append(await self._broker.publish(
                        encode_event(event), topic=topic, key=key.encode() if key else None,
                        headers=dict(STRUCTURED_HEADERS), no_confirm=True))
            await asyncio.gather(*pending)

        await self._send(send_all)

    async def _send(self, send: Callable[[], Awaitable[object]]) -> None:
        generation = self._generation
        try:
            await send()
        except FATAL_PRODUCER_ERRORS as exc:
            await self._renew_producer(generation, exc)
            await send()

    async def _renew_producer(self, failed_generation: int, cause: Exception) -> None:
        async with self._renewing:
            if self._generation != failed_generation:
                return  # a concurrent publish already replaced it
            log.error("the Kafka producer is unusable (%r): replacing it", cause)
            fast_producer: Any = self._broker.config.producer  # FastStream's AioKafkaFastProducerImpl
            previous = fast_producer._producer
            await fast_producer.connect(AIOKafkaProducer(**self._broker._connection_kwargs),
                                        serializer=fast_producer.serializer, codec=fast_producer.codec)
            self._generation += 1
            with contextlib.suppress(Exception):
                await previous.stop()


class FakeEventPublisher:
    """In-memory publisher for unit tests."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, CloudEvent]] = []
        self.raw: list[tuple[str, bytes | None, bytes, dict[str, str]]] = []

    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None:
        self.events.append((topic, key, event))

    async def publish_many(self, events: list[Outgoing]) -> None:
        self.events.extend((topic, key, event) for topic, key, event, _ in events)

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None:
        self.raw.append((topic, key, value, headers))

    def of_type(self, event_type: str) -> list[CloudEvent]:
        return [e for _, _, e in self.events if e.type == event_type]
