"""Reading the platform's topics as an integrator would: every record, through the official CloudEvents SDK
(the `cloudevents` package, a dev dependency; imported here only when used)."""

import json
import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from ..messaging.topics_admin import partitions_of


async def read_everything(bootstrap: str, topics: list[str], quiet_seconds: float = 5.0) -> list[Any]:
    """Every record of the topics, from the beginning, until nothing new came for `quiet_seconds`."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in await partitions_of(consumer, topic)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        last_new = time.monotonic()
        while time.monotonic() - last_new < quiet_seconds:
            batches = await consumer.getmany(timeout_ms=500)
            for messages in batches.values():
                records += messages
                last_new = time.monotonic() if messages else last_new
        return records
    finally:
        await consumer.stop()


def read_with_the_sdk(records: list[Any]) -> dict[str, int]:
    """Asserts that the SDK reads each record (structured mode: no `ce_` header, the attributes its value's)
    and returns how many records of each type it read."""
    from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event, from_structured_event

    seen: dict[str, int] = {}
    for record in records:
        headers = dict(record.headers)
        assert not [name for name in headers if name.lower().startswith("ce_")], (record.topic, headers)
        assert headers["content-type"].decode().startswith("application/cloudevents+json"), (record.topic, headers)
        message = KafkaMessage(headers=headers, key=record.key, value=record.value)
        # The SDK's auto-detecting reader (the one that failed on every record before) and its structured one.
        event = from_kafka_event(message)
        structured = from_structured_event(message)
        body = json.loads(record.value)
        assert event.get_id() == structured.get_id() == body["id"]
        assert event.get_type() == body["type"] and event.get_source() == body["source"]
        assert event.get_specversion() == "1.0" and event.get_data() == body["data"]
        seen[event.get_type()] = seen.get(event.get_type(), 0) + 1
    return seen


def platform_types() -> set[str]:
    from ..contracts.catalog import catalog

    return {entry.type for entry in catalog() if entry.publisher != "institution"}
