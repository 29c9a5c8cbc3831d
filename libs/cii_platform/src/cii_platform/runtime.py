"""The wiring every service shares: store, broker, inbox, dead letters, outbox relay, lifespan.

A service's bootstrap creates one `ServiceRuntime`, registers its handlers and outbox collections,
and hands `runtime.lifespan` to FastAPI: one process serves HTTP and consumes Kafka.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from .contracts.topics import inbound, topic_specs
from .messaging.broker import assert_at_least_once, consumer_options, create_broker
from .messaging.inbound import InboundBatchHandler, InboundGateway, InboundHandler, RefusalHook
from .messaging.internal import EventHandler, InternalEventConsumer
from .messaging.outbox import OutboxRelay
from .messaging.publisher import KafkaEventPublisher
from .messaging.reliable import Inbox, RecordInfo, ReliableRunner
from .messaging.topics_admin import ensure_topics
from .reference import ReferenceData, load_reference_data
from .security.keys import read_hex_key
from .security.pseudonym import Pseudonymizer
from .security.tokens import TokenVerifier
from .settings import ServiceSettings
from .store import Document, StoreProfile, create_mongo_client, detect_store_profile, ping, serialized
from .telemetry import metrics

log = logging.getLogger(__name__)

RecordHandler = Callable[[RecordInfo], Awaitable[None]]
BatchHandler = Callable[[list[RecordInfo]], Awaitable[None]]
# A batch subscriber polls up to this many records at once (getmany), waiting at most the timeout for the first.
BATCH_MAX_RECORDS = 500
BATCH_TIMEOUT_MS = 100


async def raw_body(message: Any) -> bytes:
    """Keep the record value as bytes: unreadable JSON must reach the gateway, which answers it."""
    return bytes(message.body)


def record_info(message: Any) -> RecordInfo:
    return record_of(message.raw_message)


async def raw_bodies(message: Any) -> list[bytes]:
    return [bytes(raw.value or b"") for raw in message.raw_message]


def record_of(raw: Any) -> RecordInfo:
    """A polled aiokafka ConsumerRecord as the handlers see it."""
    headers = {k: (v.decode(errors="replace") if isinstance(v, bytes) else str(v)) for k, v in (raw.headers or [])}
    return RecordInfo(topic=raw.topic, partition=raw.partition, offset=raw.offset, key=raw.key,
                      value=raw.value or b"", headers=headers)


def _observe_lag(service: str, message: Any) -> None:
    raw = message.raw_message
    consumer = getattr(message, "consumer", None)
    try:
        from aiokafka import TopicPartition

        highwater = consumer.highwater(TopicPartition(raw.topic, raw.partition)) if consumer else None
    except Exception:
        highwater = None
    if highwater is not None:
        metrics.consumer_lag.labels(service, raw.topic, str(raw.partition)).set(max(0, highwater - raw.offset - 1))


@dataclass
class DependencyHealth:
    """Last known reachability of Kafka and the store, refreshed every second in the background, so that
    /readyz answers at once and requests fail fast (503) during an outage instead of hanging."""

    kafka_up: bool = False
    store_up: bool = False


class ServiceRuntime:
    def __init__(self, settings: ServiceSettings, *, reference: ReferenceData | None = None) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.reference = reference or load_reference_data(settings.reference_data_file)
        self.mongo = create_mongo_client(settings.mongodb_url)
        self.db: AsyncDatabase[Document] = self.mongo[settings.mongodb_database]
        self.broker: KafkaBroker = create_broker(settings)
        self.publisher = KafkaEventPublisher(self.broker)
        self.inbox = Inbox(self.db["inbox"])
        self.runner = ReliableRunner(self.service, self.publisher, max_attempts=settings.handler_max_attempts)
        self._outbox_collections: list[AsyncCollection[Document]] = []
        self.relay: OutboxRelay | None = None
        self._startup: list[Callable[[], Awaitable[None]]] = []
        self._shutdown: list[Callable[[], Awaitable[None]]] = []
        self._background: list[asyncio.Task[None]] = []
        self.health = DependencyHealth()
        self._write_locks: dict[str, asyncio.Lock] = {}
        # FerretDB's workarounds on until `start` has asked the store what it is (store.StoreProfile).
        self.store_profile = StoreProfile()
        self._token_verifier: TokenVerifier | None = None
        self._pseudonymizer: Pseudonymizer | None = None

    def collection(self, name: str) -> AsyncCollection[Document]:
        """The service's collection with its writes serialized in this process (see SerializedCollection).
        Use it for every collection whose documents more than one task may write, and for outbox ones."""
        lock = self._write_locks.setdefault(name, asyncio.Lock())
        return serialized(self.db[name], lock, self.store_profile)

    # -- security ------------------------------------------------------------------------------------
    @property
    def token_verifier(self) -> TokenVerifier:
        if self._token_verifier is None:
            self._token_verifier = TokenVerifier(self.settings)
        return self._token_verifier

    @property
    def pseudonymizer(self) -> Pseudonymizer:
        if self._pseudonymizer is None:
            key = read_hex_key(self.settings.pseudonym_key_path, "pseudonym key (CII_PSEUDONYM_KEY_FILE)")
            self._pseudonymizer = Pseudonymizer(key)
        return self._pseudonymizer

    # -- consumers -----------------------------------------------------------------------------------
    def _subscribe(self, topics: list[str], group: str, handle: RecordHandler) -> None:
        service = self.service

        async def on_record(body: bytes, message: KafkaMessage) -> None:
            started = time.perf_counter()
            record = record_info(message)
            await handle(record)
            metrics.handler_latency.labels(service, record.topic).observe(time.perf_counter() - started)
            _observe_lag(service, message)

        self.broker.subscriber(*topics, decoder=raw_body, **consumer_options(group))(on_record)

    def _subscribe_batch(self, topics: list[str], group: str, handle: BatchHandler) -> None:
        """Records polled in batches (getmany); the batch's offsets are committed once it was handled."""
        service = self.service

        async def on_batch(body: list[bytes], message: KafkaMessage) -> None:
            started = time.perf_counter()
            raws = list(message.raw_message)
            await handle([record_of(raw) for raw in raws])
            metrics.handler_latency.labels(service, raws[0].topic).observe(time.perf_counter() - started)

        self.broker.subscriber(*topics, decoder=raw_bodies, batch=True, max_records=BATCH_MAX_RECORDS,
                               batch_timeout_ms=BATCH_TIMEOUT_MS, **consumer_options(group))(on_batch)

    def consume_inbound(self, handlers: dict[str, InboundHandler], *, owns_envelope: bool = False,
                        on_refused: RefusalHook | None = None,
                        batch_handlers: dict[str, InboundBatchHandler] | None = None) -> InboundGateway:
        """With `batch_handlers` the inbound topics are consumed in batches (InboundGateway.handle_batch)."""
        gateway = InboundGateway(
            self.service, handlers, publisher=self.publisher, inbox=self.inbox, runner=self.runner,
            known_institutions=lambda: self.reference.institution_codes,
            max_message_bytes=self.settings.max_message_bytes, owns_envelope=owns_envelope,
            on_refused=on_refused, batch_handlers=batch_handlers)
        topics = [inbound(code) for code in sorted(self.reference.institution_codes)]
        if batch_handlers is not None:
            self._subscribe_batch(topics, f"cii-{self.service}", gateway.handle_batch)
        else:
            self._subscribe(topics, f"cii-{self.service}", gateway.handle_record)
        return gateway

    def consume_internal(self, topics: list[str], handlers: dict[str, EventHandler], *,
                         name: str | None = None) -> InternalEventConsumer:
        consumer_name = name or f"{self.service}-internal"
        consumer = InternalEventConsumer(consumer_name, handlers, inbox=self.inbox, runner=self.runner)
        self._subscribe(topics, f"cii-{consumer_name}", consumer.handle_record)
        return consumer

    def use_outbox(self, *collections: AsyncCollection[Document]) -> OutboxRelay:
        # The relay writes the same documents as the handlers: share their write lock (FerretDB v1).
        self._outbox_collections.extend(self.collection(c.name) for c in collections)
        self.relay = OutboxRelay(self.service, self._outbox_collections, self.publisher,
                                 poll_seconds=self.settings.outbox_poll_seconds)
        return self.relay

    def notify_outbox(self) -> None:
        if self.relay:
            self.relay.notify()

    def on_startup(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._startup.append(hook)

    def on_shutdown(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._shutdown.append(hook)

    def run_in_background(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        """A periodic job (expiry watch, alerts): started after the broker, cancelled at shutdown."""
        self.on_startup(lambda: self._spawn(name, loop))

    async def _spawn(self, name: str, loop: Callable[[], Awaitable[None]]) -> None:
        self._background.append(asyncio.create_task(loop(), name=name))  # type: ignore[arg-type]

    # -- lifecycle -----------------------------------------------------------------------------------
    async def ensure_topics(self) -> None:
        if not self.settings.kafka_create_topics:
            return
        specs = topic_specs(sorted(self.reference.institution_codes),
                            inbound_retention_days=self.settings.inbound_retention_days,
                            partitions=self.settings.topic_partitions)
        created = await ensure_topics(self.settings.kafka_bootstrap_servers, specs,
                                      ssl_context=self.settings.kafka_ssl_context())
        if created:
            log.info("created %s topics", len(created))

    async def start(self) -> None:
        assert_at_least_once(self.broker)
        self.store_profile.adopt(await detect_store_profile(self.db))
        await self.ensure_topics()
        await self.db["inbox"].create_index("at")
        await self.broker.start()
        self.health.kafka_up = self.health.store_up = True
        self._background.append(asyncio.create_task(self._watch_dependencies(), name="dependency-health"))
        if self.relay:
            self.relay.start()
        for hook in self._startup:
            await hook()

    async def stop(self) -> None:
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        # Stop consuming first (in-flight records finish), then flush the outbox, then close the broker.
        for subscriber in self.broker.subscribers:
            with contextlib.suppress(Exception):
                await subscriber.stop()
        if self.relay:
            await self.relay.stop()
        await self.broker.stop()
        for hook in self._shutdown:
            with contextlib.suppress(Exception):
                await hook()
        await self.mongo.close()

    @contextlib.asynccontextmanager
    async def lifespan(self, _: Any = None) -> AsyncIterator[None]:
        await self.start()
        try:
            yield
        finally:
            await self.stop()

    async def _watch_dependencies(self) -> None:
        while True:
            self.health.kafka_up = await self._ping_kafka()
            self.health.store_up = await ping(self.db)
            await asyncio.sleep(1.0)

    async def _ping_kafka(self) -> bool:
        try:
            return bool(await self.broker.ping(timeout=2.0))
        except Exception:
            return False

    async def kafka_ready(self) -> bool:
        return self.health.kafka_up

    async def store_ready(self) -> bool:
        return self.health.store_up

