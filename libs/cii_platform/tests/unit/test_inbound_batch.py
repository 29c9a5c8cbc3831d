"""A polled batch of inbound records is answered as the record-by-record path answers it (issue 19):
one inbox lookup, the type's batch handler once, answers in record order, one flush, one inbox insert."""

import json
from typing import Any

import pytest

from cii_platform.contracts import types
from cii_platform.contracts.envelope import institution_source
from cii_platform.messaging.inbound import Accepted, InboundCommand, InboundGateway
from cii_platform.messaging.publisher import FakeEventPublisher
from cii_platform.messaging.reliable import Inbox, RecordInfo, ReliableRunner
from cii_platform.testing.generator_basic import announcement_payload
from cii_platform.testing.kafka_client import inbound_event
from cii_platform.validation import DomainValidationError, error

pytestmark = pytest.mark.unit
SEEN_B = Inbox.key("signalement", institution_source("ORP"), "b")  # processed before, no answer kept


class MemoryInbox:
    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.lookups = 0

    async def seen(self, key: str) -> dict[str, Any] | None:
        self.lookups += 1
        return self.entries.get(key)

    async def remember(self, key: str, answer: dict[str, Any] | None = None) -> None:
        self.entries.setdefault(key, {"_id": key, "answer": answer})

    async def seen_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        self.lookups += 1
        return {key: self.entries[key] for key in keys if key in self.entries}

    async def remember_many(self, answers: dict[str, dict[str, Any] | None]) -> None:
        for key, answer in answers.items():
            await self.remember(key, answer)


def record(offset: int, value: bytes) -> RecordInfo:
    return RecordInfo("cii.inbound.orp", 0, offset, f"k{offset}".encode(), value, {})


def announcement(event_id: str, ref: str, **overrides: Any) -> bytes:
    data = {**announcement_payload(1, year=2025, ref=ref), **overrides}
    return json.dumps(inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, data, event_id=event_id)).encode()


def batch() -> list[RecordInfo]:
    return [record(0, announcement("a", "REF-A")), record(1, b"{not json"), record(2, announcement("a", "REF-A")),
            record(3, announcement("b", "REF-B")), record(4, announcement("c", "REF-REFUSED")),
            record(5, json.dumps({"specversion": "1.0", "type": "ch.vs.cii.unknown.v1"}).encode())]


def gateway(calls: list[list[str]], *, batch_handler: bool, failing: bool = False) -> tuple[InboundGateway, Any]:
    async def outcome(command: InboundCommand) -> Accepted | DomainValidationError:
        if command.payload.external_ref == "REF-REFUSED":
            return DomainValidationError([error("data.external_ref", "refused")])
        return Accepted(resource_id=f"situation-{command.payload.external_ref}")

    async def one(command: InboundCommand) -> Accepted:
        calls.append([command.event.id])
        result = await outcome(command)
        if isinstance(result, DomainValidationError):
            raise result
        return result

    async def many(commands: list[InboundCommand]) -> list[Accepted | DomainValidationError]:
        calls.append([command.event.id for command in commands])
        if failing:
            raise ValueError("a bug in the batch path")
        return [await outcome(command) for command in commands]

    publisher, inbox = FakeEventPublisher(), MemoryInbox()
    built = InboundGateway("signalement", {types.SIGNALEMENT_SUBMITTED: one}, publisher=publisher,
                           inbox=inbox,  # type: ignore[arg-type]
                           runner=ReliableRunner("signalement", publisher), known_institutions=lambda: {"ORP"},
                           max_message_bytes=1_000_000, owns_envelope=True,
                           batch_handlers={types.SIGNALEMENT_SUBMITTED: many} if batch_handler else None)
    return built, (publisher, inbox)


def answers(publisher: FakeEventPublisher) -> list[tuple[str, str | None, str, Any]]:
    return [(topic, key, event.type, event.model_dump(mode="json")["data"]) for topic, key, event in publisher.events]


async def test_a_batch_is_answered_as_record_by_record_with_one_lookup_and_one_handler_call() -> None:
    one_calls: list[list[str]] = []
    single, (single_publisher, single_inbox) = gateway(one_calls, batch_handler=False)
    await single_inbox.remember(SEEN_B, None)
    for each in batch():
        await single.handle_record(each)
    batch_calls: list[list[str]] = []
    batched, (batch_publisher, batch_inbox) = gateway(batch_calls, batch_handler=True)
    await batch_inbox.remember(SEEN_B, None)
    batch_inbox.lookups = 0
    await batched.handle_batch(batch())
    assert answers(batch_publisher) == answers(single_publisher)
    assert [t for _, _, t, _ in answers(batch_publisher)] == [
        types.EVENT_ACCEPTED, types.EVENT_REJECTED, types.EVENT_ACCEPTED, types.EVENT_REJECTED, types.EVENT_REJECTED]
    assert batch_calls == [["a", "c"]] and batch_inbox.lookups == 1 and one_calls == [["a"], ["c"]]
    assert batch_inbox.entries.keys() == single_inbox.entries.keys()


async def test_a_failing_batch_falls_back_to_record_by_record() -> None:
    calls: list[list[str]] = []
    batched, (publisher, inbox) = gateway(calls, batch_handler=True, failing=True)
    await batched.handle_batch(batch())
    assert calls[0] == ["a", "b", "c"] and calls[1:] == [["a"], ["b"], ["c"]]
    assert [t for _, _, t, _ in answers(publisher)].count(types.EVENT_ACCEPTED) == 3
    assert len(inbox.entries) == 2
