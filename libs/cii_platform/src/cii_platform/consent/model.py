"""The procuration (consent) aggregate, shaped after the HL7 FHIR Consent resource: a person, a period,
and one permit provision listing actors (parties), purposes and data classes (categories)."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    ACTIVE = "ACTIVE"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"
    SUPERSEDED = "SUPERSEDED"


def status_on(stored: Status, valid_until: date, superseded_on: date | None, today: date) -> Status:
    """THE rule of a procuration's status on a day: revoked at once; superseded only from its successor's
    start (`superseded_on`); expired after its last valid day. Projections of procurations elsewhere
    (signalement's co-following lists) apply this function, never a copy of it."""
    if stored is Status.REVOKED:
        return Status.REVOKED
    if superseded_on is not None and today >= superseded_on:
        return Status.SUPERSEDED
    if today > valid_until:
        return Status.EXPIRED
    return Status.ACTIVE


def in_force_on(stored: Status, valid_from: date, valid_until: date, superseded_on: date | None,
                today: date) -> bool:
    return status_on(stored, valid_until, superseded_on, today) is Status.ACTIVE and today >= valid_from


@dataclass(frozen=True)
class Procuration:
    procuration_id: str
    person_pseudonym: str
    signed_on: date
    valid_from: date
    valid_until: date  # last valid day (inclusive)
    parties: frozenset[str]
    categories: frozenset[str]
    purposes: frozenset[str]
    document_sha256: str
    recorded_by: str
    status: Status = Status.ACTIVE
    revoked_on: date | None = None
    superseded_by: str | None = None
    superseded_on: date | None = None  # the successor's valid_from: the old one holds until then
    expiring_notified: bool = False

    def status_on(self, today: date) -> Status:
        """The status that holds on `today`, whatever the stored status says (expiry is a date rule)."""
        return status_on(self.status, self.valid_until, self.superseded_on, today)

    def in_force_on(self, today: date) -> bool:
        return in_force_on(self.status, self.valid_from, self.valid_until, self.superseded_on, today)

    def same_terms(self, other: "Procuration") -> bool:
        """A re-sent procuration (same id): accepted only if it says the same thing."""
        return (self.person_pseudonym, self.signed_on, self.valid_from, self.valid_until, self.parties,
                self.categories, self.purposes, self.document_sha256) == (
            other.person_pseudonym, other.signed_on, other.valid_from, other.valid_until, other.parties,
            other.categories, other.purposes, other.document_sha256)

    def is_superseded_by(self, newer: "Procuration") -> bool:
        """Renewal: a later procuration of the same person that covers (at least) the same parties."""
        return (newer.procuration_id != self.procuration_id
                and newer.person_pseudonym == self.person_pseudonym
                and self.status in (Status.ACTIVE, Status.SUPERSEDED) and newer.status is not Status.REVOKED
                and newer.parties >= self.parties
                and (newer.signed_on, newer.valid_from, newer.procuration_id)
                > (self.signed_on, self.valid_from, self.procuration_id))

    def successor_among(self, procurations: list["Procuration"]) -> "Procuration | None":
        """The renewal that supersedes this one first (the earliest valid_from), if any."""
        successors = [p for p in procurations if self.is_superseded_by(p)]
        return min(successors, key=lambda p: (p.valid_from, p.procuration_id)) if successors else None

    def expiry_due(self, today: date, warning_days: int) -> Status | None:
        """What the expiry watch must announce today: EXPIRED, ACTIVE (i.e. expiring) or nothing."""
        current = self.status_on(today)
        if current is Status.EXPIRED and self.status is Status.ACTIVE:
            return Status.EXPIRED
        if current is Status.ACTIVE and not self.expiring_notified and \
                (self.valid_until - today).days <= warning_days:
            return Status.ACTIVE
        return None
