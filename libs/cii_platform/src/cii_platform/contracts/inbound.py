"""Payloads of the inbound event types (docs/contract.md section 5)."""

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from .avs import AvsNumber
from .codes import (
    DataCategory,
    EducationLevel,
    EmploymentGap,
    MeasureType,
    Public,
    Purpose,
    Region,
    RiskFactor,
    Sex,
    SituationType,
)
from .fields import (
    Identifier,
    InstitutionCode,
    IsoDate,
    PartyCode,
    Sha256Hex,
    ShortText,
    Text,
    no_repeats,
    not_empty,
)


class Payload(BaseModel):
    """Tolerant reader: unknown fields are ignored, so adding a field never breaks a consumer."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Announcer(Payload):
    collaborator: ShortText
    respondent: ShortText
    unit: ShortText | None = None
    private_person: StrictBool = False  # "yes" or 0 is an error naming the field, not a guess


class PersonIdentity(Payload):
    avs_number: AvsNumber
    last_name: ShortText
    first_name: ShortText
    birth_date: IsoDate


class PostalAddress(Payload):
    """Where the person receives letters (the closure letter); sealed with the identity."""

    street: ShortText
    postcode: Annotated[str, Field(pattern=r"^[0-9]{4,5}$")]
    locality: ShortText
    care_of: ShortText | None = None  # "c/o", a guardian's or a shelter's name


class AnnouncedPerson(PersonIdentity):
    sex: Sex
    region: Region
    education_level: EducationLevel
    residence_permit: Annotated[str, Field(max_length=20)] | None = None
    language: Annotated[str, Field(pattern=r"^(fr|de)$")] | None = None
    address: PostalAddress | None = None


class PersonRef(Payload):
    avs_number: AvsNumber


class SignalementSubmitted(Payload):
    external_ref: Identifier
    announced_on: IsoDate
    announcer: Announcer
    person: AnnouncedPerson
    public: Public | None = None
    situation_type: SituationType
    requested_measure: MeasureType | None = None
    risk_factors: Annotated[list[RiskFactor], AfterValidator(no_repeats)]
    employment_gap: EmploymentGap
    follow_up_started_on: IsoDate
    co_following: Annotated[list[InstitutionCode], AfterValidator(no_repeats)] = Field(default_factory=list)
    procuration_id: Identifier | None = None
    summary: Text | None = None


class ProcurationSigned(Payload):
    procuration_id: Identifier
    person: PersonIdentity
    signed_on: IsoDate
    valid_from: IsoDate
    valid_until: IsoDate
    parties: Annotated[list[PartyCode], AfterValidator(not_empty), AfterValidator(no_repeats)]
    categories: Annotated[list[DataCategory], AfterValidator(not_empty), AfterValidator(no_repeats)]
    purposes: Annotated[list[Purpose], AfterValidator(not_empty), AfterValidator(no_repeats)]
    document_sha256: Sha256Hex

    @model_validator(mode="after")
    def _period_is_ordered(self) -> "ProcurationSigned":
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until: must be after valid_from")
        return self


class ProcurationRevoked(Payload):
    procuration_id: Identifier
    revoked_on: IsoDate
    reason: Text


class TransitionSignaled(Payload):
    transition_id: Identifier
    to_institution: InstitutionCode
    signaled_on: IsoDate
    person: PersonRef


class CaseloadSnapshot(Payload):
    snapshot_id: Identifier
    year: Annotated[int, Field(ge=2000, le=2100)]
    chunk: Annotated[int, Field(ge=1)]
    chunks: Annotated[int, Field(ge=1, le=10_000)]
    persons: Annotated[list[AvsNumber], Field(max_length=50_000)]

    @model_validator(mode="after")
    def _chunk_in_range(self) -> "CaseloadSnapshot":
        if self.chunk > self.chunks:
            raise ValueError("chunk: must not exceed chunks")
        return self


class ExchangeRequested(Payload):
    request_id: Identifier
    provider: InstitutionCode
    person: PersonRef
    categories: Annotated[list[DataCategory], AfterValidator(not_empty), AfterValidator(no_repeats)]
    purpose: Purpose


class ExchangeProvided(Payload):
    request_id: Identifier
    sections: dict[DataCategory, dict[str, Any]]


INBOUND_PAYLOADS: dict[str, type[Payload]] = {}


def _register() -> None:
    from . import types as t

    INBOUND_PAYLOADS.update({
        t.SIGNALEMENT_SUBMITTED: SignalementSubmitted,
        t.PROCURATION_SIGNED: ProcurationSigned,
        t.PROCURATION_REVOKED: ProcurationRevoked,
        t.TRANSITION_SIGNALED: TransitionSignaled,
        t.CASELOAD_SNAPSHOT: CaseloadSnapshot,
        t.EXCHANGE_REQUESTED: ExchangeRequested,
        t.EXCHANGE_PROVIDED: ExchangeProvided,
    })


_register()
