"""HTTP schemas: the request bodies and what a caller gets back (families Create / Public / Summary)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from cii_platform.contracts.codes import TriageDecision
from cii_platform.contracts.fields import Text


class SituationCreated(BaseModel):
    id: str


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    decision: TriageDecision
    reason: Text | None = None


class PersonPublic(BaseModel):
    avs_number: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    region: str
    education_level: str
    residence_permit: str | None = None
    language: str | None = None


class TriagePublic(BaseModel):
    decision: str
    reason: str | None = None  # only for a caller allowed to read the person's data
    triaged_at: datetime
    triaged_by: str


class VersionPublic(BaseModel):
    version: int
    recorded_at: datetime
    announced_on: date
    situation_type: str
    public: str
    gravity_index: float
    gravity_policy: str


class SituationSummary(BaseModel):
    """What a list shows: no personal data beyond the pseudonym."""

    id: str
    version: int
    status: str
    decision: str | None = None
    institution: str
    recorded_by: str
    unit: str | None = None
    external_ref: str
    announced_on: date
    person_pseudonym: str
    region: str
    public: str
    situation_type: str
    requested_measure: str | None = None
    gravity_index: float
    gravity_policy: str
    themes: list[str]
    routing: dict[str, Any]
    triage_due_on: date
    triage_overdue: bool
    erased: bool = False


class SituationPublic(SituationSummary):
    sex: str
    birth_year: int
    age: int
    education_level: str
    risk_factors: list[str]
    employment_gap: str
    follow_up_started_on: date
    co_following: list[str]
    procuration_id: str | None = None
    asylum: bool
    linked_situations: list[str]
    triage: TriagePublic | None = None
    versions: list[VersionPublic]
    person_access: str  # GRANTED, DENIED (no procuration), ERASED, NOT_AUTHORIZED (role without access)
    person: PersonPublic | None = None
    summary: str | None = None
    announcer: dict[str, Any] | None = None
