"""What the audit log records: who, what, about whom, when, under which procuration, with which outcome."""

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from cii_platform.clock import Clock

from ..domain.audit_chain import Verification


class AuditStore(Protocol):
    async def append(self, entry: dict[str, Any], *, durable: bool = True) -> int: ...

    async def tail_is_keyed(self) -> bool: ...

    async def verify(self) -> Verification: ...

    def for_person(self, person_pseudonym: str) -> AsyncIterator[dict[str, Any]]: ...


class Action:
    DECISION = "decision"
    KEY_ISSUE = "key.issue"
    KEY_RELEASE = "key.release"
    KEY_MIGRATE = "key.migrate"
    EXCHANGE_REQUESTED = "exchange.requested"
    EXCHANGE_FULFIL = "exchange.fulfil"
    EXCHANGE_DENIED = "exchange.denied"
    EXCHANGE_DELIVERED = "exchange.delivered"
    PROCURATION_RECORDED = "procuration.recorded"
    PROCURATION_REVOKED = "procuration.revoked"
    PROCURATION_READ = "procuration.read"
    PROCURATION_FORM_STORED = "procuration.form_stored"  # the signed form kept, sealed
    PERSON_ERASED = "person.erased"
    ACCESS_REPORT = "person.access_report"
    CHAIN_KEYED = "audit.chain_keyed"
    REFUSED = "request.refused"  # refused before any decision: wrong caller, spoofed sender, wrong provider
    READ = "personal_data.read"


@dataclass(frozen=True)
class AuditEvent:
    actor: dict[str, Any]
    action: str
    person_pseudonym: str | None
    outcome: str
    categories: Iterable[str] = ()
    purpose: str | None = None
    procuration_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def system_actor(reason: str) -> dict[str, Any]:
    return {"subject": f"system:{reason}", "institution": "BUREAU", "roles": ["service"]}


def institution_actor(institution: str, event_id: str) -> dict[str, Any]:
    """An institution's system acting through Kafka: the subject is the event it sent."""
    return {"subject": f"event:{event_id}", "institution": institution, "roles": ["institution_system"]}


class AuditTrail:
    def __init__(self, store: AuditStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, event: AuditEvent, *, durable: bool = True) -> int:
        return await self._store.append({
            "at": self._clock.now().isoformat(), "actor": event.actor, "action": event.action,
            "person_pseudonym": event.person_pseudonym, "categories": sorted(event.categories),
            "purpose": event.purpose, "procuration_id": event.procuration_id, "outcome": event.outcome,
            "details": event.details}, durable=durable)

    async def verify(self) -> Verification:
        return await self._store.verify()

    async def about(self, person_pseudonym: str) -> list[dict[str, Any]]:
        return [entry async for entry in self._store.for_person(person_pseudonym)]


async def key_the_chain(store: AuditStore, trail: AuditTrail) -> None:
    """Start-up migration: a log written before the chain was keyed gets one keyed entry on top, whose
    MAC pins the former entries' head (idempotent: nothing to do once the tail is keyed)."""
    if not await store.tail_is_keyed():
        await trail.record(AuditEvent(actor=system_actor("audit-key"), action=Action.CHAIN_KEYED,
                                      person_pseudonym=None, outcome="KEYED"))
