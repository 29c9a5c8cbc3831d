"""Kafka entry points: inbound events of institutions and the situation events of the other services,
each mapped to the same command the HTTP routes use."""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from cii_platform.contracts import types
from cii_platform.contracts.avs import validate_avs
from cii_platform.contracts.codes import TriageDecision
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.internal_measures import SITUATION_CLOSED, SituationClosed
from cii_platform.contracts.internal_signalement import (
    SITUATION_RECORDED,
    SITUATION_STATUS_CHANGED,
    SITUATION_TRIAGED,
    SituationRecorded,
    SituationStatusChanged,
    SituationTriaged,
)
from cii_platform.contracts.topics import MEASURES_EVENTS, SIGNALEMENT_EVENTS
from cii_platform.messaging.inbound import Accepted, InboundCommand, InboundHandler, Rejection
from cii_platform.validation import DomainValidationError, error

from ...service_layer.audit import Action, AuditEvent, institution_actor
from ...service_layer.exchanges import DeliverExchange, RequestExchange
from ...service_layer.procurations import RecordProcuration, RevokeProcuration

if TYPE_CHECKING:
    from ...bootstrap import ProcurationService


def _as_inbound(service: "ProcurationService",
                apply: Callable[[InboundCommand], Awaitable[str]]) -> InboundHandler:
    """Errors of the shared handlers name payload fields; on Kafka they live under `data.`."""
    async def handle(command: InboundCommand) -> Accepted:
        try:
            resource_id = await apply(command)
        except DomainValidationError as exc:
            raise DomainValidationError(
                [error(f"data.{e.field}" if e.field else "data", e.message) for e in exc.errors]) from exc
        finally:
            service.runtime.notify_outbox()
        return Accepted(resource_id)
    return handle


def register_subscribers(service: "ProcurationService") -> None:
    def actor(command: InboundCommand) -> dict[str, object]:
        return institution_actor(command.institution, command.event.id)

    service.runtime.consume_inbound({
        types.PROCURATION_SIGNED: _as_inbound(service, lambda c: service.registry.record(
            RecordProcuration(c.institution, c.payload, actor(c)))),
        types.PROCURATION_REVOKED: _as_inbound(service, lambda c: service.registry.revoke(
            RevokeProcuration(c.institution, c.payload, actor(c)))),
        types.EXCHANGE_REQUESTED: _as_inbound(service, lambda c: service.exchanges.request(
            RequestExchange(c.institution, c.payload, actor(c)))),
        types.EXCHANGE_PROVIDED: _as_inbound(service, lambda c: service.exchanges.deliver(
            DeliverExchange(c.institution, c.payload, actor(c)))),
    }, on_refused=lambda institution, rejection: audit_refusal(service, institution, rejection))
    register_situation_tracking(service)


async def person_named_by(service: "ProcurationService", data: Any) -> str | None:
    """The pseudonym of the person a refused event names: by AVS number, or through the exchange or
    the procuration it refers to."""
    if not isinstance(data, dict):
        return None
    person = data.get("person")
    if isinstance(person, dict) and isinstance(person.get("avs_number"), str):
        try:
            return service.runtime.pseudonymizer.person(validate_avs(person["avs_number"]))
        except ValueError:
            return None
    if isinstance(data.get("request_id"), str):
        return await service.exchanges.person_of(data["request_id"])
    if isinstance(data.get("procuration_id"), str):
        procuration = await service.procurations.get(data["procuration_id"])
        return procuration.person_pseudonym if procuration else None
    return None


async def audit_refusal(service: "ProcurationService", institution: str, rejection: Rejection) -> None:
    """Every refused event of an institution (a spoofed source, an invalid payload) is audited, in the
    access report of the person it names."""
    document = rejection.document or {}
    await service.audit.record(AuditEvent(
        actor={**institution_actor(institution, str(rejection.event_id)),
               "claimed_source": str(document.get("source"))[:200]},
        action=Action.REFUSED, person_pseudonym=await person_named_by(service, document.get("data")),
        outcome="REFUSED", details={"event_type": rejection.event_type, "channel": "kafka",
                                    "errors": [f"{e.field}: {e.message}"[:300] for e in rejection.errors[:10]]}))


def register_situation_tracking(service: "ProcurationService") -> None:
    """Which persons have an open situation: the expiry watch only concerns them."""
    situations = service.situations

    async def recorded(event: CloudEvent) -> None:
        situation = SituationRecorded.model_validate(event.data)
        await situations.record(situation.situation_id, situation.person_pseudonym, situation.status,
                                situation.announced_on)

    async def status_changed(event: CloudEvent) -> None:
        change = SituationStatusChanged.model_validate(event.data)
        await situations.set_status(change.situation_id, change.status, change.changed_at.date())

    async def triaged(event: CloudEvent) -> None:
        triage = SituationTriaged.model_validate(event.data)
        if triage.decision == TriageDecision.REJECT:  # a rejected situation never opens
            await situations.set_status(triage.situation_id, "REJECTED", triage.triaged_at.date())

    async def closed(event: CloudEvent) -> None:
        closure = SituationClosed.model_validate(event.data)
        await situations.set_status(closure.situation_id, "CLOSED", closure.closed_on)

    service.runtime.consume_internal([SIGNALEMENT_EVENTS, MEASURES_EVENTS], {
        SITUATION_RECORDED: recorded, SITUATION_STATUS_CHANGED: status_changed, SITUATION_TRIAGED: triaged,
        SITUATION_CLOSED: closed})
