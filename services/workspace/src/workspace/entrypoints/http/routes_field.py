"""The field worker's and respondent's work: announce a situation (the API's per-field errors shown in the
person's language), my announcements, record a procuration."""

import hashlib
import uuid
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import UploadFile

from cii_platform.clock import swiss_today

from ...domain.dates import parse_day
from ...domain.words import CODE_LABELS, N_
from ...service_layer.forms import FormErrors, listed
from ...service_layer.ports import ApiProblem
from .routes_situations import PARTNERS
from .web import CurrentPerson, FormData, RendererDep, WorkspaceDep

router = APIRouter(include_in_schema=False)
MAX_DOCUMENT_BYTES = 5_000_000  # procuration keeps the form sealed, up to 5 MB
DOCUMENT_TYPES = {"application/pdf", "image/png", "image/jpeg"}

# API field -> form field of the announcement form (the longest matching API path wins).
ANNOUNCE_FIELDS = {
    "external_ref": "external_ref", "announced_on": "announced_on", "announcer.collaborator": "collaborator",
    "announcer.respondent": "respondent", "announcer": "collaborator", "person.avs_number": "avs_number",
    "person.last_name": "last_name", "person.first_name": "first_name", "person.birth_date": "birth_date",
    "person.sex": "sex", "person.region": "region", "person.education_level": "education_level",
    "person.language": "language", "person": "avs_number", "public": "public",
    "situation_type": "situation_type", "requested_measure": "requested_measure",
    "risk_factors": "risk_factors", "employment_gap": "employment_gap",
    "follow_up_started_on": "follow_up_started_on", "co_following": "co_following",
    "procuration_id": "procuration_id", "summary": "summary",
}
PROCURATION_FIELDS = {
    "procuration_id": "procuration_id", "person.avs_number": "avs_number", "person.last_name": "last_name",
    "person.first_name": "first_name", "person.birth_date": "birth_date", "person": "avs_number",
    "signed_on": "signed_on", "valid_from": "valid_from", "valid_until": "valid_until", "parties": "parties",
    "categories": "categories", "purposes": "purposes", "document_sha256": "document",
}


def choices() -> dict[str, Any]:
    """The forms' codes. A procuration's parties include the bureau (docs/contract.md, procuration.signed.v1):
    its coordinators and secretariat then read what the person permits it."""
    return {kind: list(CODE_LABELS[kind]) for kind in (
        "sex", "region", "education", "public", "situation_type", "measure", "risk", "employment_gap",
        "category", "purpose")} | {"partners": PARTNERS, "parties": [*PARTNERS, "BUREAU"]}


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@router.get("/announce")
async def announce_form(request: Request, person: CurrentPerson, renderer: RendererDep) -> Response:
    if not person.announces:
        return renderer.render(request, "error.html", 403, reason="role")
    today = swiss_today().strftime("%d.%m.%Y")
    values = {"external_ref": f"WS-{uuid.uuid4().hex[:10].upper()}", "announced_on": today,
              "idempotency_key": str(uuid.uuid4())}
    return renderer.render(request, "announce.html", errors=FormErrors(), values=values, choices=choices())


@router.post("/announce")
async def announce(request: Request, form: FormData, person: CurrentPerson, workspace: WorkspaceDep,
                   renderer: RendererDep) -> Response:
    errors = FormErrors()
    announced_on = errors.day(form, "announced_on")
    birth_date = errors.day(form, "birth_date")
    follow_up = errors.day(form, "follow_up_started_on")
    payload: dict[str, Any] = {
        "external_ref": str(form.get("external_ref") or "").strip(), "announced_on": iso(announced_on),
        "announcer": {"collaborator": form.get("collaborator") or None, "respondent": form.get("respondent") or None},
        "person": {"avs_number": str(form.get("avs_number") or "").strip() or None,
                   "last_name": form.get("last_name") or None, "first_name": form.get("first_name") or None,
                   "birth_date": iso(birth_date), "sex": form.get("sex") or None, "region": form.get("region") or None,
                   "education_level": form.get("education_level") or None, "language": form.get("language") or None},
        "public": form.get("public") or None, "situation_type": form.get("situation_type") or None,
        "requested_measure": form.get("requested_measure") or None, "risk_factors": listed(form, "risk_factors"),
        "employment_gap": form.get("employment_gap") or None, "follow_up_started_on": iso(follow_up),
        "co_following": listed(form, "co_following"), "summary": str(form.get("summary") or "").strip() or None,
    }
    if not errors:  # the service checks everything else; its errors come back beside each field
        try:
            situation_id = await workspace.signalement.announce(person.access_token, payload,
                                                                str(form.get("idempotency_key") or uuid.uuid4()))
            return RedirectResponse(f"/announcements?announced={situation_id}", status_code=303)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, ANNOUNCE_FIELDS, "external_ref")
    return renderer.render(request, "announce.html", 422, errors=errors, values=form, choices=choices())


