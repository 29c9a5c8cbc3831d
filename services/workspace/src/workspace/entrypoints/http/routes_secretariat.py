"""The secretariat's invitations (seed 001, section 5.2): the round tables and assessments to come, with their
participants, and for one of them the client's contact data, read from signalement with the secretariat's
own token: the service shows it only under a PERMIT of the person's procuration to the bureau, and the key
custodian records the read in the person's access report. The list itself reads no personal data: the
contact data is opened for one invitation at a time, when the secretariat asks for it."""

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from cii_platform.clock import swiss_today

from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
SESSIONS = ("TRO", "ASSESSMENT")
PAGE = 25


def upcoming(measures: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Scheduled sessions from today on, the nearest first (a session without a date last)."""
    ahead = [m for m in measures if not m.get("scheduled_on") or m["scheduled_on"] >= today.isoformat()]
    return sorted(ahead, key=lambda m: (m.get("scheduled_on") or "9999-12-31", m["id"]))


@router.get("/invitations")
async def invitations(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                      offset: int = 0) -> Response:
    if not person.prepares_meetings:
        return renderer.render(request, "error.html", 403, reason="role")
    scheduled: list[dict[str, Any]] = []
    for kind in SESSIONS:
        scheduled += (await workspace.measures.list_measures(person.access_token, type=kind,
                                                             status="scheduled"))["items"]
    found = upcoming(scheduled, swiss_today())
    offset = max(offset, 0)
    return renderer.render(request, "invitations.html", invitations=found[offset:offset + PAGE],
                           total=len(found), offset=offset, limit=PAGE)


@router.get("/invitations/{measure_id}")
async def invitation(request: Request, measure_id: str, person: CurrentPerson, workspace: WorkspaceDep,
                     renderer: RendererDep) -> Response:
    if not person.prepares_meetings:
        return renderer.render(request, "error.html", 403, reason="role")
    measure = await workspace.measures.get_measure(person.access_token, measure_id)
    if measure.get("type") not in SESSIONS:
        raise ApiProblem(404, "Not Found", "not a round table or an assessment")
    situation = await workspace.signalement.get_situation(person.access_token, measure["situation_id"])
    return renderer.render(request, "invitation.html", measure=measure, situation=situation)
