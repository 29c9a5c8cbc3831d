"""The local projection of a situation announced to the signalement service, and its closure here."""

from datetime import date

from pydantic import BaseModel, Field

from cii_platform.contracts.codes import Public, Theme
from cii_platform.security.crypto import SealedSection

from .case_management import REVIEW_EVERY_MONTHS, add_months
from .model import SituationRef

REJECTED = "REJECTED"
CLOSED = "CLOSED"
REJECT_DECISION = "REJECT"
ACCEPT_COMPLEX = "ACCEPT_COMPLEX"


class Situation(BaseModel):
    id: str
    version: int = 1
    institution: str
    region: str
    public: str
    asylum: bool = False
    situation_type: str
    status: str
    triage_decision: str | None = None
    person_pseudonym: str
    announced_on: date
    co_following: list[str] = Field(default_factory=list)
    procuration_id: str | None = None
    sealed: dict[str, SealedSection] = Field(default_factory=dict)
    closed: bool = False
    closed_on: date | None = None
    closure_outcome: str | None = None
    closure_reason: str | None = None
    followed_since: date | None = None  # the day triage accepted it as complex
    reviews: list[date] = Field(default_factory=list)  # the coordinator's quarterly follow-ups

    @property
    def followed_as_complex(self) -> bool:
        """Open and complex: accepted as complex at triage, or complex with a measure running."""
        if self.is_closed or self.rejected:
            return False
        return self.triage_decision == ACCEPT_COMPLEX or (self.situation_type == "COMPLEX"
                                                          and self.status.upper() == "OPEN")

    def review_due_on(self) -> date | None:
        """Seed 001, 5.3 and 5.4: "garantir le suivi des situations CII complexes selon une fréquence
        trimestrielle": three months after the last review, or after triage accepted it."""
        if not self.followed_as_complex:
            return None
        return add_months(max(self.reviews, default=self.followed_since or self.announced_on), REVIEW_EVERY_MONTHS)

    @property
    def is_closed(self) -> bool:
        """Closed here (last measure closed) or by the signalement service."""
        return self.closed or self.status.upper() == CLOSED

    @property
    def rejected(self) -> bool:
        return self.status.upper() == REJECTED or self.triage_decision == REJECT_DECISION

    def ref(self) -> SituationRef:
        return SituationRef(institution=self.institution, region=self.region, public=self.public,
                            asylum=self.asylum, situation_type=self.situation_type,
                            person_pseudonym=self.person_pseudonym, announced_on=self.announced_on)


def themes_of(ref: SituationRef) -> set[str]:
    """The thematic coordinators who follow the situation besides the regional one."""
    themes = {Theme.YOUNG.value} if ref.public == Public.YOUNG else set()
    if ref.asylum:
        themes.add(Theme.ASYLUM.value)
    return themes


def letter_language_for(region: str, requested: str | None) -> str:
    """The person's language when given; else the region's (German in the Upper Valais)."""
    if requested:
        return requested
    return "de" if region == "HAUT_VALAIS" else "fr"
