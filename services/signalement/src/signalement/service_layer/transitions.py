"""Network-CII hand-overs (ORP -> CMS, CMS -> ORP, BIP -> ORP...): validated, pseudonymised, published
for reporting, and notified to the receiving institution on its outbound topic."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from cii_platform.clock import Clock
from cii_platform.contracts.envelope import derived_event_id
from cii_platform.contracts.internal_signalement import (
    TRANSITION_NOTIFIED,
    TRANSITION_RECORDED,
    TransitionNotified,
    TransitionRecorded,
)
from cii_platform.contracts.outbound import FieldError
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, outbound
from cii_platform.messaging.outbox import new_document_outbox
from cii_platform.reference import ReferenceData
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.validation import DomainValidationError, error

from .event_builders import entry
from .ports import TransitionRepository


@dataclass(frozen=True)
class SignalTransition:
    from_institution: str
    from_unit: str | None
    transition_id: str
    to_institution: str
    signaled_on: date
    avs_number: str
    field_prefix: str = "data"


class TransitionIntake:
    def __init__(self, repository: TransitionRepository, pseudonymizer: Pseudonymizer, reference: ReferenceData,
                 clock: Clock, notify: Callable[[], None]) -> None:
        self._repository = repository
        self._pseudonymizer = pseudonymizer
        self._reference = reference
        self._clock = clock
        self._notify = notify

    async def signal(self, command: SignalTransition) -> str:
        errors = self._errors(command)
        if errors:
            prefix = command.field_prefix
            raise DomainValidationError([error(f"{prefix}.{e.field}" if prefix else e.field, e.message)
                                         for e in errors])
        transition_key = derived_event_id("transition", command.from_institution, command.transition_id)
        recorded = TransitionRecorded(
            transition_id=command.transition_id, from_institution=command.from_institution,
            from_unit=command.from_unit, to_institution=command.to_institution, signaled_on=command.signaled_on,
            person_pseudonym=self._pseudonymizer.person(command.avs_number))
        notice = TransitionNotified.model_validate(recorded.model_dump())
        outbox = [entry(SIGNALEMENT_EVENTS, command.transition_id, TRANSITION_RECORDED, recorded, transition_key),
                  entry(outbound(command.to_institution), command.transition_id, TRANSITION_NOTIFIED, notice,
                        transition_key)]
        document = {"_id": transition_key, **recorded.model_dump(mode="json"), "recorded_at": self._clock.now(),
                    **new_document_outbox(outbox)}
        if await self._repository.insert(document):
            self._notify()
        return transition_key  # the same transition signaled again keeps its first record

    def _errors(self, command: SignalTransition) -> list[FieldError]:
        errors = []
        if command.to_institution == command.from_institution:
            errors.append(error("to_institution", "must be another institution than the sender"))
        if command.signaled_on > self._clock.today():
            errors.append(error("signaled_on", f"{command.signaled_on} is in the future"))
        institution = self._reference.institution(command.from_institution)
        units = institution.units if institution else []
        if command.from_unit is not None and command.from_unit not in units:
            errors.append(error("unit", f"unknown unit {command.from_unit!r} of {command.from_institution}"))
        return errors
