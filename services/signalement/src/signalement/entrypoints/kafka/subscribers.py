"""Kafka entry points: map inbound and internal events to the service's commands.

Inbound (`cii.inbound.<code>`): this service owns the signalement and transition types and, for the
whole platform, answers what nobody can claim (unreadable JSON, unknown types): `owns_envelope=True`.
Internal: the measures service's facts move situations along; the procuration service's erasures drop
the sealed copies and its procurations feed the co-following projection.
"""

from typing import TYPE_CHECKING

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_procuration as procurations
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.inbound import SignalementSubmitted, TransitionSignaled
from cii_platform.contracts.internal_procuration import PersonErased
from cii_platform.contracts.topics import MEASURES_EVENTS, PROCURATION_EVENTS
from cii_platform.contracts.types import SIGNALEMENT_SUBMITTED, TRANSITION_SIGNALED
from cii_platform.messaging.inbound import Accepted, InboundBatchHandler, InboundCommand, InboundHandler
from cii_platform.messaging.internal import EventHandler
from cii_platform.runtime import ServiceRuntime
from cii_platform.validation import DomainValidationError

from ...service_layer.announcement_checks import Announcer
from ...service_layer.intake import SubmitSignalement
from ...service_layer.transitions import SignalTransition

if TYPE_CHECKING:
    from ...bootstrap import SignalementService


def event_key(event: CloudEvent) -> str:
    """Event ids are unique per source (docs/contract.md 3)."""
    return f"{event.source}|{event.id}"


def register_subscribers(runtime: ServiceRuntime, service: "SignalementService") -> None:
    runtime.consume_inbound(inbound_handlers(service), owns_envelope=True,
                            batch_handlers=inbound_batch_handlers(service))
    runtime.consume_internal([MEASURES_EVENTS, PROCURATION_EVENTS],
                             {**measures_handlers(service), **procuration_handlers(service)},
                             name="signalement-lifecycle")


def inbound_handlers(service: "SignalementService") -> dict[str, InboundHandler]:
    async def on_submitted(command: InboundCommand) -> Accepted:
        situation_id = await service.intake.submit(submit_command(command))
        return Accepted(resource_id=situation_id)

    async def on_transition(command: InboundCommand) -> Accepted:
        payload: TransitionSignaled = command.payload
        unit = command.event.data.get("unit")
        transition_id = await service.transitions.signal(SignalTransition(
            from_institution=command.institution, from_unit=unit if isinstance(unit, str) else None,
            transition_id=payload.transition_id, to_institution=payload.to_institution,
            signaled_on=payload.signaled_on, avs_number=payload.person.avs_number))
        return Accepted(resource_id=transition_id)

    return {SIGNALEMENT_SUBMITTED: on_submitted, TRANSITION_SIGNALED: on_transition}


def submit_command(command: InboundCommand) -> SubmitSignalement:
    payload: SignalementSubmitted = command.payload
    return SubmitSignalement(payload=payload, announcer=Announcer(institution=command.institution),
                             event_id=event_key(command.event), field_prefix="data", trace=command.trace)


def inbound_batch_handlers(service: "SignalementService") -> dict[str, InboundBatchHandler]:
    """Announcements of a polled batch are recorded together (SignalementIntake.submit_many)."""

    async def on_submitted_batch(commands: list[InboundCommand]) -> list[Accepted | DomainValidationError]:
        outcomes = await service.intake.submit_many([submit_command(command) for command in commands])
        return [outcome if isinstance(outcome, DomainValidationError) else Accepted(resource_id=outcome)
                for outcome in outcomes]

    return {SIGNALEMENT_SUBMITTED: on_submitted_batch}


def measures_handlers(service: "SignalementService") -> dict[str, EventHandler]:
    """A measure held or started opens the situation; the measures service's closure closes it."""

    async def on_measure_running(event: CloudEvent) -> None:
        fact = measures.MeasureEvent.model_validate(event.data)
        await service.lifecycle.measure_running(fact.situation_id, event_key(event), event.time)

    async def on_situation_closed(event: CloudEvent) -> None:
        fact = measures.SituationClosed.model_validate(event.data)
        await service.lifecycle.situation_closed(fact.situation_id, event_key(event), event.time,
                                                 closed_on=fact.closed_on, outcome=fact.outcome)

    return {measures.MEASURE_HELD: on_measure_running, measures.MEASURE_STARTED: on_measure_running,
            measures.SITUATION_CLOSED: on_situation_closed}


def procuration_handlers(service: "SignalementService") -> dict[str, EventHandler]:
    """Erasures drop the sealed copies; procurations feed the co-following projection of the lists."""

    async def on_person_erased(event: CloudEvent) -> None:
        erased = PersonErased.model_validate(event.data)
        service.forget_keys(erased.person_pseudonym)
        await service.situations.mark_erased(erased.person_pseudonym)

    async def on_procuration_recorded(event: CloudEvent) -> None:
        recorded = procurations.ProcurationRecorded.model_validate(event.data)
        await service.grants.record(recorded.procuration_id, {
            "person_pseudonym": recorded.person_pseudonym, "parties": recorded.parties,
            "categories": recorded.categories, "purposes": recorded.purposes, "status": recorded.status,
            "valid_from": recorded.valid_from.isoformat(), "valid_until": recorded.valid_until.isoformat()})

    async def on_procuration_status(event: CloudEvent) -> None:
        changed = procurations.ProcurationStatusEvent.model_validate(event.data)
        if changed.status == "SUPERSEDED":  # in force until its successor starts (the consent rule)
            await service.grants.record(changed.procuration_id, {
                "person_pseudonym": changed.person_pseudonym,
                "superseded_on": changed.effective_on.isoformat()})
            return
        await service.grants.set_status(changed.procuration_id, changed.person_pseudonym, changed.status)

    return {
        procurations.PERSON_ERASED: on_person_erased, procurations.PROCURATION_RECORDED: on_procuration_recorded,
        procurations.PROCURATION_REVOKED: on_procuration_status,
        procurations.PROCURATION_SUPERSEDED: on_procuration_status,
        procurations.PROCURATION_EXPIRED: on_procuration_status,
    }
