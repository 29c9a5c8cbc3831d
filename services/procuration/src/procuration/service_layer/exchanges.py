"""The consent-gated exchange (policy enforcement point): request -> decision -> fulfil or deny ->
provided -> decision again -> deliver only what is still permitted; unanswered requests time out.

The fulfil (it names the person's AVS number) and the delivery (the provider's sections) are published
directly, never through the outbox, so they never rest in the store: a crash before publishing is
covered by the redelivery of the inbound event, and their ids are derived from the request (deduped).
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cii_platform.clock import Clock
from cii_platform.consent.policy import Decision
from cii_platform.contracts import types
from cii_platform.contracts.inbound import ExchangeProvided, ExchangeRequested, PersonRef
from cii_platform.contracts.outbound import ExchangeDelivered, ExchangeFulfil
from cii_platform.contracts.topics import outbound
from cii_platform.messaging.publisher import EventPublisher
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.validation import DomainValidationError, error

from ..domain.exchange import ExchangeStatus, permitted_sections, section_digests
from . import events
from .audit import Action, AuditEvent, AuditTrail, system_actor
from .decisions import DecisionPoint
from .ports import ExchangeRepository


@dataclass(frozen=True)
class RequestExchange:
    requester: str
    payload: ExchangeRequested
    actor: dict[str, Any]


@dataclass(frozen=True)
class DeliverExchange:
    provider: str
    payload: ExchangeProvided
    actor: dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    """Per-category decisions of one exchange step."""

    permitted: list[str]
    denied: list[str]
    reason: str | None
    procuration_id: str | None


def verdict_of(decisions: dict[str, Decision]) -> Verdict:
    permitted = sorted(c for c, d in decisions.items() if d.permitted)
    denied = sorted(c for c, d in decisions.items() if not d.permitted)
    reasons = sorted({decisions[c].reason for c in denied})
    procuration = next((decisions[c].procuration_id for c in permitted), None) or next(
        (decisions[c].procuration_id for c in denied if decisions[c].procuration_id), None)
    return Verdict(permitted, denied, ",".join(reasons) or None, procuration)


class ExchangeBroker:
    def __init__(self, repository: ExchangeRepository, decisions: DecisionPoint, publisher: EventPublisher,
                 pseudonymizer: Pseudonymizer, audit: AuditTrail, clock: Clock, timeout_seconds: float) -> None:
        self._repository = repository
        self._decisions = decisions
        self._publisher = publisher
        self._pseudonymizer = pseudonymizer
        self._audit = audit
        self._clock = clock
        self._timeout = timedelta(seconds=timeout_seconds)

    async def _verdict(self, requester: str, provider: str, person_pseudonym: str, categories: list[str],
                       purpose: str) -> Verdict:
        decisions = {category: await self._decisions.evaluate(
            requester=requester, person_pseudonym=person_pseudonym, category=category, purpose=purpose,
            provider=provider) for category in categories}
        return verdict_of(decisions)

    async def request(self, command: RequestExchange) -> str:
        payload = command.payload
        if payload.provider == command.requester:
            raise DomainValidationError([error("provider", "must be another institution than the requester")])
        document = await self._repository.get(payload.request_id)
        if document is None:
            document = await self._open(command)
        if document["requester"] != command.requester:
            raise DomainValidationError([error("request_id", "already used by another request")])
        if document["status"] == ExchangeStatus.AWAITING_PROVIDER.value and not document.get("fulfil_sent"):
            await self._send_fulfil(document, payload.person)
        return payload.request_id

    async def _open(self, command: RequestExchange) -> dict[str, Any]:
        payload = command.payload
        pseudonym = self._pseudonymizer.person(payload.person.avs_number)
        categories = [c.value for c in payload.categories]
        verdict = await self._verdict(command.requester, payload.provider, pseudonym, categories,
                                      payload.purpose.value)
        now = self._clock.now()
        document = {
            "_id": payload.request_id, "requester": command.requester, "provider": payload.provider,
            "person_pseudonym": pseudonym, "categories": categories, "purpose": payload.purpose.value,
            "permitted": verdict.permitted, "denied": verdict.denied, "denial_reason": verdict.reason,
            "procuration_id": verdict.procuration_id, "requested_at": now, "deadline": now + self._timeout,
            "status": (ExchangeStatus.AWAITING_PROVIDER if verdict.permitted else ExchangeStatus.DENIED).value,
            "fulfil_sent": False}
        denied = [events.exchange_denied(command.requester, payload.request_id, verdict.denied,
                                         verdict.reason or "", "request")] if verdict.denied else []
        awaiting = [events.exchange_awaiting(document)] if verdict.permitted else []
        if not await self._repository.create(document, [*denied, *awaiting]):
            return await self._repository.get(payload.request_id) or document
        await self._audit_step(command.actor, Action.EXCHANGE_REQUESTED, document, "RECEIVED", categories)
        if verdict.denied:
            await self._audit_step(command.actor, Action.EXCHANGE_DENIED, document, "DENIED", verdict.denied,
                                   reason=verdict.reason)
        return document

    async def _send_fulfil(self, document: dict[str, Any], person: PersonRef) -> None:
        payload = ExchangeFulfil(
            request_id=document["_id"], requester=document["requester"], person=person,
            categories=document["permitted"], purpose=document["purpose"],
            procuration_id=document["procuration_id"])
        event = events.exchange_answer(types.EXCHANGE_FULFIL, document["_id"], payload, "fulfil")
        await self._publisher.publish(outbound(document["provider"]), document["_id"], event)
        await self._repository.mark(document["_id"], "fulfil_sent")
        await self._audit_step(system_actor("exchange"), Action.EXCHANGE_FULFIL, document, "SENT",
                               document["permitted"], provider=document["provider"])

    async def _audit_step(self, actor: dict[str, Any], action: str, document: dict[str, Any], outcome: str,
                          categories: list[str], **details: Any) -> None:
        await self._audit.record(AuditEvent(
            actor=actor, action=action, person_pseudonym=document["person_pseudonym"], outcome=outcome,
            categories=categories, purpose=document["purpose"], procuration_id=document.get("procuration_id"),
            details={"request_id": document["_id"], "requester": document["requester"],
                     "provider": document["provider"], **details}))

    async def person_of(self, request_id: str) -> str | None:
        document = await self._repository.get(request_id)
        return str(document["person_pseudonym"]) if document else None

    async def deliver(self, command: DeliverExchange) -> str:
        payload = command.payload
        document = await self._repository.get(payload.request_id)
        if document is not None and document["provider"] != command.provider:
            # another institution answers an exchange addressed to someone else: refused, and audited
            await self._audit.record(AuditEvent(
                actor=command.actor, action=Action.REFUSED, person_pseudonym=document["person_pseudonym"],
                outcome="REFUSED", categories=sorted(payload.sections), purpose=document["purpose"],
                details={"request_id": document["_id"], "provider": document["provider"],
                         "answered_by": command.provider, "reason": "not_the_provider"}))
        if document is None or document["provider"] != command.provider:
            raise DomainValidationError([error("request_id", "no request of this id awaits your answer")])
        sections = {category.value: body for category, body in payload.sections.items()}
        status = document["status"]
        if status == ExchangeStatus.DELIVERED.value and not document.get("delivered_sent"):
            await self._send_delivery(document, permitted_sections(sections, document["delivered"]))
        elif status == ExchangeStatus.AWAITING_PROVIDER.value:
            await self._deliver_now(command, document, sections)
        elif status != ExchangeStatus.DELIVERED.value:
            raise DomainValidationError([error("request_id", f"the request is closed ({status})")])
        return payload.request_id

    async def _deliver_now(self, command: DeliverExchange, document: dict[str, Any],
                           sections: dict[str, Any]) -> None:
        """Decide again at delivery time: a revocation or expiry since the request stops the data."""
        verdict = await self._verdict(document["requester"], document["provider"], document["person_pseudonym"],
                                      document["permitted"], document["purpose"])
        deliverable = permitted_sections(sections, verdict.permitted)
        over_shared = sorted(set(sections) - set(document["permitted"]))
        denied = [events.exchange_denied(document["requester"], document["_id"], verdict.denied,
                                         verdict.reason or "", "delivery")] if verdict.denied else []
        status = ExchangeStatus.DELIVERED if deliverable else ExchangeStatus.DENIED
        changes = {"delivered": sorted(deliverable), "digests": section_digests(deliverable),
                   "withheld": over_shared, "denied_at_delivery": verdict.denied,
                   "delivered_at": self._clock.now(), "delivered_sent": False}
        if not await self._repository.close(document["_id"], status, changes, denied):
            return  # answered meanwhile (timeout or a concurrent delivery)
        if verdict.denied:
            await self._audit_step(command.actor, Action.EXCHANGE_DENIED, document, "DENIED", verdict.denied,
                                   reason=verdict.reason, step="delivery")
        if deliverable:
            await self._send_delivery({**document, **changes}, deliverable)
        await self._audit_step(command.actor, Action.EXCHANGE_DELIVERED, document, status.value,
                               sorted(deliverable), withheld=over_shared, digests=changes["digests"])

    async def _send_delivery(self, document: dict[str, Any], sections: dict[str, Any]) -> None:
        payload = ExchangeDelivered(request_id=document["_id"], provider=document["provider"],
                                    sections=sections)
        event = events.exchange_answer(types.EXCHANGE_DELIVERED, document["_id"], payload, "delivery")
        await self._publisher.publish(outbound(document["requester"]), document["_id"], event)
        await self._repository.mark(document["_id"], "delivered_sent")

    async def expire_overdue(self) -> int:
        """Answer the requester of every request whose provider did not reply in time."""
        answered = 0
        for document in await self._repository.overdue(self._clock.now()):
            denied = events.exchange_denied(document["requester"], document["_id"], document["permitted"],
                                            "timeout", "timeout")
            if await self._repository.close(document["_id"], ExchangeStatus.TIMED_OUT,
                                            {"timed_out_at": self._clock.now()}, [denied]):
                answered += 1
                await self._audit_step(system_actor("exchange-timeout"), Action.EXCHANGE_DENIED, document, "TIMED_OUT",
                                       document["permitted"], reason="timeout")
        return answered

