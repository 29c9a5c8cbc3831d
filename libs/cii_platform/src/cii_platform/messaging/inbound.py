"""The inbound gateway: what every service does with a record of `cii.inbound.<code>`.

One code path for every inbound type: read, check the envelope and the sender, validate the payload,
dedupe by (source, id), apply, answer on `cii.outbound.<code>`. Each service registers the types it owns;
the envelope owner also answers what nobody can claim (unreadable JSON, unknown types).
"""

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..contracts import types
from ..contracts.envelope import CloudEvent, derived_event_id, institution_source, new_event, platform_source
from ..contracts.fields import KNOWN_INSTITUTIONS
from ..contracts.inbound import INBOUND_PAYLOADS, Payload
from ..contracts.outbound import EventAccepted, EventRejected, FieldError
from ..contracts.topics import institution_of_inbound, outbound
from ..telemetry import metrics
from ..validation import DomainValidationError, error, field_errors
from .publisher import EventPublisher, Outgoing
from .reliable import Inbox, RecordInfo, ReliableRunner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundCommand:
    """An inbound event that passed every contract check, with the institution that sent it."""

    institution: str
    event: CloudEvent
    payload: Any
    trace: dict[str, str] | None = None  # the record's headers: a batch handler joins each record's trace


@dataclass(frozen=True)
class Accepted:
    resource_id: str


InboundHandler = Callable[[InboundCommand], Awaitable[Accepted]]
# A batch of one type at once (in record order, no duplicate events): per command, its Accepted or the
# DomainValidationError that refuses it. Raising fails the batch: its records are then handled one by one.
InboundBatchHandler = Callable[[list[InboundCommand]], Awaitable[list["Accepted | DomainValidationError"]]]
# Deeper JSON is no CloudEvent of the contract (its payloads nest a few levels): refused before parsing,
# so that no parser, validator or serializer ever recurses on it.
MAX_JSON_DEPTH = 32


class Rejection(Exception):
    def __init__(self, event_id: str | None, event_type: str | None, errors: list[FieldError],
                 document: dict[str, Any] | None = None) -> None:
        self.event_id, self.event_type, self.errors = event_id, event_type, errors
        self.document = document  # the parsed event, when it was readable (for the refusal's audit)
        super().__init__(errors)


# Told of every refusal of a type the service owns, before its answer (e.g. to audit who tried what).
RefusalHook = Callable[[str, Rejection], Awaitable[None]]


def json_depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when brackets nest deeper than `limit` outside strings: one linear pass, no recursion."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False  # fewer brackets than the limit cannot nest deeper (the usual case, in C speed)
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


