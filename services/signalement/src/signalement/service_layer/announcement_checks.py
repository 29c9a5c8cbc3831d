"""Business checks of an announcement that the payload schema cannot express.

Every broken rule is reported at once, named by its path in the payload (`person.birth_date`); the
Kafka entry point prefixes `data.`, the HTTP one does not.
"""

from dataclasses import dataclass
from datetime import date

from cii_platform.contracts.codes import BUREAU, Public, SituationType
from cii_platform.contracts.inbound import SignalementSubmitted
from cii_platform.contracts.outbound import FieldError
from cii_platform.reference import ReferenceData
from cii_platform.validation import error

from ..domain.policy import age_on, derive_public, is_young_age

# Who may record a private person's announcement of a young person (issue 3).
PRIVATE_RECORDERS = ("T1", BUREAU)


@dataclass(frozen=True)
class Announcer:
    """Who announces: an institution, or a private person recorded by T1 or the bureau (HTTP only)."""

    institution: str
    private_person: bool = False
    private_allowed: bool = False


def announcement_errors(payload: SignalementSubmitted, announcer: Announcer, reference: ReferenceData,
                        today: date) -> list[FieldError]:
    return [
        *_date_errors(payload, today),
        *_age_errors(payload, reference),
        *_announcer_errors(payload, announcer, reference),
        *_co_following_errors(payload, reference),
    ]


def _date_errors(payload: SignalementSubmitted, today: date) -> list[FieldError]:
    errors = []
    if payload.announced_on > today:
        errors.append(error("announced_on", f"{payload.announced_on} is in the future"))
    if payload.follow_up_started_on > payload.announced_on:
        errors.append(error("follow_up_started_on", "must not be after announced_on"))
    if payload.person.birth_date > today:
        errors.append(error("person.birth_date", f"{payload.person.birth_date} is in the future"))
    elif payload.person.birth_date > payload.announced_on:
        errors.append(error("person.birth_date", "must be before announced_on"))
    return errors


def _age_errors(payload: SignalementSubmitted, reference: ReferenceData) -> list[FieldError]:
    if payload.person.birth_date > payload.announced_on:
        return []  # already reported as a date error
    age = age_on(payload.person.birth_date, payload.announced_on)
    youngest = reference.young_age.min
    if age < youngest:
        return [error("person.birth_date", f"the person is {age} at announcement; the CII follows persons "
                                           f"from {youngest} years old")]
    if payload.public == Public.YOUNG and not is_young_age(age, reference):
        return [error("public", f"YOUNG is for persons aged {youngest} to {reference.young_age.max} at "
                                f"announcement; this person is {age}")]
    return []


def _announcer_errors(payload: SignalementSubmitted, announcer: Announcer,
                      reference: ReferenceData) -> list[FieldError]:
    if payload.announcer.private_person:
        return _private_announcement_errors(payload, announcer, reference)
    errors = []
    institution = reference.institution(announcer.institution)
    if institution and institution.units and payload.announcer.unit not in (None, *institution.units):
        errors.append(error("announcer.unit", f"unknown unit {payload.announcer.unit!r} of {institution.code}; "
                                              f"expected one of {', '.join(institution.units)}"))
    if institution and not institution.may_announce_adult_complex and _adult_complex(payload, reference):
        errors.append(error("situation_type", f"{institution.code} (circle {institution.circle}) may not announce "
                                              "an adult COMPLEX situation: announce it through a first-circle "
                                              "partner"))
    return errors


def _private_announcement_errors(payload: SignalementSubmitted, announcer: Announcer,
                                 reference: ReferenceData) -> list[FieldError]:
    if not announcer.private_allowed:
        return [error("announcer.private_person", "a private person's announcement is recorded only through "
                                                  "HTTP by the T1 platform or the CII bureau")]
    if _public(payload, reference) != Public.YOUNG:
        return [error("public", "a private person may only announce a young person (public YOUNG)")]
    return []


def _co_following_errors(payload: SignalementSubmitted, reference: ReferenceData) -> list[FieldError]:
    known = reference.institution_codes
    return [error(f"co_following.{index}", f"unknown institution code {code!r}")
            for index, code in enumerate(payload.co_following) if code not in known]


def _public(payload: SignalementSubmitted, reference: ReferenceData) -> Public:
    return derive_public(age_on(payload.person.birth_date, payload.announced_on), payload.public, reference)


def _adult_complex(payload: SignalementSubmitted, reference: ReferenceData) -> bool:
    return payload.situation_type == SituationType.COMPLEX and _public(payload, reference) == Public.ADULT
