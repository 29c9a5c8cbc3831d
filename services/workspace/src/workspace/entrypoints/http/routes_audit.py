"""The data-protection officer's pages: the audit chain's verification and a person's access report;
the cantonal officer's link to the dashboard and the annual report."""

from datetime import date

from fastapi import APIRouter, Request, Response

from ...domain.words import N_
from ...service_layer.forms import FormErrors
from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)


@router.get("/audit")
async def audit(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                pseudonym: str = "", action: str = "", outcome: str = "") -> Response:
    if not person.is_dpo:
        return renderer.render(request, "error.html", 403, reason="role")
    errors = FormErrors()
    verification, report = None, None
    try:
        verification = await workspace.procuration.verify_audit(person.access_token)
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        verification = {"refused": problem.status}
    if pseudonym.strip():
        try:
            report = await workspace.procuration.access_report(person.access_token, pseudonym.strip())
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors.add("pseudonym", N_("No access report can be shown for this person"), problem.detail)
    entries = [e for e in (report or {}).get("items", [])
               if (not action or e.get("action") == action) and (not outcome or e.get("outcome") == outcome)]
    return renderer.render(request, "audit.html", verification=verification, report=report, entries=entries,
                           pseudonym=pseudonym, action=action, outcome=outcome, errors=errors)


@router.get("/report")
async def report(request: Request, person: CurrentPerson, renderer: RendererDep) -> Response:
    return renderer.render(request, "report.html", year=date.today().year - 1)
