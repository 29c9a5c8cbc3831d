"""`python -m reporting rebuild`: drop the projection and replay the internal topics from the beginning.

Run with the reporting service stopped (`make rebuild-reporting` stops and restarts it). The replay reads
every partition up to the end offsets seen at its start, appends the facts in bulk (deduplicated by
event identity, like the live consumer), then moves the live consumer group to those offsets, so the
service resumes exactly after what was replayed. Internal topics keep their history forever
(retention.ms=-1); inbound topics are never replayed: caseload snapshots come back from
REPORTING_EVENTS, where reporting republished them pseudonymised.
"""

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError
from pydantic import ValidationError

from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.topics import INTERNAL_TOPICS, topic_specs
from cii_platform.messaging.topics_admin import ensure_topics
from cii_platform.reference import load_reference_data
from cii_platform.store import create_mongo_client

from ..adapters.mongo_projection_log import PAGE_SIZE, LoggedFact, MongoProjectionLog
from ..bootstrap import PROJECTION_LOG
from ..config import Settings
from ..entrypoints.kafka.facts import fact_id, fact_of

log = logging.getLogger(__name__)


class ServiceStillRunning(RuntimeError):
    pass


@dataclass
class RebuildSummary:
    events: int = 0
    facts: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        return (f"replayed {self.events} events into {self.facts} facts ({self.skipped} unreadable skipped) "
                f"in {self.seconds:.1f} s: {self.rate:.0f} events/s")


async def describe_group(admin: AIOKafkaAdminClient, group: str) -> list[Any]:
    """On a fresh cluster the group coordinator appears once the offsets topic exists: wait for it."""
    for _ in range(60):
        try:
            return list(await admin.describe_consumer_groups([group]))
        except GroupCoordinatorNotAvailableError:
            await asyncio.sleep(0.5)
    raise RuntimeError(f"no Kafka group coordinator for {group} after 30 s")


async def assert_group_idle(bootstrap: str, group: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for response in await describe_group(admin, group):
            for described in response.groups:
                state, members = described[2], described[5]
                if members or state not in ("Empty", "Dead", ""):
                    raise ServiceStillRunning(f"consumer group {group} is {state} with {len(members)} member(s): "
                                              "stop the reporting service before a rebuild")
    finally:
        await admin.close()


async def run_rebuild(settings: Settings) -> RebuildSummary:
    group = f"cii-{settings.projection_consumer}"
    reference = load_reference_data(settings.reference_data_file)
    await ensure_topics(settings.kafka_bootstrap_servers, topic_specs(
        sorted(reference.institution_codes), inbound_retention_days=settings.inbound_retention_days,
        partitions=settings.topic_partitions))
    await assert_group_idle(settings.kafka_bootstrap_servers, group)
    mongo = create_mongo_client(settings.mongodb_url)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=group,
                                enable_auto_commit=False, max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        partitions = await internal_partitions(consumer)
        db = mongo[settings.mongodb_database]
        projection_log = MongoProjectionLog(db, PROJECTION_LOG)
        await projection_log.drop()  # only once Kafka answered: a failed start leaves the projection as it was
        await db["inbox"].delete_many({"_id": {"$regex": f"^{settings.projection_consumer}\\|"}})
        summary, ends = await replay(consumer, partitions, projection_log)
        await consumer.commit(ends)
        return summary
    finally:
        await consumer.stop()
        await mongo.close()


async def internal_partitions(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    # The public `topics()` fetches the metadata but does not keep it for `partitions_for_topic`.
    cluster = await consumer._client.fetch_all_metadata()
    partitions = []
    for topic in INTERNAL_TOPICS:
        found = cluster.partitions_for_topic(topic)
        if not found:
            raise RuntimeError(f"topic {topic} has no partitions: is Kafka up and the topic created?")
        partitions += [TopicPartition(topic, p) for p in sorted(found)]
    return partitions


async def replay(consumer: AIOKafkaConsumer, partitions: list[TopicPartition],
                 projection_log: MongoProjectionLog) -> tuple[RebuildSummary, dict[TopicPartition, int]]:
    started = time.perf_counter()
    consumer.assign(partitions)
    ends = await consumer.end_offsets(partitions)
    await consumer.seek_to_beginning(*partitions)
    summary, seen, batch = RebuildSummary(), set[str](), list[LoggedFact]()
    remaining = {tp for tp in partitions if ends[tp] > 0}
    while remaining:
        records = await consumer.getmany(*remaining, timeout_ms=1000, max_records=5_000)
        for tp, messages in records.items():
            for message in messages:
                if message.offset < ends[tp]:
                    summary.events += 1
                    _collect(message.value, seen, batch, summary)
            if messages and messages[-1].offset + 1 >= ends[tp]:
                remaining.discard(tp)
        while len(batch) >= PAGE_SIZE:
            await projection_log.append_page(batch[:PAGE_SIZE])
            batch = batch[PAGE_SIZE:]
    await projection_log.append_page(batch)
    summary.seconds = time.perf_counter() - started
    return summary, ends


def _collect(value: bytes | None, seen: set[str], batch: list[LoggedFact], summary: RebuildSummary) -> None:
    try:
        event = CloudEvent.model_validate_json(value or b"")
        fact = fact_of(event)
    except (ValidationError, ValueError) as exc:
        summary.skipped += 1  # what the live consumer dead-lettered: never part of the projection
        log.warning("unreadable record skipped: %r", exc)
        return
    identity = fact_id(event)
    if fact is None or identity in seen:
        return
    seen.add(identity)
    fact["seq"] = summary.facts
    batch.append((identity, fact))
    summary.facts += 1
