"""The case manager's cases: start, the objectives contract, meetings with their minutes, the quarterly
review, closure with the final report and the letter to the person."""

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from cii_platform.clock import swiss_today
from cii_platform.http import content_disposition

from ...domain.words import N_
from ...service_layer.forms import FormErrors
from ...service_layer.ports import ApiProblem
from .i18n import current_language
from .routes_situations import PARTNERS
from .web import CurrentPerson, FormData, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
CASE_TYPES = ("CASE_MANAGEMENT", "COACHING_ORP_CMS", "MEDICAL_MANDATE")
OBJECTIVE_ROWS = 3


def is_mine(measure: dict[str, Any], person: CurrentPerson) -> bool:
    manager = measure.get("case_manager") or {}
    if not manager:
        return False
    if manager.get("subject"):
        return bool(manager["subject"] == person.subject)
    return bool(manager.get("institution") == person.institution)


@router.get("/cases")
async def my_cases(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                   closed: bool = False) -> Response:
    found = (await workspace.measures.list_measures(person.access_token))["items"]
    cases = [m for m in found if m.get("type") in CASE_TYPES and (is_mine(m, person) or person.is_coordinator)
             and (closed or m.get("status") != "closed")]
    cases.sort(key=lambda m: (m.get("next_review_due_on") or "9999", m.get("id")))
    return renderer.render(request, "cases.html", cases=cases, closed=closed)


