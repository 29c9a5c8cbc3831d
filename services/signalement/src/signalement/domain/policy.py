"""Pure rules of an announcement: age, public, gravity, asylum, routing, triage deadline. No I/O."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from cii_platform.contracts.codes import Public, Theme
from cii_platform.reference import ReferenceData


def situation_id_for(institution: str, external_ref: str) -> str:
    """Deterministic: a redelivery or a resubmission of the same (institution, external_ref) is the same
    situation. Institution codes never contain ':' so the pair cannot collide with another."""
    digest = hashlib.sha256(f"{institution}:{external_ref}".encode()).digest()
    return f"sit-{uuid.UUID(bytes=digest[:16])}"


def age_on(birth_date: date, on: date) -> int:
    """Age in full years on a day."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def is_young_age(age: int, reference: ReferenceData) -> bool:
    return reference.young_age.min <= age <= reference.young_age.max


def derive_public(age: int, given: Public | None, reference: ReferenceData) -> Public:
    """The announced public, or the one the age at announcement gives (15-25 is YOUNG)."""
    if given is not None:
        return given
    return Public.YOUNG if is_young_age(age, reference) else Public.ADULT


def is_asylum(institution: str, residence_permit: str | None, reference: ReferenceData) -> bool:
    """Announced by the asylum office, or a permit N, F or S: the thematic coordinator Asile."""
    permit = (residence_permit or "").strip().upper()
    return institution in reference.asylum_institutions or permit in reference.asylum_residence_permits


def themes_of(public: Public, asylum: bool) -> list[str]:
    themes = []
    if public == Public.YOUNG:
        themes.append(Theme.YOUNG.value)
    if asylum:
        themes.append(Theme.ASYLUM.value)
    return themes


@dataclass(frozen=True)
class RoutingDecision:
    coordinator_id: str
    region: str
    theme: str | None = None
    also_notify: list[str] = field(default_factory=list)


def route(region: str, themes: list[str], reference: ReferenceData) -> RoutingDecision:
    """A thematic coordinator (YOUNG first, then ASYLUM) takes precedence over the regional one;
    the regional coordinator still sees the situation through its region."""
    for theme in themes:
        coordinator = reference.coordinators.thematic.get(theme)
        if coordinator:
            return RoutingDecision(coordinator.id, region, theme, list(coordinator.also_notify))
    regional = reference.coordinators.regional[region]
    return RoutingDecision(regional.id, region, None, list(regional.also_notify))


def add_working_days(start: date, days: int) -> date:
    """Monday to Friday; public holidays are not in the reference data yet."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current


def triage_due_on(announced_on: date, reference: ReferenceData) -> date:
    return add_working_days(announced_on, reference.triage.due_working_days)
