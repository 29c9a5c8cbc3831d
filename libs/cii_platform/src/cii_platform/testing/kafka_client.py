"""A plain Kafka client playing an institution's system in tests and benchmarks."""

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from ..contracts.envelope import institution_source
from ..messaging import producer_fix
from ..messaging.topics_admin import partitions_of

producer_fix.apply()  # this client plays an institution's producer: it must survive an outage too


def inbound_event(institution: str, event_type: str, data: dict[str, Any], *, event_id: str | None = None,
                  source: str | None = None) -> dict[str, Any]:
    return {"specversion": "1.0", "id": event_id or str(uuid.uuid4()),
            "source": source or institution_source(institution), "type": event_type,
            "time": datetime.now(UTC).isoformat(), "datacontenttype": "application/json", "data": data}


class InstitutionClient:
    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer | None = None

    async def __aenter__(self) -> "InstitutionClient":
        self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all", enable_idempotence=True)
        await self._producer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._producer:
            await self._producer.stop()

    async def send(self, topic: str, value: dict[str, Any] | bytes, key: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
        assert self._producer
        raw = value if isinstance(value, bytes) else json.dumps(value).encode()
        encoded_headers = [(k, v.encode()) for k, v in (headers or {}).items()]
        await self._producer.send_and_wait(topic, raw, key=key.encode() if key else None, headers=encoded_headers)


class TopicReader:
    """Reads a topic from its current end (or the beginning) and collects decoded events."""

    def __init__(self, bootstrap: str, *topics: str, from_beginning: bool = False) -> None:
        self._bootstrap = bootstrap
        self._topics = topics
        self._from_beginning = from_beginning
        self._consumer: AIOKafkaConsumer | None = None
        self.records: list[dict[str, Any]] = []

    async def __aenter__(self) -> "TopicReader":
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False,
                                          group_id=None)
        await self._consumer.start()
        partitions = [tp for topic in self._topics for tp in await partitions_of(self._consumer, topic)]
        self._consumer.assign(partitions)
        if self._from_beginning:
            await self._consumer.seek_to_beginning(*partitions)
        else:
            await self._consumer.seek_to_end(*partitions)
            for tp in partitions:  # resolve the lazy seek now, so later records are not skipped
                await self._consumer.position(tp)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._consumer:
            await self._consumer.stop()

    async def poll(self, timeout: float = 0.2) -> list[dict[str, Any]]:
        """Reads what arrived (within `timeout`), appends it to `records` and returns it."""
        assert self._consumer
        read = len(self.records)
        batches = await self._consumer.getmany(timeout_ms=int(timeout * 1000))
        for tp, messages in batches.items():
            for message in messages:
                try:
                    value: Any = json.loads(message.value)
                except (ValueError, TypeError):
                    value = {"raw": message.value}
                self.records.append({"topic": tp.topic, "key": message.key, "value": value,
                                     "headers": dict(message.headers or [])})
        return self.records[read:]

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool], *, count: int = 1,
                       timeout: float = 30.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        matching = [r for r in self.records if predicate(r)]
        while len(matching) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(matching)} of {count} expected records after {timeout}s; "
                                   f"{len(self.records)} records seen on {self._topics}")
            matching += [r for r in await self.poll() if predicate(r)]
        return matching

    def answers_to(self, event_id: str) -> list[dict[str, Any]]:
        return [r["value"] for r in self.records
                if isinstance(r["value"], dict) and (r["value"].get("data") or {}).get("event_id") == event_id]