async def case_page(request: Request, measure_id: str, person: CurrentPerson, workspace: WorkspaceDep,
                    renderer: RendererDep, *, errors: FormErrors | None = None, form: str = "",
                    values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    measure = await workspace.measures.get_measure(person.access_token, measure_id)
    return renderer.render(request, "case.html", status_code, measure=measure, partners=PARTNERS,
                           objective_rows=range(OBJECTIVE_ROWS), errors=errors or FormErrors(), form=form,
                           values=values or {}, today=swiss_today())


@router.get("/cases/{measure_id}")
async def case_file(request: Request, measure_id: str, person: CurrentPerson, workspace: WorkspaceDep,
                    renderer: RendererDep) -> Response:
    return await case_page(request, measure_id, person, workspace, renderer)


async def case_action(request: Request, measure_id: str, action: str, body: dict[str, Any], errors: FormErrors,
                      fields: dict[str, str], form_name: str, form: dict[str, Any], person: CurrentPerson,
                      workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    if not errors:
        try:
            await workspace.measures.act(person.access_token, measure_id, action, body)
            return RedirectResponse(f"/cases/{measure_id}#{form_name}", status_code=303)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, fields, next(iter(fields.values())))
    return await case_page(request, measure_id, person, workspace, renderer, errors=errors, form=form_name,
                           values=form, status_code=422)


@router.post("/cases/{measure_id}/start")
async def start(request: Request, measure_id: str, form: FormData, person: CurrentPerson, workspace: WorkspaceDep,
                renderer: RendererDep) -> Response:
    errors = FormErrors()
    started_on = errors.day(form, "started_on")
    body = {"started_on": started_on.isoformat() if started_on else None}
    return await case_action(request, measure_id, "start", body, errors, {"started_on": "started_on"}, "start",
                             form, person, workspace, renderer)


@router.post("/cases/{measure_id}/contract")
async def sign_contract(request: Request, measure_id: str, form: FormData, person: CurrentPerson,
                        workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    signed_on = errors.day(form, "signed_on")
    objectives = []
    for row in range(OBJECTIVE_ROWS):
        text = str(form.get(f"objective_{row}_text") or "").strip()
        owner = str(form.get(f"objective_{row}_institution") or "")
        deadline_given = str(form.get(f"objective_{row}_deadline") or "").strip()
        if not (text or deadline_given):
            continue
        if owner not in PARTNERS:
            errors.add(f"objective_{row}_institution", N_("Choose the institution responsible for this objective"))
        deadline = errors.day(form, f"objective_{row}_deadline")
        objectives.append({"text": text or None, "responsible_institution": owner,
                           "deadline": deadline.isoformat() if deadline else None})
    if not objectives and not errors:
        errors.add("objective_0_text", N_("Write at least one objective"))
    body = {"signed_on": signed_on.isoformat() if signed_on else None, "objectives": objectives}
    fields = {"signed_on": "signed_on", "objectives": "objective_0_text",
              **{f"objectives.{i}.deadline": f"objective_{i}_deadline" for i in range(OBJECTIVE_ROWS)},
              **{f"objectives.{i}.responsible_institution": f"objective_{i}_institution"
                 for i in range(OBJECTIVE_ROWS)}}
    return await case_action(request, measure_id, "contract", body, errors, fields, "contract", form, person,
                             workspace, renderer)


@router.post("/cases/{measure_id}/meetings")
async def log_meeting(request: Request, measure_id: str, form: FormData, person: CurrentPerson,
                      workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    held_on = errors.day(form, "meeting_on")
    minutes = errors.text(form, "minutes", message=N_("Write the minutes of the meeting"))
    body = {"held_on": held_on.isoformat() if held_on else None, "minutes": minutes}
    return await case_action(request, measure_id, "meetings", body, errors,
                             {"held_on": "meeting_on", "minutes": "minutes"}, "meetings", form, person, workspace,
                             renderer)


@router.post("/cases/{measure_id}/reviews")
async def record_review(request: Request, measure_id: str, form: FormData, person: CurrentPerson,
                        workspace: WorkspaceDep, renderer: RendererDep) -> Response:
    errors = FormErrors()
    reviewed_on = errors.day(form, "reviewed_on")
    body = {"reviewed_on": reviewed_on.isoformat() if reviewed_on else None}
    return await case_action(request, measure_id, "reviews", body, errors, {"reviewed_on": "reviewed_on"},
                             "reviews", form, person, workspace, renderer)


@router.post("/cases/{measure_id}/close")
async def close(request: Request, measure_id: str, form: FormData, person: CurrentPerson, workspace: WorkspaceDep,
                renderer: RendererDep) -> Response:
    errors = FormErrors()
    closed_on = errors.day(form, "closed_on")
    reinsertion = str(form.get("reinsertion") or "")
    if reinsertion not in ("yes", "no"):
        errors.add("reinsertion", N_("Say whether the person found work or training"))
    report = errors.text(form, "final_report", message=N_("Write the final report"))
    language = str(form.get("letter_language") or "") or None
    if language not in (None, "fr", "de"):
        errors.add("letter_language", N_("Choose the language of the letter"))
    body = {"closed_on": closed_on.isoformat() if closed_on else None, "reinsertion": reinsertion == "yes",
            "final_report": report, "language": language}
    return await case_action(request, measure_id, "close", body, errors,
                             {"closed_on": "closed_on", "reinsertion": "reinsertion", "final_report": "final_report",
                              "language": "letter_language"}, "close", form, person, workspace, renderer)


@router.get("/cases/{measure_id}/contract.pdf")
async def contract_pdf(measure_id: str, person: CurrentPerson, workspace: WorkspaceDep) -> Response:
    """The objectives contract to sign, printed by the measures service in the page's language."""
    content, media_type = await workspace.measures.document(person.access_token, measure_id,
                                                            f"contract.pdf?language={current_language.get()}")
    return Response(content, media_type=media_type,
                    headers=content_disposition("inline", f"contract-{measure_id}.pdf"))


@router.get("/cases/{measure_id}/closure-letter")
async def closure_letter(measure_id: str, person: CurrentPerson, workspace: WorkspaceDep) -> Response:
    content, media_type = await workspace.measures.document(person.access_token, measure_id, "closure-letter")
    return Response(content, media_type=media_type,
                    headers=content_disposition("inline", f"closure-{measure_id}.pdf"))
