"""The people the notifier tells, and how their language and delivery mode are chosen. Pure."""

import uuid
from dataclasses import dataclass

LANGUAGES = ("fr", "de")
DEFAULT_LANGUAGE = "fr"


@dataclass(frozen=True)
class Person:
    """A member of the CII staff as the identity provider knows them (no one else is ever e-mailed)."""

    username: str  # the token's preferred_username: the inbox belongs to it
    email: str
    language: str = DEFAULT_LANGUAGE
    subject: str | None = None  # the token's `sub` when it differs from the user name (Keycloak's id)


@dataclass(frozen=True)
class Preferences:
    language: str | None = None  # None: the identity provider's, else French
    digest: bool = False


def language_of(person: Person, preferences: Preferences) -> str:
    for candidate in (preferences.language, person.language):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


NAMESPACE = uuid.UUID("5b0c8a47-1d7e-4c55-9a43-6c1f0a2f6e11")


def delivery_id(event_key: str, username: str) -> str:
    """One delivery per (event, person): the unique key that makes a redelivery harmless, whatever the
    rules decide the second time (a replayed schedule may look like a move: it is still the same event)."""
    return str(uuid.uuid5(NAMESPACE, f"{event_key}|{username}"))


@dataclass(frozen=True)
class StaffMember:
    """A person with the claims the identity provider gives them (institution, roles, region, theme)."""

    person: Person
    institution: str
    roles: frozenset[str]
    region: str | None = None
    theme: str | None = None


BUREAU = "BUREAU"
COORDINATOR = "coordinator"
RESPONDENT_ROLES = frozenset({"respondent", "case_manager"})
BUREAU_ROLES = frozenset({"secretariat", "cantonal_officer"})


def coordinators_of(roster: list[StaffMember], region: str | None, theme: str | None) -> list[Person]:
    return [m.person for m in roster if m.institution == BUREAU and COORDINATOR in m.roles
            and ((region is not None and m.region == region) or (theme is not None and m.theme == theme))]


def respondents_of(roster: list[StaffMember], institution: str) -> list[Person]:
    """The institution's CII respondents; an institution without one: its people (someone must know)."""
    staff = [m for m in roster if m.institution == institution.upper()]
    respondents = [m.person for m in staff if m.roles & RESPONDENT_ROLES]
    return respondents or [m.person for m in staff]


def bureau_of(roster: list[StaffMember]) -> list[Person]:
    return [m.person for m in roster if m.institution == BUREAU and m.roles & BUREAU_ROLES]


def find_person(roster: list[StaffMember], subject_or_username: str) -> Person | None:
    return next((m.person for m in roster
                 if subject_or_username in (m.person.username, m.person.subject)), None)
