"""HTTP bodies and answers of the procuration API (the inbound payloads are the contract's models)."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cii_platform.contracts.codes import DataCategory, Purpose
from cii_platform.contracts.fields import Identifier, InstitutionCode
from cii_platform.contracts.inbound import PersonRef


class Created(BaseModel):
    id: str


class RevokeBody(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    revoked_on: date
    reason: str = Field(min_length=1, max_length=10_000)


class ProcurationPublic(BaseModel):
    id: str
    person_pseudonym: str
    person: dict[str, Any] | None = None
    erased: bool = False
    signed_on: date
    valid_from: date
    valid_until: date
    parties: list[str]
    categories: list[str]
    purposes: list[str]
    document_sha256: str
    status: str
    recorded_by: str
    revoked_on: date | None = None
    superseded_by: str | None = None
    superseded_on: date | None = None
    document_stored: bool = False  # the signed form itself is kept, sealed (PUT .../document)


class SignedFormPublic(BaseModel):
    """The signed form kept sealed: what it is, never its content."""

    procuration_id: str
    sha256: str
    size: int
    content_type: str
    stored_at: datetime


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    requester: InstitutionCode
    person: PersonRef
    category: DataCategory
    purpose: Purpose


class DecisionPublic(BaseModel):
    decision: str
    reason: str
    procuration_id: str | None


class VerificationPublic(BaseModel):
    """`valid` and `entries` (the contract); the first bad entry, or the deleted tail, when invalid."""

    valid: bool
    entries: int
    first_broken: int | None = Field(None, description="sequence number of the first entry that does not hold")
    problem: str | None = None
    missing_from: int | None = Field(None, description="first entry of a deleted tail (anchors count more)")
    missing_to: int | None = Field(None, description="last entry of a deleted tail")
    checkpoint_entries: int | None = Field(
        None, description="entries counted by the latest signed checkpoint published outside the store")


class ErasurePublic(BaseModel):
    person_pseudonym: str
    erased: bool
    erased_at: datetime | None


class KeyIssueRequest(BaseModel):
    person_pseudonym: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    category: DataCategory
    controller: str = Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$")


KEY_ID_PATTERN = r"^[A-Za-z0-9_.:-]+/[A-Z_]+(/[A-Z0-9_]+)?$"  # person/category[/controller]


class KeyMigrateRequest(BaseModel):
    """A former shared key (person/category), for a service re-sealing its stored sections."""

    key_id: str = Field(min_length=3, max_length=140, pattern=r"^[A-Za-z0-9_.:-]+/[A-Z_]+$")
    controller: str = Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$")


class KeyMigrated(BaseModel):
    legacy_key: str
    key_id: str
    key: str


class AuditActor(BaseModel):
    """Who acted, as a service relays it for the audit log (Principal.audit_actor): typed, so that nothing the
    store cannot hold (an integer beyond 64 bits, a nested document) reaches the trail."""

    model_config = ConfigDict(extra="ignore")

    subject: str = Field(max_length=200)
    institution: str = Field(max_length=20)
    roles: list[str] = Field(default_factory=list, max_length=20)
    name: str | None = Field(None, max_length=200)  # the person's full name, for the access report


class KeyReleaseRequest(BaseModel):
    key_id: str = Field(min_length=3, max_length=160, pattern=KEY_ID_PATTERN)
    institution: str = Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$")
    purpose: Purpose
    actor: AuditActor | None = None
    resource: str | None = Field(None, max_length=200)


class KeyPublic(BaseModel):
    key_id: str
    key: str


MAX_KEYS_PER_BATCH = 2000


class KeyIssueBatch(BaseModel):
    """Up to 2,000 keys at once (a consumer's polled batch of announcements)."""

    keys: list[KeyIssueRequest] = Field(min_length=1, max_length=MAX_KEYS_PER_BATCH)


class KeyIssued(BaseModel):
    """One answer of a batch, in the order asked: the key, or `erased` (the person's data was erased)."""

    key_id: str
    key: str | None = None
    erased: bool = False


class KeyIssuedBatch(BaseModel):
    keys: list[KeyIssued]


class ReadRecord(BaseModel):
    """A read of personal data by another service, for the audit log (no content, only who and what)."""

    person_pseudonym: str = Field(min_length=3, max_length=100)
    actor: AuditActor
    categories: list[DataCategory] = Field(default_factory=list)
    purpose: Purpose | None = None
    resource: Identifier | None = None
    outcome: str = Field("READ", max_length=40)
