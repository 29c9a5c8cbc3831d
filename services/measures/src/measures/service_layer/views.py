"""What callers read: a measure without its sealed text (only whether it was recorded)."""

from typing import Any

from cii_platform.security.tokens import Principal

from ..domain.case_management import next_review_due_on
from ..domain.model import Measure, MeasureStatus
from .access import acts_for_people
from .context import ServiceContext


def measure_view(measure: Measure) -> dict[str, Any]:
    data = measure.model_dump(mode="json", exclude={"final_report", "outcome", "meetings", "contract", "situation",
                                                     "version"})
    data["participants"] = [{"institution": p.institution, "role": p.role,
                             "person_name_recorded": p.person_name is not None} for p in measure.participants]
    data["person_pseudonym"] = measure.situation.person_pseudonym
    data["region"] = measure.situation.region
    data["announced_by"] = measure.situation.institution
    data["outcome"] = None if measure.outcome is None else {
        "recommended_measure": measure.outcome.recommended_measure,
        "notes_recorded": measure.outcome.notes is not None}
    data["final_report_recorded"] = measure.final_report is not None
    data["meetings"] = [{"id": m.id, "held_on": m.held_on.isoformat(), "minutes_recorded": m.minutes is not None}
                        for m in measure.meetings]
    data["contract"] = None if measure.contract is None else {
        "signed_on": measure.contract.signed_on.isoformat(),
        "objectives": [{"id": o.id, "responsible_institution": o.responsible_institution,
                        "deadline": o.deadline.isoformat(),
                        "achieved_on": o.achieved_on.isoformat() if o.achieved_on else None,
                        "text_recorded": o.text is not None} for o in measure.contract.objectives]}
    review_due = next_review_due_on(measure) if measure.status == MeasureStatus.STARTED else None
    data["next_review_due_on"] = review_due.isoformat() if review_due else None
    data["closure_letter"] = (f"/api/v1/measures/{measure.id}/closure-letter"
                              if measure.status == MeasureStatus.CLOSED else None)
    return data


async def visible_alerts(ctx: ServiceContext, principal: Principal, criteria: dict[str, Any]) -> list[dict[str, Any]]:
    """Case managers see their cases' alerts, coordinators their region's or theme's, the officer and
    reporting readers all (alerts carry no personal data)."""
    found = await ctx.alert_store.find(criteria)
    return [d for d in found if _sees_alert(principal, d)]


def _sees_alert(principal: Principal, alert: dict[str, Any]) -> bool:
    if principal.is_cantonal_officer or principal.has_role("reporting_reader"):
        return True
    if not acts_for_people(principal):
        return False
    if principal.coordinates(alert.get("region"), set(alert.get("themes") or [])):
        return True
    subject, institution = alert.get("case_manager"), alert.get("case_manager_institution")
    if principal.has_role("case_manager", "respondent"):
        return principal.subject == subject if subject else principal.institution == institution
    return False
