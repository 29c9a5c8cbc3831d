"""Create the platform's topics explicitly (auto-creation is off on every broker we run)."""

import asyncio
import logging
import ssl

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..contracts.topics import TopicSpec

log = logging.getLogger(__name__)


async def ensure_topics(bootstrap_servers: str, specs: list[TopicSpec], *, replication_factor: int = 1,
                        ssl_context: ssl.SSLContext | None = None) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000,
                                security_protocol="SSL" if ssl_context else "PLAINTEXT", ssl_context=ssl_context)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            new = [NewTopic(s.name, s.partitions, replication_factor, topic_configs=s.config) for s in missing]
            try:
                response = await admin.create_topics(new)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another service")
            else:
                _raise_on_errors(response)
        return [s.name for s in missing]
    finally:
        await admin.close()


_TOPIC_ALREADY_EXISTS = 36


def _raise_on_errors(response: object) -> None:
    """aiokafka reports per-topic failures in the response instead of raising."""
    failures = [(topic, code, message) for topic, code, message in getattr(response, "topic_errors", [])
                if code not in (0, _TOPIC_ALREADY_EXISTS)]
    if failures:
        raise RuntimeError(f"could not create topics: {failures}")


async def partitions_of(consumer: AIOKafkaConsumer, topic: str, *, attempts: int = 50) -> list[TopicPartition]:
    """A topic's partitions, for a consumer that assigns them itself (no group). consumer.topics() does not
    refresh the consumer's own metadata: read a freshly fetched cluster instead."""
    for _ in range(attempts):
        cluster = await consumer._client.fetch_all_metadata()
        found = cluster.partitions_for_topic(topic)
        if found:
            return [TopicPartition(topic, p) for p in sorted(found)]
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} does not exist")
