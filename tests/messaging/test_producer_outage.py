"""An idempotent producer keeps publishing to a partition after the broker was stopped and started again.

Real broker, stopped for longer than the producer's request timeout: aiokafka 0.14 alone then refuses every
later record to the partition with OutOfOrderSequenceNumber (aio-libs/aiokafka#1017); see producer_fix.
"""

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from cii_platform.contracts.topics import TopicSpec
from cii_platform.messaging import producer_fix
from cii_platform.messaging.broker import create_broker
from cii_platform.messaging.publisher import KafkaEventPublisher
from cii_platform.messaging.topics_admin import ensure_topics
from cii_platform.settings import PlatformSettings
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


async def test_an_idempotent_producer_publishes_again_after_a_broker_outage(infra_only: LocalPlatform) -> None:
    assert producer_fix.applied()
    bootstrap = infra_only.infra.kafka_bootstrap
    topic = f"test.outage.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=3, config={"retention.ms": "3600000"})])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                request_timeout_ms=3_000, retry_backoff_ms=200)
    await producer.start()
    stop = asyncio.Event()
    failures: list[Exception] = []
    try:
        senders = [asyncio.create_task(keep_sending(producer, topic, f"k{n}".encode(), stop, failures))
                   for n in range(6)]
        await asyncio.sleep(1.0)
        await asyncio.to_thread(infra_only.infra.run, "stop-kafka")
        try:
            await asyncio.sleep(10)
        finally:
            await asyncio.to_thread(infra_only.infra.run, "start-kafka")
        stop.set()
        await asyncio.gather(*senders)
        assert failures, "sends while the broker is down must fail after the request timeout"
        for n in range(6):
            await send_until_taken(producer, topic, f"after-{n}".encode(), key=f"k{n}".encode())
    finally:
        await producer.stop()
    async with TopicReader(bootstrap, topic, from_beginning=True) as reader:
        await reader.wait_for(lambda r: r["value"]["raw"].startswith(b"after-"), count=6, timeout=30)


async def keep_sending(producer: AIOKafkaProducer, topic: str, key: bytes, stop: asyncio.Event,
                       failures: list[Exception]) -> None:
    """Send one record after the other; a send that fails or stays pending for 5 s counts as a failure."""
    while not stop.is_set():
        try:
            sent = await producer.send(topic, b"during", key=key)
            await asyncio.wait_for(asyncio.shield(sent), timeout=5)
        except (KafkaError, TimeoutError) as exc:
            failures.append(exc)
            await asyncio.sleep(0.2)


async def send_until_taken(producer: AIOKafkaProducer, topic: str, value: bytes, *, key: bytes,
                           within: float = 60) -> None:
    """Retry while the restarted broker elects its leaders; a refused sequence is not retriable."""
    deadline = time.monotonic() + within
    while True:
        try:
            await producer.send_and_wait(topic, value, key=key)
            return
        except KafkaError as exc:
            if not exc.retriable or time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def test_a_publisher_whose_producer_was_refused_replaces_it_and_publishes(infra_only: LocalPlatform) -> None:
    """The last resort if a sequence ever gets out of step anyway: a new producer, not a wedged service."""
    bootstrap = infra_only.infra.kafka_bootstrap
    topic = f"test.renew.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [TopicSpec(topic, partitions=1, config={"retention.ms": "3600000"})])
    broker = create_broker(PlatformSettings(service_name="signalement", KAFKA_BOOTSTRAP_SERVERS=bootstrap))
    await broker.connect()
    publisher = KafkaEventPublisher(broker)
    try:
        await publisher.publish_raw(topic, b"k", b"first", {})
        sequences = broker.config.producer._producer.producer._txn_manager._sequence_numbers
        for partition in list(sequences):
            sequences[partition] += 3  # the broker now refuses this producer's next record on the partition
        await publisher.publish_raw(topic, b"k", b"second", {})
    finally:
        await broker.stop()
    async with TopicReader(bootstrap, topic, from_beginning=True) as reader:
        records = await reader.wait_for(lambda r: r["value"]["raw"] in (b"first", b"second"), count=2, timeout=30)
    assert [r["value"]["raw"] for r in records] == [b"first", b"second"]
