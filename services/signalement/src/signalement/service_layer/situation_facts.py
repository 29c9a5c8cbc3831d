"""From a valid announcement to the situation's clear facts and its sealed personal sections.

Clear fields are only what statistics and routing need (issue 3): pseudonym, sex, birth year, age,
region, public, education, codes, gravity, dates, institutions, status. Dates are ISO strings in the
store so that range filters work the same on MongoDB and FerretDB.
"""

from typing import Any

from cii_platform.contracts.codes import DataCategory
from cii_platform.contracts.inbound import SignalementSubmitted
from cii_platform.reference import ReferenceData

from ..domain.policy import age_on, derive_public, is_asylum, route, themes_of, triage_due_on


def clear_facts(payload: SignalementSubmitted, *, institution: str, recorded_by: str, person_pseudonym: str,
                reference: ReferenceData) -> dict[str, Any]:
    person = payload.person
    age = age_on(person.birth_date, payload.announced_on)
    public = derive_public(age, payload.public, reference)
    asylum = is_asylum(recorded_by, person.residence_permit, reference)
    themes = themes_of(public, asylum)
    policy_version = reference.default_gravity_policy
    policy = reference.gravity_policy(policy_version)
    routing = route(person.region.value, themes, reference)
    risk_factors = [factor.value for factor in payload.risk_factors]
    return {
        "institution": institution, "recorded_by": recorded_by, "unit": payload.announcer.unit,
        "external_ref": payload.external_ref, "announced_on": payload.announced_on.isoformat(),
        "person_pseudonym": person_pseudonym, "sex": person.sex.value, "birth_year": person.birth_date.year,
        "age": age, "region": person.region.value, "public": public.value,
        "education_level": person.education_level.value, "situation_type": payload.situation_type.value,
        "requested_measure": payload.requested_measure.value if payload.requested_measure else None,
        "risk_factors": risk_factors, "employment_gap": payload.employment_gap.value,
        "gravity_index": policy.index(risk_factors, payload.employment_gap.value),
        "gravity_policy": policy_version, "follow_up_started_on": payload.follow_up_started_on.isoformat(),
        "co_following": list(payload.co_following), "procuration_id": payload.procuration_id,
        "asylum": asylum, "themes": themes,
        "routing": {"coordinator_id": routing.coordinator_id, "region": routing.region, "theme": routing.theme,
                    "also_notify": routing.also_notify},
        "triage_due_on": triage_due_on(payload.announced_on, reference).isoformat(),
    }


def personal_sections(payload: SignalementSubmitted) -> dict[str, Any]:
    """Identity (with residence permit and language) and the free-text summary, to be sealed."""
    person = payload.person
    sections: dict[str, Any] = {DataCategory.IDENTITY.value: {
        "avs_number": person.avs_number, "last_name": person.last_name, "first_name": person.first_name,
        "birth_date": person.birth_date.isoformat(), "residence_permit": person.residence_permit,
        "language": person.language,
        "address": person.address.model_dump(exclude_none=True) if person.address else None,
        "collaborator": payload.announcer.collaborator,
        "respondent": payload.announcer.respondent}}
    if payload.summary:
        sections[DataCategory.SOCIAL.value] = {"summary": payload.summary}
    return sections
