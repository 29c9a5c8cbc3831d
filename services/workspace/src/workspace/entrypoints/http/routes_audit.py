"""The data-protection officer's pages: the audit chain's verification and a person's access report; the
cantonal officer's erasure of a person (procuration destroys the person's keys: every sealed copy becomes
unreadable)."""

from fastapi import APIRouter, Request, Response

from ...domain.words import CODE_LABELS, N_
from ...service_layer.forms import FormErrors
from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, FormData, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)


@router.get("/audit")
async def audit(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                pseudonym: str = "", action: str = "", outcome: str = "") -> Response:
    if not person.is_dpo:
        return renderer.render(request, "error.html", 403, reason="role")
    return await audit_page(request, person.access_token, workspace, renderer, pseudonym=pseudonym.strip(),
                            action=action, outcome=outcome, erase_pseudonym=pseudonym.strip())


async def audit_page(request: Request, token: str, workspace: WorkspaceDep, renderer: RendererDep, *,
                     pseudonym: str = "", action: str = "", outcome: str = "", status: int = 200,
                     erasure_errors: FormErrors | None = None, erased: dict[str, object] | None = None,
                     erase_pseudonym: str = "") -> Response:
    errors = FormErrors()
    verification, report = None, None
    try:
        verification = await workspace.procuration.verify_audit(token)
    except ApiProblem as problem:
        if problem.status >= 500:
            raise
        verification = {"refused": problem.status}
    if pseudonym:
        try:
            report = await workspace.procuration.access_report(token, pseudonym)
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors.add("pseudonym", N_("No access report can be shown for this person"), problem.detail)
    entries = [e for e in (report or {}).get("items", [])
               if (not action or e.get("action") == action) and (not outcome or e.get("outcome") == outcome)]
    return renderer.render(request, "audit.html", status, verification=verification, report=report,
                           entries=entries, pseudonym=pseudonym, action=action, outcome=outcome, errors=errors,
                           erasure_errors=erasure_errors or FormErrors(), erased=erased,
                           erase_values={"erase_pseudonym": erase_pseudonym},
                           actions=list(CODE_LABELS["audit_action"]), outcomes=list(CODE_LABELS["outcome"]))


@router.post("/audit/erase")
async def erase(request: Request, form: FormData, person: CurrentPerson, workspace: WorkspaceDep,
                renderer: RendererDep) -> Response:
    """The person's right to erasure, carried out by the cantonal officer: the pseudonym (from the situation
    file or the access report) and an explicit confirmation, since it cannot be undone."""
    if not person.erases:
        return renderer.render(request, "error.html", 403, reason="role")
    errors = FormErrors()
    pseudonym = str(form.get("erase_pseudonym") or "").strip()
    if not pseudonym:
        errors.add("erase_pseudonym", N_("Enter the pseudonym of the person"))
    if form.get("confirm") != "yes":
        errors.add("confirm", N_("Confirm that the person's data is to be erased: it cannot be undone"))
    erased = None
    if not errors:
        try:
            erased = await workspace.procuration.erase(person.access_token, pseudonym)
        except ApiProblem as problem:
            if problem.status != 404:
                raise
            errors.add("erase_pseudonym", N_("The CII knows no person with this pseudonym"))
    return await audit_page(request, person.access_token, workspace, renderer, pseudonym=pseudonym if erased else "",
                            status=422 if errors else 200, erasure_errors=errors, erased=erased,
                            erase_pseudonym="" if erased else pseudonym)
