"""Alerts, disagreements and billing: the bureau's and the case managers' lists."""

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Path, Response

from cii_platform.http import CurrentPrincipal, Page, Paging

from ...adapters.mongo_alerts import public_alert
from ...service_layer import billing, closure, commands, disagreements
from ...service_layer.views import visible_alerts
from .dependencies import Context, run

router = APIRouter(prefix="/api/v1", tags=["bureau"])


@router.get("/alerts")
async def list_alerts(ctx: Context, principal: CurrentPrincipal, paging: Paging, situation_id: str | None = None,
                      measure_id: str | None = None, kind: str | None = None, region: str | None = None,
                      active: bool = True) -> Page[dict[str, Any]]:
    criteria: dict[str, Any] = {"active": True} if active else {}
    for name, value in (("situation_id", situation_id), ("measure_id", measure_id), ("kind", kind),
                        ("region", region)):
        if value:
            criteria[name] = value
    found = [public_alert(d) for d in await visible_alerts(ctx, principal, criteria)]
    for alert in found:
        if isinstance(alert.get("raised_at"), date):
            alert["raised_at"] = alert["raised_at"].isoformat()
        if isinstance(alert.get("cleared_at"), date):
            alert["cleared_at"] = alert["cleared_at"].isoformat()
    return Page(items=found[paging.offset:paging.offset + paging.limit], total=len(found))


@router.post("/situations/{situation_id}/closure")
async def close_situation(situation_id: str, body: commands.CloseSituation, ctx: Context,
                          principal: CurrentPrincipal) -> dict[str, Any]:
    """The coordinator of the region (or theme), or the cantonal officer, closes a situation where no
    measure runs, with a reason code (reference data `closure_reasons`); 409 while a measure runs."""
    return await run(closure.close_by_coordinator(ctx, situation_id, body, principal))


@router.post("/situations/{situation_id}/reviews")
async def review_situation(situation_id: str, body: commands.ReviewSituation, ctx: Context,
                           principal: CurrentPrincipal) -> dict[str, Any]:
    """The coordinator's quarterly follow-up of an open complex situation (clears its REVIEW_DUE alert)."""
    return await closure.review_situation(ctx, situation_id, body, principal)


@router.get("/situations/{situation_id}/closure")
async def situation_closure(situation_id: str, ctx: Context, principal: CurrentPrincipal) -> dict[str, Any]:
    """Whether (and how) a situation ended; the bureau's staff of its region or theme and its announcer."""
    return await closure.closure_of(ctx, situation_id, principal)


@router.get("/disagreements")
async def list_disagreements(ctx: Context, principal: CurrentPrincipal, paging: Paging, status: str | None = None,
                             measure_id: str | None = None) -> Page[dict[str, Any]]:
    found = await disagreements.list_disagreements(ctx, principal, status, measure_id)
    return Page(items=found[paging.offset:paging.offset + paging.limit], total=len(found))


@router.post("/disagreements/{disagreement_id}/decision")
async def decide_disagreement(disagreement_id: str, body: commands.DecideDisagreement, ctx: Context,
                              principal: CurrentPrincipal) -> dict[str, Any]:
    return await disagreements.decide_disagreement(ctx, disagreement_id, body, principal)


@router.get("/billing/{year}", response_model=None)
async def billing_statements(ctx: Context, principal: CurrentPrincipal,
                             year: int = Path(ge=2000, le=2100),
                             format: Literal["json", "csv"] = "json") -> dict[str, Any] | Response:
    statements = await billing.statements_for(ctx, year, principal)
    if format == "csv":
        return Response(billing.billing_csv(statements), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="cii-billing-{year}.csv"'})
    return billing.billing_view(year, statements)
