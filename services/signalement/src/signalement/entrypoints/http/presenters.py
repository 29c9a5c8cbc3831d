"""From stored situations to HTTP answers (personal fields only from opened sections)."""

from datetime import date
from typing import Any

from cii_platform.contracts.codes import DataCategory
from cii_platform.contracts.internal_signalement import STATUS_SUBMITTED

from ...service_layer.views import ERASED, GRANTED, SituationRead
from .schemas import PersonPublic, SituationPublic, SituationSummary, TriagePublic, VersionPublic


def summary_of(situation: dict[str, Any], today: date) -> SituationSummary:
    return SituationSummary.model_validate(_summary_fields(situation, today))


def _summary_fields(situation: dict[str, Any], today: date) -> dict[str, Any]:
    overdue = situation["status"] == STATUS_SUBMITTED and situation["triage_due_on"] < today.isoformat()
    return {**situation, "id": situation["_id"], "triage_overdue": overdue, "erased": bool(situation.get("erased"))}


def public_of(read: SituationRead, today: date) -> SituationPublic:
    situation, opened = read.situation, read.opened
    granted = opened.access == GRANTED
    identity = opened.sections.get(DataCategory.IDENTITY.value) if granted else None
    social = opened.sections.get(DataCategory.SOCIAL.value) or {}
    fields = {**_summary_fields(situation, today), "linked_situations": read.linked_situations,
              "versions": [VersionPublic.model_validate(v) for v in situation.get("versions", [])],
              "person_access": opened.access, "erased": bool(situation.get("erased")) or opened.access == ERASED,
              "person": _person(situation, identity), "summary": social.get("summary"),
              "announcer": _announcer(situation, identity), "triage": _triage(situation, opened.sections, granted)}
    return SituationPublic.model_validate(fields)


def _person(situation: dict[str, Any], identity: dict[str, Any] | None) -> PersonPublic | None:
    if not identity:
        return None
    return PersonPublic.model_validate({**identity, "sex": situation["sex"], "region": situation["region"],
                                        "education_level": situation["education_level"]})


def _announcer(situation: dict[str, Any], identity: dict[str, Any] | None) -> dict[str, Any] | None:
    if not identity:
        return None
    return {"collaborator": identity.get("collaborator"), "respondent": identity.get("respondent"),
            "unit": situation.get("unit"), "institution": situation["institution"]}


def _triage(situation: dict[str, Any], sections: dict[str, Any], granted: bool) -> TriagePublic | None:
    triage = situation.get("triage")
    if not triage:
        return None
    reason = (sections.get("triage_reason") or {}).get("triage_reason") if granted else None
    return TriagePublic(decision=triage["decision"], reason=reason, triaged_at=triage["triaged_at"],
                        triaged_by=triage["triaged_by"])
