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
    sealed: dict[str, SealedSection] = Field(default_factory=dict)


class SituationTriaged(InternalEvent):
    situation_id: str
    decision: str
    triaged_at: datetime
    triaged_by: str
    status: str
    reason: SealedSection | None = None  # free text: sealed


class SituationStatusChanged(InternalEvent):
    situation_id: str
    previous_status: str
    status: str
    changed_at: datetime
    cause: str | None = None


class TransitionRecorded(InternalEvent):
    transition_id: str
    from_institution: str
    to_institution: str
    signaled_on: date
    person_pseudonym: str
