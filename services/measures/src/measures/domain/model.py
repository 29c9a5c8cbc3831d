"""A measure and its lifecycle (seed 000 section 9, docs/contract.md section 7): pure rules, no I/O.

TRO and ASSESSMENT are sessions: requested -> scheduled -> held. The others are follow-ups that run:
requested -> started -> closed. A wrong step raises `InvalidTransition` (409 with the current state);
a date before the step it follows raises `DomainValidationError` naming the field (422).
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from cii_platform.contracts.codes import MeasureType
from cii_platform.security.crypto import SealedSection
from cii_platform.validation import DomainValidationError, error

SESSION_TYPES = frozenset({MeasureType.TRO, MeasureType.ASSESSMENT})
RUNNING_TYPES = frozenset(set(MeasureType) - SESSION_TYPES)
# An outcome recommending one of these creates the measure at once (issue 5).
CREATED_BY_OUTCOME = frozenset({MeasureType.CASE_MANAGEMENT, MeasureType.ASSESSMENT})


class MeasureStatus(StrEnum):
    REQUESTED = "requested"
    SCHEDULED = "scheduled"
    HELD = "held"
    STARTED = "started"
    CLOSED = "closed"
    CANCELLED = "cancelled"


FINISHED = frozenset({MeasureStatus.HELD, MeasureStatus.CLOSED, MeasureStatus.CANCELLED})


class InvalidTransition(Exception):
    def __init__(self, action: str, measure_type: str, current_state: str) -> None:
        super().__init__(f"cannot {action} a {measure_type} measure that is {current_state}")
        self.current_state = current_state


@dataclass(frozen=True)
class MeasureChange:
    """What happened to a measure; mapped to an integration event at the edge."""

    kind: str  # requested, scheduled, held, started, closed, case_manager_designated, ...
    data: dict[str, Any] = field(default_factory=dict)


class SituationRef(BaseModel):
    """What a measure needs to know of its situation: routing, authorization and events."""

    institution: str
    region: str
    public: str
    asylum: bool = False
    situation_type: str
    person_pseudonym: str
    announced_on: date


class Participant(BaseModel):
    institution: str
    # A staff member's name is personal data: sealed like every other (a clear str is a record written
    # before it was, sealed by the start-up migration).
    person_name: SealedSection | str | None = None
    role: str | None = None


class CaseManager(BaseModel):
    institution: str
    subject: str | None = None  # the respondent's token subject; None: any case manager of the institution
    name: str | None = None
    designated_on: date


class Outcome(BaseModel):
    recommended_measure: MeasureType | None = None
    no_further_measure: bool = False  # the session concluded that the CII has nothing more to do
    notes: SealedSection | None = None


class Objective(BaseModel):
    id: str
    text: SealedSection | None = None
    responsible_institution: str
    deadline: date
    achieved_on: date | None = None


class ObjectivesContract(BaseModel):
    signed_on: date
    objectives: list[Objective]


class Meeting(BaseModel):
    id: str
    held_on: date
    minutes: SealedSection | None = None


class Review(BaseModel):
    reviewed_on: date
    reviewer: str


class Prefinancing(BaseModel):
    """Seed 002, 7.4: the fund advances the cost until entitlement is clarified; the Commission droit then
    charges it to the partner found liable, or the fund keeps it when no partner can be charged."""

    decision: str  # PREFINANCED | REFUSED
    decided_on: date
    decided_by: str = "COMMISSION_DROIT"
    settled_on: date | None = None
    charged_to: str | None = None  # after settlement: the liable partner; None: the fund keeps the cost

    @property
    def advance(self) -> bool:
        return self.decision == "PREFINANCED" and self.settled_on is None


class Measure(BaseModel):
    id: str
    situation_id: str
    type: MeasureType
    status: MeasureStatus = MeasureStatus.REQUESTED
    requested_on: date
    requested_by: str
    situation: SituationRef
    origin_measure_id: str | None = None
    scheduled_on: date | None = None
    participants: list[Participant] = Field(default_factory=list)
    held_on: date | None = None
    outcome: Outcome | None = None
    follow_up_measure_id: str | None = None
    started_on: date | None = None
    case_manager: CaseManager | None = None
    contract_due_on: date | None = None
    contract: ObjectivesContract | None = None
    meetings: list[Meeting] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    closed_on: date | None = None
    reinsertion: bool | None = None
    final_report: SealedSection | None = None
    letter_language: str | None = None
    variable_cost: float | None = None
    prefinancing: Prefinancing | None = None
    cancelled_on: date | None = None
    cancel_reason: str | None = None
    version: int = 0
    _changes: list[MeasureChange] = PrivateAttr(default_factory=list)

    # -- creation ------------------------------------------------------------------------------------
    @classmethod
    def request(cls, *, situation_id: str, situation: SituationRef, measure_type: MeasureType,
                requested_on: date, requested_by: str, measure_id: str | None = None,
                origin_measure_id: str | None = None) -> "Measure":
        if requested_on < situation.announced_on:
            raise DomainValidationError([error("requested_on", "must not be before the situation was announced "
                                                               f"({situation.announced_on.isoformat()})")])
        measure = cls(id=measure_id or new_measure_id(), situation_id=situation_id, type=measure_type,
                      requested_on=requested_on, requested_by=requested_by, situation=situation,
                      origin_measure_id=origin_measure_id)
        measure.record("requested")
        return measure

    # -- transitions ---------------------------------------------------------------------------------
    def schedule(self, on: date, participants: list[Participant]) -> None:
        """Also a move of a scheduled session (issue 17: the participants are told again); a move without
        participants keeps the invited ones."""
        self._require("schedule", SESSION_TYPES, {MeasureStatus.REQUESTED, MeasureStatus.SCHEDULED})
        _not_before(on, self.requested_on, "date", "requested_on")
        if self.status == MeasureStatus.SCHEDULED and not participants:
            participants = self.participants
        self.status, self.scheduled_on, self.participants = MeasureStatus.SCHEDULED, on, participants
        self.record("scheduled")

    def hold(self, held_on: date, outcome: Outcome | None, *, variable_cost: float | None) -> "Measure | None":
        """Returns the measure the outcome creates (case management or an assessment), if any."""
        self._require("hold", SESSION_TYPES, {MeasureStatus.SCHEDULED})
        assert self.scheduled_on is not None
        _not_before(held_on, self.scheduled_on, "held_on", "the scheduled date")
        self.status, self.held_on, self.outcome = MeasureStatus.HELD, held_on, outcome
        self.variable_cost = variable_cost
        follow_up = self.follow_up()
        self.follow_up_measure_id = follow_up.id if follow_up else None
        self.record("held")
        return follow_up

    def follow_up(self) -> "Measure | None":
        """The measure a held session's outcome creates (same id every time it is asked)."""
        recommended = self.outcome.recommended_measure if self.outcome else None
        if recommended not in CREATED_BY_OUTCOME or self.held_on is None:
            return None
        assert recommended is not None
        return Measure.request(situation_id=self.situation_id, situation=self.situation,
                               measure_type=recommended, requested_on=self.held_on, requested_by=self.requested_by,
                               measure_id=follow_up_id(self.id, recommended), origin_measure_id=self.id)

    def start(self, started_on: date, *, case_manager: CaseManager | None, contract_due_on: date | None,
              variable_cost: float | None) -> None:
        self._require("start", RUNNING_TYPES, {MeasureStatus.REQUESTED})
        _not_before(started_on, self.requested_on, "started_on", "requested_on")
        self.status, self.started_on, self.variable_cost = MeasureStatus.STARTED, started_on, variable_cost
        if self.type == MeasureType.CASE_MANAGEMENT:
            self.case_manager = case_manager
            self.contract_due_on = contract_due_on
        self.record("started")

    def close(self, closed_on: date, reinsertion: bool, final_report: SealedSection | None,
              letter_language: str) -> None:
        self._require("close", RUNNING_TYPES, {MeasureStatus.STARTED})
        assert self.started_on is not None
        _not_before(closed_on, self.started_on, "closed_on", "started_on")
        self.status, self.closed_on, self.reinsertion = MeasureStatus.CLOSED, closed_on, reinsertion
        self.final_report, self.letter_language = final_report, letter_language
        self.record("closed")

    def cancel(self, cancelled_on: date, reason: str) -> None:
        """A measure requested or scheduled that will not take place (the person declined, moved...)."""
        self._require("cancel", frozenset(MeasureType), {MeasureStatus.REQUESTED, MeasureStatus.SCHEDULED})
        _not_before(cancelled_on, self.requested_on, "cancelled_on", "requested_on")
        self.status, self.cancelled_on, self.cancel_reason = MeasureStatus.CANCELLED, cancelled_on, reason
        self.record("cancelled")

    @property
    def ends_the_situation(self) -> bool:
        """A held session whose outcome says the CII has nothing more to do."""
        return self.status == MeasureStatus.HELD and self.outcome is not None and self.outcome.no_further_measure

    # -- helpers -------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.status not in FINISHED

    @property
    def cost_date(self) -> date | None:
        """The day a variable cost is incurred: the session held or the mandate started."""
        return self.held_on if self.type in SESSION_TYPES else self.started_on

    def _require(self, action: str, types: frozenset[MeasureType], states: set[MeasureStatus]) -> None:
        if self.type not in types or self.status not in states:
            raise InvalidTransition(action, self.type.value, self.status.value)

    def record(self, kind: str, **data: Any) -> None:
        self._changes.append(MeasureChange(kind, data))

    def pop_changes(self) -> list[MeasureChange]:
        changes, self._changes = self._changes, []
        return changes


def new_measure_id() -> str:
    return f"m-{uuid.uuid4().hex}"


def follow_up_id(origin_id: str, measure_type: MeasureType) -> str:
    """Deterministic: holding again after a crash recreates the same measure, never a second one."""
    return f"m-{uuid.uuid5(uuid.NAMESPACE_URL, f'cii:follow-up|{origin_id}|{measure_type}').hex}"


def _not_before(value: date, floor: date, field_name: str, floor_name: str) -> None:
    if value < floor:
        raise DomainValidationError([error(field_name, f"must not be before {floor_name} ({floor.isoformat()})")])
