"""Events of the measures service on `cii.internal.measures.v1` (key: situation_id).

Reporting counts a measure in the year it was held (TRO, ASSESSMENT) or started (the others), and the
reinsertion share of the coachings closed in the year: those events carry type, dates and reinsertion.
Free text (minutes, final report, disagreement reasons) never travels: only the fact that it exists.
"""

from datetime import date, datetime

from pydantic import Field

from .codes import MeasureType
from .internal_signalement import InternalEvent

MEASURE_REQUESTED = "ch.vs.cii.internal.measure.requested.v1"
MEASURE_SCHEDULED = "ch.vs.cii.internal.measure.scheduled.v1"
MEASURE_HELD = "ch.vs.cii.internal.measure.held.v1"
MEASURE_STARTED = "ch.vs.cii.internal.measure.started.v1"
MEASURE_CLOSED = "ch.vs.cii.internal.measure.closed.v1"
MEASURE_CANCELLED = "ch.vs.cii.internal.measure.cancelled.v1"
SITUATION_CLOSED = "ch.vs.cii.internal.situation.closed.v1"
ALERT_RAISED = "ch.vs.cii.internal.alert.raised.v1"
ALERT_CLEARED = "ch.vs.cii.internal.alert.cleared.v1"
CASE_MANAGER_DESIGNATED = "ch.vs.cii.internal.case_manager.designated.v1"
OBJECTIVES_CONTRACT_SIGNED = "ch.vs.cii.internal.objectives_contract.signed.v1"
MEETING_LOGGED = "ch.vs.cii.internal.meeting.logged.v1"
REVIEW_RECORDED = "ch.vs.cii.internal.review.recorded.v1"
SITUATION_REVIEWED = "ch.vs.cii.internal.situation.reviewed.v1"
PREFINANCING_DECIDED = "ch.vs.cii.internal.prefinancing.decided.v1"
PREFINANCING_SETTLED = "ch.vs.cii.internal.prefinancing.settled.v1"
DISAGREEMENT_RAISED = "ch.vs.cii.internal.disagreement.raised.v1"
DISAGREEMENT_DECIDED = "ch.vs.cii.internal.disagreement.decided.v1"

# Alert kinds (AlertRaised.kind)
CONTRACT_OVERDUE = "CONTRACT_OVERDUE"
NO_MEETING = "NO_MEETING"
OBJECTIVE_OVERDUE = "OBJECTIVE_OVERDUE"
REVIEW_DUE = "REVIEW_DUE"
PROCURATION_EXPIRING_ALERT = "PROCURATION_EXPIRING"
PROCURATION_EXPIRED_ALERT = "PROCURATION_EXPIRED"
PROCURATION_REVOKED_ALERT = "PROCURATION_REVOKED"


class MeasureEvent(InternalEvent):
    measure_id: str
    situation_id: str
    type: MeasureType
    region: str | None = None
    person_pseudonym: str | None = None
    requested_by: str | None = None  # the requesting institution (who pays the variable costs)
    public: str | None = None


class MeasureRequested(MeasureEvent):
    requested_on: date
    requested_by: str
    origin_measure_id: str | None = None  # the TRO/assessment whose outcome created this measure


class MeasureScheduled(MeasureEvent):
    date: date
    participants: list[str] = Field(default_factory=list)  # institution codes only


class MeasureHeld(MeasureEvent):
    held_on: date
    recommended_measure: MeasureType | None = None
    follow_up_measure_id: str | None = None


class MeasureStarted(MeasureEvent):
    started_on: date
    case_manager_institution: str | None = None


class MeasureClosed(MeasureEvent):
    closed_on: date
    reinsertion: bool
    started_on: date | None = None
    final_report_recorded: bool = False


class MeasureCancelled(MeasureEvent):
    """A requested or scheduled measure that will not take place; the reason is a code."""

    cancelled_on: date
    reason: str


# Why a situation ended (SituationClosed.outcome): the one fact the network, the bureau and the notifier read.
OUTCOME_MEASURES_COMPLETED = "MEASURES_COMPLETED"  # its last measure closed (reason REINSERTION / NO_REINSERTION)
OUTCOME_REDIRECTED_NETWORK = "REDIRECTED_NETWORK"  # triaged to a network CII
OUTCOME_REDIRECTED_SIMPLE = "REDIRECTED_SIMPLE"  # triaged to a simple CII
OUTCOME_REJECTED = "REJECTED"  # rejected at triage
OUTCOME_NO_FURTHER_MEASURE = "NO_FURTHER_MEASURE"  # a TRO or assessment recommended no further measure
OUTCOME_MEASURE_CANCELLED = "MEASURE_CANCELLED"  # its last requested measure was cancelled
OUTCOME_CLOSED_BY_COORDINATOR = "CLOSED_BY_COORDINATOR"  # a manual closure, with a reason code
CLOSURE_OUTCOMES = (OUTCOME_MEASURES_COMPLETED, OUTCOME_REDIRECTED_NETWORK, OUTCOME_REDIRECTED_SIMPLE,
                    OUTCOME_REJECTED, OUTCOME_NO_FURTHER_MEASURE, OUTCOME_MEASURE_CANCELLED,
                    OUTCOME_CLOSED_BY_COORDINATOR)


