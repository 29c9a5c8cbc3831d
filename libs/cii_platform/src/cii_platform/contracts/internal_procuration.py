"""Events of the procuration service on `cii.internal.procuration.v1` (key: person pseudonym)."""

from datetime import date, datetime

from .internal_signalement import InternalEvent

PROCURATION_RECORDED = "ch.vs.cii.internal.procuration.recorded.v1"
PROCURATION_REVOKED = "ch.vs.cii.internal.procuration.revoked.v1"
PROCURATION_SUPERSEDED = "ch.vs.cii.internal.procuration.superseded.v1"
PROCURATION_EXPIRING = "ch.vs.cii.procuration.expiring.v1"
PROCURATION_EXPIRED = "ch.vs.cii.procuration.expired.v1"
PERSON_ERASED = "ch.vs.cii.internal.person.erased.v1"


class ProcurationRecorded(InternalEvent):
    procuration_id: str
    person_pseudonym: str
    signed_on: date
    valid_from: date
    valid_until: date
    parties: list[str]
    categories: list[str]
    purposes: list[str]
    status: str
    recorded_by: str


class ProcurationStatusEvent(InternalEvent):
    """Revoked, superseded, expiring (30 days before valid_until) or expired."""

    procuration_id: str
    person_pseudonym: str
    status: str
    valid_until: date
    effective_on: date
    superseded_by: str | None = None


class PersonErased(InternalEvent):
    person_pseudonym: str
    erased_at: datetime
