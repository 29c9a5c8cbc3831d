"""Events of the measures service on `cii.internal.measures.v1` (key: situation_id)."""

from datetime import date, datetime

from pydantic import Field

from .codes import MeasureType
from .internal_signalement import InternalEvent

MEASURE_REQUESTED = "ch.vs.cii.internal.measure.requested.v1"
MEASURE_SCHEDULED = "ch.vs.cii.internal.measure.scheduled.v1"
MEASURE_HELD = "ch.vs.cii.internal.measure.held.v1"
MEASURE_STARTED = "ch.vs.cii.internal.measure.started.v1"
MEASURE_CLOSED = "ch.vs.cii.internal.measure.closed.v1"
SITUATION_CLOSED = "ch.vs.cii.internal.situation.closed.v1"
ALERT_RAISED = "ch.vs.cii.internal.alert.raised.v1"
ALERT_CLEARED = "ch.vs.cii.internal.alert.cleared.v1"


class MeasureEvent(InternalEvent):
    measure_id: str
    situation_id: str
    type: MeasureType
    region: str | None = None
    person_pseudonym: str | None = None


class MeasureRequested(MeasureEvent):
    requested_on: date
    requested_by: str


class MeasureScheduled(MeasureEvent):
    date: date
    participants: list[str] = Field(default_factory=list)  # institution codes only


class MeasureHeld(MeasureEvent):
    held_on: date
    recommended_measure: MeasureType | None = None


class MeasureStarted(MeasureEvent):
    started_on: date


class MeasureClosed(MeasureEvent):
    closed_on: date
    reinsertion: bool


class SituationClosed(InternalEvent):
    situation_id: str
    closed_on: date


class AlertRaised(InternalEvent):
    alert_id: str
    kind: str  # CONTRACT_OVERDUE, NO_MEETING, OBJECTIVE_OVERDUE, REVIEW_DUE, PROCURATION_EXPIRING, ...
    situation_id: str | None = None
    measure_id: str | None = None
    region: str | None = None
    due_on: date | None = None
    raised_at: datetime


class AlertCleared(InternalEvent):
    alert_id: str
    cleared_at: datetime
