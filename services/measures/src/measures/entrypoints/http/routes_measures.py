"""Measure lifecycle routes (docs/contract.md section 7) and the closure letter."""

from typing import Any

from fastapi import APIRouter, Response, status

from cii_platform.contracts.codes import MeasureType
from cii_platform.http import CurrentPrincipal, Page, Paging

from ...domain.model import MeasureStatus
from ...service_layer import commands, measure_handlers
from ...service_layer.access import sees_measure
from ...service_layer.case_handlers import read_final_report
from ...service_layer.letters import closure_letter_pdf
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


@router.get("/{measure_id}/closure-letter", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
async def closure_letter(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> Response:
    pdf, language = await closure_letter_pdf(ctx, measure_id, principal)
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Language": language,
        "Content-Disposition": f'inline; filename="cloture-{measure_id}-{language}.pdf"'})


@router.get("/{measure_id}/participants")
async def participants(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> dict[str, Any]:
    """The participants of a round table; staff names only where released to the caller's institution."""
    return {"items": await measure_handlers.read_participants(ctx, measure_id, principal)}


@router.get("/{measure_id}/final-report")
async def final_report(measure_id: str, ctx: Context, principal: CurrentPrincipal) -> dict[str, str | None]:
    return {"final_report": await read_final_report(ctx, measure_id, principal)}
