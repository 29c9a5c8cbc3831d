"""The coordinator's work: the triage inbox, the situation file, triage, organising a TRO or an assessment,
recording it held, designating the case manager."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from cii_platform.clock import swiss_today

from ...domain.gravity import breakdown
from ...domain.today import triage_inbox_order
from ...domain.words import CODE_LABELS, INSTITUTION_NAMES, N_
from ...service_layer.forms import FormErrors, listed
from ...service_layer.ports import ApiProblem
from .web import CurrentPerson, FormData, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
TRIAGE_DECISIONS = list(CODE_LABELS["decision"])
SESSION_MEASURES = ("TRO", "ASSESSMENT")
PARTNERS = [code for code in INSTITUTION_NAMES if code not in ("BUREAU", "PRIVATE")]


@router.get("/triage")
async def triage_inbox(request: Request, person: CurrentPerson, workspace: WorkspaceDep,
                       renderer: RendererDep) -> Response:
    if not person.is_coordinator:
        return renderer.render(request, "error.html", 403, reason="role")
    waiting = await workspace.signalement.list_situations(person.access_token, status="SUBMITTED", limit=500)
    return renderer.render(request, "triage.html", situations=triage_inbox_order(waiting["items"]),
                           total=waiting["total"], today=swiss_today())


async def situation_page(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                         situation_id: str, *, errors: FormErrors | None = None, form: str = "",
                         values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    token = person.access_token
    situation = await workspace.signalement.get_situation(token, situation_id)
    try:
        measures = (await workspace.measures.list_measures(token, situation_id=situation_id))["items"]
    except ApiProblem:
        measures = []
    return renderer.render(request, "situation.html", status_code, situation=situation, measures=measures,
                           gravity=breakdown(situation, workspace.reference), decisions=TRIAGE_DECISIONS,
                           partners=PARTNERS,
                           session_measures=SESSION_MEASURES, measure_types=list(CODE_LABELS["measure"]),
                           errors=errors or FormErrors(), form=form, values=values or {}, today=swiss_today())


@router.get("/situations/{situation_id}")
async def situation_file(request: Request, situation_id: str, person: CurrentPerson, workspace: WorkspaceDep,
                         renderer: RendererDep) -> Response:
    return await situation_page(request, person, workspace, renderer, situation_id)


def back_to(situation_id: str, anchor: str = "") -> Response:
    return RedirectResponse(f"/situations/{situation_id}{anchor}", status_code=303)


@router.post("/situations/{situation_id}/triage")
async def triage(request: Request, situation_id: str, form: FormData, person: CurrentPerson,
                 workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    decision = errors.text(form, "decision", message=N_("Choose a decision"))
    if decision and decision not in TRIAGE_DECISIONS:
        errors.add("decision", N_("Choose a decision"))
    reason = str(form.get("reason") or "").strip() or None
    if decision in ("REJECT", "REDIRECT_SIMPLE", "REDIRECT_NETWORK") and not reason:
        errors.add("reason", N_("Give the reason for this decision"))
    if not errors:
        try:
            await workspace.signalement.triage(person.access_token, situation_id, decision, reason)
            return back_to(situation_id)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, {"decision": "decision", "reason": "reason"}, "decision")
    return await situation_page(request, person, workspace, renderer, situation_id, errors=errors, form="triage",
                                values=form, status_code=422)


@router.post("/situations/{situation_id}/measures")
async def organise_measure(request: Request, situation_id: str, form: FormData, person: CurrentPerson,
                           workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    """Organise a TRO or an assessment: request it, then schedule it with its participants."""
    errors = FormErrors()
    kind = errors.text(form, "type", message=N_("Choose the measure"))
    if kind and kind not in CODE_LABELS["measure"]:
        errors.add("type", N_("Choose the measure"))
    on = errors.day(form, "date", required=kind in SESSION_MEASURES)
    participants = [p for p in listed(form, "participants") if p in PARTNERS]
    if kind in SESSION_MEASURES and not participants:
        errors.add("participants", N_("Choose at least one participating institution"))
    if not errors:
        try:
            measure_id = await workspace.measures.request_measure(person.access_token, {
                "situation_id": situation_id, "type": kind, "requested_on": swiss_today().isoformat()})
            if kind in SESSION_MEASURES and on is not None:
                await workspace.measures.act(person.access_token, measure_id, "schedule", {
                    "date": on.isoformat(), "participants": [{"institution": p} for p in participants]})
            return back_to(situation_id, "#measures")
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, {"type": "type", "date": "date", "participants": "participants",
                                      "situation_id": "type"}, "type")
    return await situation_page(request, person, workspace, renderer, situation_id, errors=errors,
                                form="organise", values=form, status_code=422)


async def measure_action(request: Request, situation_id: str, measure_id: str, action: str, body: dict[str, Any],
                         errors: FormErrors, fields: dict[str, str], form_name: str, form: dict[str, Any],
                         person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    if not errors:
        try:
            await workspace.measures.act(person.access_token, measure_id, action, body)
            return back_to(situation_id, "#measures")
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, fields, next(iter(fields.values())))
    return await situation_page(request, person, workspace, renderer, situation_id, errors=errors,
                                form=f"{form_name}-{measure_id}", values=form, status_code=422)


@router.post("/situations/{situation_id}/measures/{measure_id}/hold")
async def hold(request: Request, situation_id: str, measure_id: str, form: FormData, person: CurrentPerson,
               workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    held_on = errors.day(form, "held_on")
    recommended = str(form.get("recommended_measure") or "") or None
    notes = str(form.get("notes") or "").strip() or None
    body: dict[str, Any] = {"held_on": held_on.isoformat() if held_on else None}
    if recommended or notes:
        body["outcome"] = {"recommended_measure": recommended, "notes": notes}
    return await measure_action(request, situation_id, measure_id, "hold", body, errors,
                                {"held_on": "held_on", "outcome.recommended_measure": "recommended_measure",
                                 "outcome.notes": "notes"}, "hold", form, person, workspace, renderer)


@router.post("/situations/{situation_id}/measures/{measure_id}/case-manager")
async def designate(request: Request, situation_id: str, measure_id: str, form: FormData, person: CurrentPerson,
                    workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    institution = errors.text(form, "institution", message=N_("Choose the case manager's institution"))
    name = str(form.get("name") or "").strip() or None
    body = {"institution": institution, "name": name, "designated_on": swiss_today().isoformat()}
    return await measure_action(request, situation_id, measure_id, "case-manager", body, errors,
                                {"institution": "institution", "name": "name"}, "designate", form, person,
                                workspace, renderer)