class SituationClosed(InternalEvent):
    """The situation ended, whatever the way (outcome); reason is a code, never free text."""

    situation_id: str
    closed_on: date
    region: str | None = None
    closing_measure_id: str | None = None
    network: list[str] = Field(default_factory=list)  # institutions informed of the closure
    outcome: str = OUTCOME_MEASURES_COMPLETED
    reason: str | None = None  # a code: REINSERTION, a triage decision, a manual closure reason...
    closed_by: str | None = None  # the institution that closed it by hand (BUREAU), None when automatic


class AlertRaised(InternalEvent):
    alert_id: str
    kind: str  # CONTRACT_OVERDUE, NO_MEETING, OBJECTIVE_OVERDUE, REVIEW_DUE, PROCURATION_EXPIRING, ...
    situation_id: str | None = None
    measure_id: str | None = None
    region: str | None = None
    due_on: date | None = None
    raised_at: datetime
    case_manager: str | None = None  # the case manager's subject, who must act
    detail: str | None = None  # e.g. the objective id


class AlertCleared(InternalEvent):
    alert_id: str
    cleared_at: datetime
    kind: str | None = None
    situation_id: str | None = None
    measure_id: str | None = None
    reason: str | None = None


class CaseManagerDesignated(MeasureEvent):
    case_manager_institution: str
    case_manager: str | None = None  # subject of the respondent's token
    designated_on: date


class ObjectivesContractSigned(MeasureEvent):
    signed_on: date
    due_on: date
    objectives: int
    responsible_institutions: list[str] = Field(default_factory=list)


class MeetingLogged(MeasureEvent):
    meeting_id: str
    held_on: date


class ReviewRecorded(MeasureEvent):
    reviewed_on: date
    next_review_due_on: date


class SituationReviewed(InternalEvent):
    """The coordinator's quarterly follow-up of an open complex situation (seed 001, 5.3 and 5.4)."""

    situation_id: str
    region: str | None = None
    reviewed_on: date
    next_review_due_on: date


class PrefinancingDecided(MeasureEvent):
    decision: str  # PREFINANCED | REFUSED
    decided_on: date
    decided_by: str  # COMMISSION_DROIT


class PrefinancingSettled(MeasureEvent):
    """The advance is charged to the partner found liable, or kept by the fund (charged_to null)."""

    settled_on: date
    charged_to: str | None = None
    amount: float | None = None


class DisagreementRaised(InternalEvent):
    disagreement_id: str
    measure_id: str
    situation_id: str
    raised_by: str
    raised_on: date
    escalated_to: str = "CANTONAL_OFFICER"


class DisagreementDecided(InternalEvent):
    disagreement_id: str
    measure_id: str
    situation_id: str
    decision: str
    decided_on: date


EVENTS: dict[str, type[InternalEvent]] = {
    MEASURE_REQUESTED: MeasureRequested,
    MEASURE_SCHEDULED: MeasureScheduled,
    MEASURE_HELD: MeasureHeld,
    MEASURE_STARTED: MeasureStarted,
    MEASURE_CLOSED: MeasureClosed,
    MEASURE_CANCELLED: MeasureCancelled,
    SITUATION_CLOSED: SituationClosed,
    ALERT_RAISED: AlertRaised,
    ALERT_CLEARED: AlertCleared,
    CASE_MANAGER_DESIGNATED: CaseManagerDesignated,
    OBJECTIVES_CONTRACT_SIGNED: ObjectivesContractSigned,
    MEETING_LOGGED: MeetingLogged,
    REVIEW_RECORDED: ReviewRecorded,
    SITUATION_REVIEWED: SituationReviewed,
    PREFINANCING_DECIDED: PrefinancingDecided,
    PREFINANCING_SETTLED: PrefinancingSettled,
    DISAGREEMENT_RAISED: DisagreementRaised,
    DISAGREEMENT_DECIDED: DisagreementDecided,
}