@router.get("/announcements")
async def my_announcements(request: Request, person: CurrentPerson, workspace: WorkspaceDep, renderer: RendererDep,
                           announced: str | None = None, offset: int = 0) -> Response:
    page = await workspace.signalement.list_situations(person.access_token, institution=person.institution,
                                                       limit=25, offset=max(offset, 0))
    return renderer.render(request, "announcements.html", situations=page["items"], total=page["total"],
                           offset=max(offset, 0), limit=25, announced=announced)


def renewal_values(old: dict[str, Any], today: date) -> dict[str, Any]:
    """A renewal starts from the procuration it renews: the same parties, categories and purposes, the
    person when the service shows them, and as long a period from today. Recorded, it supersedes the old
    one from its start (procuration's rule: the latest covering the same parties)."""
    values: dict[str, Any] = {"parties": list(old.get("parties") or []),
                              "categories": list(old.get("categories") or []),
                              "purposes": list(old.get("purposes") or [])}
    start, end = parse_day(old.get("valid_from")), parse_day(old.get("valid_until"))
    length = (end - start) if start and end and end > start else timedelta(days=365)
    values["valid_until"] = (today + length).strftime("%d.%m.%Y")
    identity = old.get("person") or {}
    for name in ("avs_number", "last_name", "first_name"):
        if identity.get(name):
            values[name] = str(identity[name])
    birth = parse_day(identity.get("birth_date"))
    if birth:
        values["birth_date"] = birth.strftime("%d.%m.%Y")
    return values


@router.get("/procurations/new")
async def procuration_form(request: Request, person: CurrentPerson, workspace: WorkspaceDep,
                           renderer: RendererDep, renew: str = "", situation_id: str = "") -> Response:
    """A new procuration, or the renewal of one (`renew`: its reference; `situation_id`: the one the
    situation's announcement named, from a "procuration expiring" task)."""
    if not person.records_procurations:
        return renderer.render(request, "error.html", 403, reason="role")
    today = swiss_today()
    values: dict[str, Any] = {"procuration_id": f"PROC-{uuid.uuid4().hex[:10].upper()}",
                              "signed_on": today.strftime("%d.%m.%Y"), "valid_from": today.strftime("%d.%m.%Y")}
    errors, renewing = FormErrors(), None
    if situation_id and not renew.strip():
        try:
            renew = str((await workspace.signalement.get_situation(person.access_token, situation_id))
                        .get("procuration_id") or "")
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
    if renew.strip():
        try:
            renewing = await workspace.procuration.get(person.access_token, renew.strip())
            values |= renewal_values(renewing, today)
        except ApiProblem as problem:
            if problem.status >= 500:
                raise
            errors.add("renew", N_("You know no procuration with this reference"))
    return renderer.render(request, "procuration.html", 422 if errors else 200, errors=errors, values=values,
                           choices=choices(), renewing=renewing, renew=renew.strip())


@router.post("/procurations")
async def record_procuration(request: Request, form: FormData, person: CurrentPerson, workspace: WorkspaceDep,
                             renderer: RendererDep) -> Response:
    errors = FormErrors()
    signed_on, valid_from = errors.day(form, "signed_on"), errors.day(form, "valid_from")
    valid_until = errors.day(form, "valid_until")
    birth_date = errors.day(form, "birth_date")
    document = (await request.form()).get("document")
    digest, content, content_type = None, b"", ""
    if isinstance(document, UploadFile) and document.filename:
        content = await document.read(MAX_DOCUMENT_BYTES + 1)
        content_type = (document.content_type or "").split(";")[0].strip().lower()
        if len(content) > MAX_DOCUMENT_BYTES:
            errors.add("document", N_("The signed form must be at most 5 MB"))
        elif content_type not in DOCUMENT_TYPES:
            errors.add("document", N_("The signed form must be a PDF, PNG or JPEG file"))
        digest = hashlib.sha256(content).hexdigest()
    else:
        errors.add("document", N_("Upload the signed procuration form"))
    payload = {
        "procuration_id": str(form.get("procuration_id") or "").strip(),
        "person": {"avs_number": str(form.get("avs_number") or "").strip() or None,
                   "last_name": form.get("last_name") or None, "first_name": form.get("first_name") or None,
                   "birth_date": iso(birth_date)},
        "signed_on": iso(signed_on), "valid_from": iso(valid_from), "valid_until": iso(valid_until),
        "parties": listed(form, "parties"), "categories": listed(form, "categories"),
        "purposes": listed(form, "purposes"), "document_sha256": digest,
    }
    if not errors:
        try:
            procuration_id = await workspace.procuration.record(person.access_token, payload)
        except ApiProblem as problem:
            if problem.status not in (409, 422):
                raise
            errors.from_api(problem, PROCURATION_FIELDS, "procuration_id")
        else:
            # the form itself, kept sealed by procuration (its hash must be the one just recorded)
            try:
                await workspace.procuration.store_form(person.access_token, procuration_id, content, content_type)
                kept = True
            except ApiProblem as problem:
                if problem.status < 500 and problem.status not in (404, 410, 422):
                    raise
                kept = False
            return renderer.render(request, "procuration_recorded.html", procuration_id=procuration_id,
                                   digest=digest, kept=kept)
    return renderer.render(request, "procuration.html", 422, errors=errors, values=form, choices=choices(),
                           renewing=None, renew="")
