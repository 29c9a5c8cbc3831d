"""Events of the signalement service on `cii.internal.signalement.v1` (key: situation_id).

Clear fields are only what statistics and routing need; identity, summary and health travel sealed
(AES-GCM under the person's data keys held by the procuration service).
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ..security.crypto import SealedSection
from .codes import EducationLevel, EmploymentGap, MeasureType, Public, RiskFactor, Sex, SituationType

SITUATION_RECORDED = "ch.vs.cii.internal.situation.recorded.v1"
SITUATION_TRIAGED = "ch.vs.cii.internal.situation.triaged.v1"
SITUATION_STATUS_CHANGED = "ch.vs.cii.internal.situation.status_changed.v1"
TRANSITION_RECORDED = "ch.vs.cii.internal.transition.recorded.v1"

# Sent by the platform on an institution's outbound topic (docs/contract.md section 6 lists only the exchange
# types; these are additions: pseudonyms and codes only, never identity or free text).
TRANSITION_NOTIFIED = "ch.vs.cii.transition.notified.v1"
SITUATION_TRIAGE_NOTIFIED = "ch.vs.cii.signalement.triaged.v1"
SITUATION_ROUTING_NOTIFIED = "ch.vs.cii.signalement.routed.v1"

# The situation's life cycle (issue 3): SUBMITTED -> TRIAGED -> OPEN -> CLOSED.
STATUS_SUBMITTED = "SUBMITTED"
STATUS_TRIAGED = "TRIAGED"
STATUS_OPEN = "OPEN"
STATUS_CLOSED = "CLOSED"


class InternalEvent(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Routing(InternalEvent):
    coordinator_id: str
    region: str | None = None
    theme: str | None = None
    also_notify: list[str] = Field(default_factory=list)


class SituationRecorded(InternalEvent):
    """A situation announced (version 1) or re-announced with the same external_ref (version n)."""

    situation_id: str
    version: int
    institution: str  # the announcing institution; PRIVATE for a private person's announcement
    unit: str | None = None
    external_ref: str
    announced_on: date
    person_pseudonym: str
    sex: Sex
    birth_year: int
    age: int
    region: str
    public: Public
    education_level: EducationLevel
    situation_type: SituationType
    requested_measure: MeasureType | None = None
    risk_factors: list[RiskFactor]
    employment_gap: EmploymentGap
    gravity_index: float
    gravity_policy: str
    follow_up_started_on: date
    co_following: list[str] = Field(default_factory=list)
    procuration_id: str | None = None
    asylum: bool = False
    routing: Routing
    status: str
    linked_situations: list[str] = Field(default_factory=list)
    triage_due_on: date | None = None
    sealed: dict[str, SealedSection] = Field(default_factory=dict)  # by data category: IDENTITY, SOCIAL
    # Added fields (tolerant readers ignore them): who recorded a PRIVATE announcement (T1 or BUREAU),
    # and the themes (YOUNG, ASYLUM) whose coordinators also see the situation.
    recorded_by: str | None = None
    themes: list[str] = Field(default_factory=list)
    recorded_at: datetime | None = None


class SituationTriaged(InternalEvent):
    """A coordinator (or the cantonal officer) triaged a submitted situation; the reason is sealed."""

    situation_id: str
    decision: str
    triaged_at: datetime
    triaged_by: str
    status: str
    reason: SealedSection | None = None  # free text: sealed


class SituationStatusChanged(InternalEvent):
    """Every status change: SUBMITTED -> TRIAGED (triage) -> OPEN (a measure held or started) -> CLOSED."""

    situation_id: str
    previous_status: str
    status: str
    changed_at: datetime
    cause: str | None = None


class TransitionRecorded(InternalEvent):
    """A network-CII hand-over between institutions (ORP -> CMS, BIP -> ORP...), pseudonymised."""

    transition_id: str
    from_institution: str
    to_institution: str
    signaled_on: date
    person_pseudonym: str
    from_unit: str | None = None  # e.g. BIP for an OASI transition BIP -> ORP


class TransitionNotified(InternalEvent):
    """What the receiving institution gets on its outbound topic: codes, date and pseudonym only."""

    transition_id: str
    from_institution: str
    from_unit: str | None = None
    to_institution: str
    signaled_on: date
    person_pseudonym: str


class SituationTriageNotified(InternalEvent):
    """What the announcing institution gets on its outbound topic when its situation is triaged.
    The reason is free text: read it through GET /api/v1/signalements/{id}."""

    situation_id: str
    external_ref: str
    decision: str
    status: str
    triaged_at: datetime



class SituationRoutingNotified(InternalEvent):
    """What an institution the routing also notifies (the T1 platform for a young person) gets on its
    outbound topic: codes, dates and the pseudonym; the person through the API under a procuration."""

    situation_id: str
    version: int
    institution: str
    announced_on: date
    person_pseudonym: str
    region: str
    public: Public
    theme: str | None = None
    coordinator_id: str


# The catalog of the AsyncAPI document (contracts.catalog): internal topic, then outbound topics.
EVENTS: dict[str, type[BaseModel]] = {
    SITUATION_RECORDED: SituationRecorded,
    SITUATION_TRIAGED: SituationTriaged,
    SITUATION_STATUS_CHANGED: SituationStatusChanged,
    TRANSITION_RECORDED: TransitionRecorded,
}
OUTBOUND_EVENTS: dict[str, type[BaseModel]] = {
    TRANSITION_NOTIFIED: TransitionNotified,
    SITUATION_TRIAGE_NOTIFIED: SituationTriageNotified,
    SITUATION_ROUTING_NOTIFIED: SituationRoutingNotified,
}
