"""Reading the internal topics for a rebuild: every partition from its beginning up to the end offsets
seen at the start, with the live consumer group checked idle first (the service must be stopped)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import GroupCoordinatorNotAvailableError

from cii_platform.contracts.topics import INTERNAL_TOPICS


class ServiceStillRunning(RuntimeError):
    pass


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


class InternalTopicsHistory:
    """A RecordSource over the internal topics; `ends` are the offsets to commit for the live group."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self._consumer = consumer
        self._partitions: list[TopicPartition] = []
        self.ends: dict[TopicPartition, int] = {}

    async def open(self) -> None:
        """Fix the end offsets and go to the beginning (before anything is dropped: Kafka must answer)."""
        self._partitions = await internal_partitions(self._consumer)
        self._consumer.assign(self._partitions)
        self.ends = await self._consumer.end_offsets(self._partitions)
        await self._consumer.seek_to_beginning(*self._partitions)

    async def batches(self) -> AsyncIterator[list[bytes | None]]:
        remaining = {tp for tp in self._partitions if self.ends[tp] > 0}
        while remaining:
            records = await self._consumer.getmany(*remaining, timeout_ms=1000, max_records=5_000)
            values: list[bytes | None] = []
            for tp, messages in records.items():
                values += [m.value for m in messages if m.offset < self.ends[tp]]
                if messages and messages[-1].offset + 1 >= self.ends[tp]:
                    remaining.discard(tp)
            yield values