class InboundGateway:
    def __init__(self, service: str, handlers: dict[str, InboundHandler], *, publisher: EventPublisher,
                 inbox: Inbox, runner: ReliableRunner, known_institutions: Callable[[], set[str]],
                 max_message_bytes: int, owns_envelope: bool = False,
                 on_refused: RefusalHook | None = None,
                 batch_handlers: dict[str, InboundBatchHandler] | None = None) -> None:
        self._service = service
        self._handlers = handlers
        self._publisher = publisher
        self._inbox = inbox
        self._runner = runner
        self._known_institutions = known_institutions
        self._max_bytes = max_message_bytes
        self._owns_envelope = owns_envelope
        self._on_refused = on_refused
        self._batch_handlers = batch_handlers or {}

    async def handle_record(self, record: RecordInfo) -> None:
        await self._runner.run(record, lambda: self._process(record))

    async def _process(self, record: RecordInfo) -> None:
        institution = institution_of_inbound(record.topic)
        try:
            event, payload = self._read(record, institution)
        except Rejection as rejection:
            if await self._refused(institution, rejection):
                await self._answer_rejection(institution, record, rejection)
            return
        if event is None:
            return  # another service owns this type
        await self._apply(institution, event, payload, record)

    async def _refused(self, institution: str, rejection: Rejection) -> bool:
        """Reports a refusal of one of our types; True when this gateway answers it (its own types, and
        what nobody can claim when it owns the envelope)."""
        ours = rejection.event_type in self._handlers
        if ours and self._on_refused is not None:
            await self._on_refused(institution, rejection)
        return ours or (self._owns_envelope and not self._claimed(rejection))

    async def handle_batch(self, records: list[RecordInfo]) -> None:
        """A polled batch: read and validate all, one inbox lookup, apply (a type's batch handler at once),
        answer all in one flush, remember the answers in one insert; the offsets are committed after.
        Any failure other than a dependency outage falls back to the record-by-record path, which retries
        and dead-letters the culprit alone; both paths are idempotent, so records already applied by the
        failed batch are only answered again."""
        if not records:
            return
        if not await self._runner.run_batch(records, lambda: self._process_batch(records)):
            for record in records:
                await self.handle_record(record)

    async def _process_batch(self, records: list[RecordInfo]) -> None:
        answers: dict[int, Outgoing] = {}  # by record index: sent in record order
        to_apply: list[tuple[int, str, CloudEvent, Any, RecordInfo]] = []
        for index, record in enumerate(records):
            institution = institution_of_inbound(record.topic)
            try:
                event, payload = self._read(record, institution)
            except Rejection as rejection:
                if await self._refused(institution, rejection):
                    answers[index] = self._rejection_answer(institution, record, rejection)
                continue
            if event is not None:
                to_apply.append((index, institution, event, payload, record))
        keys = [Inbox.key(self._service, event.source, event.id) for _, _, event, _, _ in to_apply]
        seen = await self._inbox.seen_many(sorted(set(keys)))
        first_seen: set[str] = set()
        commands: dict[str, list[tuple[str, InboundCommand]]] = {}
        for key, (_, institution, event, payload, record) in zip(keys, to_apply, strict=True):
            if key in seen or key in first_seen:
                continue
            first_seen.add(key)
            commands.setdefault(event.type, []).append((key, InboundCommand(institution, event, payload,
                                                                                   record.headers)))
        outcomes: dict[str, Accepted | DomainValidationError] = {}
        for event_type, typed in commands.items():
            outcomes.update(zip([key for key, _ in typed],
                                await self._apply_commands(event_type, [command for _, command in typed]),
                                strict=True))
        given: dict[str, CloudEvent] = {key: CloudEvent.model_validate(entry["answer"])
                                        for key, entry in seen.items() if entry.get("answer")}
        to_remember: dict[str, dict[str, Any] | None] = {}
        for key, (index, institution, event, _, record) in zip(keys, to_apply, strict=True):
            outcome = outcomes.pop(key, None)
            if isinstance(outcome, DomainValidationError):
                given[key] = self._rejection_answer(institution, record,
                                                    Rejection(event.id, event.type, outcome.errors))[2]
            elif outcome is not None:
                given[key] = self._answer_event(event.source, event.id, types.EVENT_ACCEPTED, EventAccepted(
                    event_id=event.id, type=event.type, resource_id=outcome.resource_id))
                to_remember[key] = given[key].model_dump(mode="json")
                metrics.messages.labels(self._service, event.type, "accepted").inc()
            else:  # processed before, or earlier in this batch: its answer again
                metrics.messages.labels(self._service, event.type, "duplicate").inc()
            if key in given:
                answers[index] = self._answer_to(institution, given[key], record)
        await self._publisher.publish_many([answers[index] for index in sorted(answers)])
        await self._inbox.remember_many(to_remember)

    async def _apply_commands(self, event_type: str,
                              commands: list[InboundCommand]) -> list[Accepted | DomainValidationError]:
        batch_handler = self._batch_handlers.get(event_type)
        if batch_handler is not None:
            return await batch_handler(commands)
        outcomes: list[Accepted | DomainValidationError] = []
        for command in commands:
            try:
                outcomes.append(await self._handlers[event_type](command))
            except DomainValidationError as exc:
                outcomes.append(exc)
        return outcomes

    def _rejection_answer(self, institution: str, record: RecordInfo,
                          rejection: Rejection) -> Outgoing:
        body = EventRejected(event_id=rejection.event_id, type=rejection.event_type, errors=rejection.errors)
        answer = self._answer_event(institution_source(institution), rejection.event_id, types.EVENT_REJECTED, body)
        metrics.messages.labels(self._service, rejection.event_type or "unknown", "rejected").inc()
        log.info("rejected %s from %s: %s", rejection.event_id, institution,
                 [f"{e.field}: {e.message}" for e in rejection.errors])
        return self._answer_to(institution, answer, record)

    @staticmethod
    def _answer_to(institution: str, answer: CloudEvent, record: RecordInfo) -> Outgoing:
        return (outbound(institution), record.key.decode(errors="replace") if record.key else None, answer,
                record.headers)

    def _claimed(self, rejection: Rejection) -> bool:
        """True when the type is known and owned by another service, which answers it itself."""
        return rejection.event_type in types.INBOUND_OWNER

    def _read(self, record: RecordInfo, institution: str) -> tuple[CloudEvent | None, Any]:
        if len(record.value) > self._max_bytes:
            raise Rejection(None, None, [error("", f"message of {len(record.value)} bytes exceeds the limit "
                                                   f"of {self._max_bytes} bytes")])
        if json_depth_exceeds(record.value, MAX_JSON_DEPTH):
            raise Rejection(None, None, [error("", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")])
        try:
            document = json.loads(record.value)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise Rejection(None, None, [error("", f"malformed JSON: {exc}")]) from exc
        if not isinstance(document, dict):
            raise Rejection(None, None, [error("", "the record value must be a JSON object (a CloudEvent)")])
        if "specversion" not in document and any(name.lower().startswith("ce_") for name in record.headers):
            raise Rejection(None, None, [error("", "CloudEvents binary mode is not accepted: the record value "
                                                   "must be the whole event (structured mode, docs/contract.md 3)")])
        event_id = document.get("id") if isinstance(document.get("id"), str) else None
        event_type = document.get("type") if isinstance(document.get("type"), str) else None
        if event_type not in types.INBOUND_TYPES:
            message = "unknown event type" if event_type else "is required"
            raise Rejection(event_id, event_type, [error("type", message)])
        if event_type not in self._handlers:
            return None, None
        try:
            event = CloudEvent.model_validate(document)
        except ValidationError as exc:
            raise Rejection(event_id, event_type, field_errors(exc), document) from exc
        if event.source != institution_source(institution):
            raise Rejection(event.id, event.type, [error(
                "source", f"must be {institution_source(institution)} on this topic, not {event.source}")], document)
        return event, self._validate_payload(event, document)

    def _validate_payload(self, event: CloudEvent, document: dict[str, Any]) -> Payload:
        model = INBOUND_PAYLOADS[event.type]
        try:
            return model.model_validate(event.data, context={KNOWN_INSTITUTIONS: self._known_institutions()})
        except ValidationError as exc:
            raise Rejection(event.id, event.type, field_errors(exc, "data"), document) from exc

    async def _apply(self, institution: str, event: CloudEvent, payload: Any, record: RecordInfo) -> None:
        inbox_key = Inbox.key(self._service, event.source, event.id)
        seen = await self._inbox.seen(inbox_key)
        if seen is not None:
            metrics.messages.labels(self._service, event.type, "duplicate").inc()
            if seen.get("answer"):
                await self._send_answer(institution, CloudEvent.model_validate(seen["answer"]), record)
            return
        command = InboundCommand(institution=institution, event=event, payload=payload)
        try:
            accepted = await self._handlers[event.type](command)
        except DomainValidationError as exc:
            await self._answer_rejection(institution, record, Rejection(event.id, event.type, exc.errors))
            return
        answer = self._answer_event(event.source, event.id, types.EVENT_ACCEPTED, EventAccepted(
            event_id=event.id, type=event.type, resource_id=accepted.resource_id))
        await self._send_answer(institution, answer, record)
        await self._inbox.remember(inbox_key, answer.model_dump(mode="json"))
        metrics.messages.labels(self._service, event.type, "accepted").inc()

    def _answer_event(self, source: str, event_id: str | None, answer_type: str, body: Any) -> CloudEvent:
        answer_id = derived_event_id("answer", self._service, source, event_id) if event_id else None
        return new_event(answer_type, platform_source(self._service), body, event_id=answer_id)

    async def _answer_rejection(self, institution: str, record: RecordInfo, rejection: Rejection) -> None:
        body = EventRejected(event_id=rejection.event_id, type=rejection.event_type, errors=rejection.errors)
        answer = self._answer_event(institution_source(institution), rejection.event_id, types.EVENT_REJECTED, body)
        await self._send_answer(institution, answer, record)
        metrics.messages.labels(self._service, rejection.event_type or "unknown", "rejected").inc()
        log.info("rejected %s from %s: %s", rejection.event_id, institution,
                 [f"{e.field}: {e.message}" for e in rejection.errors])

    async def _send_answer(self, institution: str, answer: CloudEvent, record: RecordInfo) -> None:
        key = record.key.decode(errors="replace") if record.key else None
        await self._publisher.publish(outbound(institution), key, answer)
