"""Case management, financing and disagreement routes on a measure (issue 5)."""

from typing import Any

from fastapi import APIRouter, status

from cii_platform.http import CurrentPrincipal

from ...service_layer import case_handlers, commands, disagreements
from ...service_layer.views import measure_view
from .dependencies import Context, run

router = APIRouter(prefix="/api/v1/measures/{measure_id}", tags=["case management"])
MeasureView = dict[str, Any]


@router.post("/case-manager")
async def designate_case_manager(measure_id: str, body: commands.DesignateCaseManager, ctx: Context,
                                 principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.designate_case_manager(ctx, measure_id, body, principal)))


@router.post("/contract")
async def sign_contract(measure_id: str, body: commands.SignContract, ctx: Context,
                        principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.sign_contract(ctx, measure_id, body, principal)))


@router.post("/contract/objectives/{objective_id}/achieve")
async def achieve_objective(measure_id: str, objective_id: str, body: commands.AchieveObjective, ctx: Context,
                            principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.achieve_objective(ctx, measure_id, objective_id, body,
                                                                  principal)))


@router.post("/meetings", status_code=status.HTTP_201_CREATED)
async def log_meeting(measure_id: str, body: commands.LogMeeting, ctx: Context,
                      principal: CurrentPrincipal) -> dict[str, str]:
    meeting = await run(case_handlers.log_meeting(ctx, measure_id, body, principal))
    return {"id": meeting.id, "held_on": meeting.held_on.isoformat()}


@router.get("/meetings/{meeting_id}/minutes")
async def read_minutes(measure_id: str, meeting_id: str, ctx: Context,
                       principal: CurrentPrincipal) -> dict[str, str | None]:
    return {"minutes": await case_handlers.read_minutes(ctx, measure_id, meeting_id, principal)}


@router.post("/reviews")
async def record_review(measure_id: str, body: commands.RecordReview, ctx: Context,
                        principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.record_review(ctx, measure_id, body, principal)))


@router.post("/prefinancing")
async def decide_prefinancing(measure_id: str, body: commands.DecidePrefinancing, ctx: Context,
                              principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.decide_prefinancing(ctx, measure_id, body, principal)))


@router.post("/prefinancing/settlement")
async def settle_prefinancing(measure_id: str, body: commands.SettlePrefinancing, ctx: Context,
                              principal: CurrentPrincipal) -> MeasureView:
    return measure_view(await run(case_handlers.settle_prefinancing(ctx, measure_id, body, principal)))


@router.post("/disagreements", status_code=status.HTTP_201_CREATED)
async def raise_disagreement(measure_id: str, body: commands.RaiseDisagreement, ctx: Context,
                             principal: CurrentPrincipal) -> dict[str, Any]:
    return await disagreements.raise_disagreement(ctx, measure_id, body, principal)
