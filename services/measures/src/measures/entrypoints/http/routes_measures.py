"""Measure lifecycle routes (docs/contract.md section 7) and the closure letter."""

from typing import Any, Literal

from fastapi import APIRouter, Query, Response, status

from cii_platform.contracts.codes import MeasureType
from cii_platform.http import CurrentPrincipal, Page, Paging, content_disposition
from cii_platform.openapi import problem_responses

from ...domain.model import MeasureStatus
from ...service_layer import commands, measure_handlers
from ...service_layer.access import sees_measure
from ...service_layer.case_handlers import read_final_report
from ...service_layer.letters import closure_letter_pdf, contract_pdf, invitation_pdf
from ...service_layer.views import measure_view
from .dependencies import Context, run

router = APIRouter(prefix="/api/v1/measures", tags=["measures"])
MeasureView = dict[str, Any]


@router.post("", status_code=status.HTTP_201_CREATED)
async def request_measure(body: commands.RequestMeasure, ctx: Context, principal: CurrentPrincipal) -> dict[str, str]:
    measure = await measure_handlers.request_measure(ctx, body, principal)
    return {"id": measure.id}


@router.get("")
async def list_measures(ctx: Context, principal: CurrentPrincipal, paging: Paging, situation_id: str | None = None,
                        type: MeasureType | None = None, status: MeasureStatus | None = None) -> Page[MeasureView]:
    criteria: dict[str, Any] = {}
    if situation_id:
        criteria["situation_id"] = situation_id
    if type:
        criteria["type"] = type.value
    if status:
        criteria["status"] = status.value
    found = await ctx.measures.find(criteria)
    by_situation = {m.situation_id: [n for n in found if n.situation_id == m.situation_id] for m in found}
    visible = [m for m in found if sees_measure(principal, m, by_situation[m.situation_id])]
    return Page(items=[measure_view(m) for m in visible[paging.offset:paging.offset + paging.limit]],
                total=len(visible))


@router.get("/{measure_id}")
async def get_measure(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> MeasureView:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    view = measure_view(measure)
    view["disagreements"] = [{"id": d["_id"], "status": d["status"], "raised_by": d["raised_by"]}
                             for d in await ctx.disagreements.find({"measure_id": measure_id})]
    return view


@router.post("/{measure_id}/schedule")
async def schedule(measure_id: str, body: commands.ScheduleMeasure, ctx: Context,
                   principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(measure_handlers.schedule_measure(ctx, measure_id, body, principal)))


@router.post("/{measure_id}/hold")
async def hold(measure_id: str, body: commands.HoldMeasure, ctx: Context, principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(measure_handlers.hold_measure(ctx, measure_id, body, principal)))


@router.post("/{measure_id}/start")
async def start(measure_id: str, body: commands.StartMeasure, ctx: Context,
                principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(measure_handlers.start_measure(ctx, measure_id, body, principal)))


@router.post("/{measure_id}/close")
async def close(measure_id: str, body: commands.CloseMeasure, ctx: Context,
                principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(measure_handlers.close_measure(ctx, measure_id, body, principal)))


@router.post("/{measure_id}/cancel")
async def cancel(measure_id: str, body: commands.CancelMeasure, ctx: Context,
                 principal: CurrentPrincipal) -> MeasureView:
    """A requested or scheduled measure that will not take place (reason: a code of `closure_reasons`)."""
    return measure_view(await run(measure_handlers.cancel_measure(ctx, measure_id, body, principal)))


PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "the document, printed (PDF, A4)", "content": {"application/pdf": {}}},
    **problem_responses(status_403="the document shows personal data the caller's institution may not read",
                        status_404="no such measure, or the caller may not see it",
                        status_409="the measure has no such document (yet)")}
Language = Query(None, description="fr or de; by default the person's language (else the region's)")


def _pdf(pdf: bytes, language: str, filename: str) -> Response:
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Language": language, **content_disposition("inline", f"{filename}-{language}.pdf")})


@router.get("/{measure_id}/closure-letter", response_class=Response, responses=PDF)
async def closure_letter(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> Response:
    """The closure letter to the person, in the person's language: addressed with the name and address of the
    sealed identity (so 403 for a caller no procuration lets read it), the case manager as contact, the
    situation's reference (CII-XXXX-XXXX). 409 until the measure is closed."""
    pdf, language = await closure_letter_pdf(ctx, measure_id, principal)
    return _pdf(pdf, language, "cloture")


@router.get("/{measure_id}/contract.pdf", response_class=Response, responses=PDF)
async def objectives_contract(measure_id: str, ctx: Context, principal: CurrentPrincipal,
                              language: Literal["fr", "de"] | None = Language) -> Response:
    """The objectives contract of a case management, to sign: objectives with the institution responsible
    and the deadline, signature lines. Whoever reads the measure may print it; an objective's text and the
    person's name only where the custodian releases them. 409 before the contract is recorded."""
    pdf, chosen = await contract_pdf(ctx, measure_id, principal, language)
    return _pdf(pdf, chosen, "contrat-objectifs")


@router.get("/{measure_id}/invitation.pdf", response_class=Response, responses=PDF)
async def invitation(measure_id: str, ctx: Context, principal: CurrentPrincipal,
                     language: Literal["fr", "de"] | None = Language) -> Response:
    """The invitation to a scheduled round table (TRO) or assessment: its date, the participating
    institutions and the situation's reference; no personal data. 409 before it is scheduled."""
    pdf, chosen = await invitation_pdf(ctx, measure_id, principal, language)
    return _pdf(pdf, chosen, "invitation")


@router.get("/{measure_id}/participants")
async def participants(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> dict[str, Any]:
    """The participants of a round table; staff names only where released to the caller's institution."""
    return {"items": await measure_handlers.read_participants(ctx, measure_id, principal)}


@router.get("/{measure_id}/final-report")
async def final_report(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> dict[str, str | None]:
    return {"final_report": await read_final_report(ctx, measure_id, principal)}
