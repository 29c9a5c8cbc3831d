"""Events of the procuration service on `cii.internal.procuration.v1` (key: person pseudonym)."""

from datetime import date, datetime

from .internal_signalement import InternalEvent

PROCURATION_RECORDED = "ch.vs.cii.internal.procuration.recorded.v1"
PROCURATION_REVOKED = "ch.vs.cii.internal.procuration.revoked.v1"
PROCURATION_SUPERSEDED = "ch.vs.cii.internal.procuration.superseded.v1"
PROCURATION_EXPIRING = "ch.vs.cii.procuration.expiring.v1"
PROCURATION_EXPIRED = "ch.vs.cii.procuration.expired.v1"
PERSON_ERASED = "ch.vs.cii.internal.person.erased.v1"
EXCHANGE_AWAITING = "ch.vs.cii.internal.exchange.awaiting.v1"
AUDIT_CHECKPOINT = "ch.vs.cii.internal.audit.checkpoint.v1"
AUDIT_CHECKPOINT_KEY = "audit-chain"  # every checkpoint on one partition, in order


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
    """Revoked, superseded, expiring (30 days before valid_until) or expired.

    `status` is REVOKED (type PROCURATION_REVOKED, effective at once), SUPERSEDED (PROCURATION_SUPERSEDED,
    effective from `effective_on`, the renewal's valid_from), EXPIRING (PROCURATION_EXPIRING, announced
    once) or EXPIRED (PROCURATION_EXPIRED). Expiring/expired are announced only for persons with an open
    situation (the BI check of seed 000).
    """

    procuration_id: str
    person_pseudonym: str
    status: str
    valid_until: date
    effective_on: date
    superseded_by: str | None = None


class ExchangeAwaiting(InternalEvent):
    """A permitted exchange request now waits for the provider's answer (the fulfil went to its outbound
    topic). The person by pseudonym only, never the AVS number: the notifier tells the provider's respondent."""

    request_id: str
    requester: str
    provider: str
    person_pseudonym: str
    categories: list[str]  # the permitted ones, asked of the provider
    purpose: str
    deadline: datetime


class PersonErased(InternalEvent):
    person_pseudonym: str
    erased_at: datetime


class AuditCheckpoint(InternalEvent):
    """The audit chain's length and head hash, signed with the audit key: the anchor of the chain outside
    the store (GET /api/v1/audit/verify checks the store against the latest one)."""

    entries: int
    head_hash: str
    at: str
    signature: str


# The catalog of the AsyncAPI document (contracts.catalog).
EVENTS: dict[str, type[InternalEvent]] = {
    PROCURATION_RECORDED: ProcurationRecorded,
    PROCURATION_REVOKED: ProcurationStatusEvent,
    PROCURATION_SUPERSEDED: ProcurationStatusEvent,
    PROCURATION_EXPIRING: ProcurationStatusEvent,
    PROCURATION_EXPIRED: ProcurationStatusEvent,
    PERSON_ERASED: PersonErased,
    EXCHANGE_AWAITING: ExchangeAwaiting,
    AUDIT_CHECKPOINT: AuditCheckpoint,
}

