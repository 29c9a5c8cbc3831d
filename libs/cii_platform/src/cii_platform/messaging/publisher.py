"""Publishing CloudEvents: JSON bytes, keyed so one case keeps its order (CONTRACT.md section 3)."""

from typing import Protocol

from faststream.kafka import KafkaBroker

from ..contracts.envelope import CloudEvent, encode_event

CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"


class EventPublisher(Protocol):
    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None: ...

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None: ...


class KafkaEventPublisher:
    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None:
        await self._broker.publish(
            encode_event(event), topic=topic, key=key.encode() if key else None,
            headers={"content-type": CONTENT_TYPE, "ce_type": event.type, "ce_id": event.id},
        )

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None:
        await self._broker.publish(value, topic=topic, key=key, headers=headers)


class FakeEventPublisher:
    """In-memory publisher for unit tests."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, CloudEvent]] = []
        self.raw: list[tuple[str, bytes | None, bytes, dict[str, str]]] = []

    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None:
        self.events.append((topic, key, event))

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes,
                          headers: dict[str, str]) -> None:
        self.raw.append((topic, key, value, headers))

    def of_type(self, event_type: str) -> list[CloudEvent]:
        return [e for _, _, e in self.events if e.type == event_type]
