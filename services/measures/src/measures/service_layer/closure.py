"""Closing a situation when its last running measure closes (seed 001: the case manager's final steps).

The network and the bureau are informed by the SituationClosed event (it names the institutions);
the person gets a closure letter (GET /api/v1/measures/{id}/closure-letter). Each closure is written
with its event in the situation's document; what a crash left half done is repaired by `repair`.
"""

from cii_platform.contracts import internal_measures as events
from cii_platform.contracts.codes import BUREAU

from ..adapters.event_mapper import entry, measure_entries
from ..domain.model import Measure, MeasureStatus
from .context import ServiceContext


def network_of(measures: list[Measure], announcer: str, co_following: list[str]) -> list[str]:
    institutions = {announcer, BUREAU, *co_following}
    for measure in measures:
        institutions.update(p.institution for p in measure.participants)
        if measure.case_manager:
            institutions.add(measure.case_manager.institution)
    return sorted(institutions)


async def close_situation_if_done(ctx: ServiceContext, closing: Measure) -> bool:
    measures = await ctx.measures.of_situation(closing.situation_id)
    if any(m.running for m in measures):
        return False
    closing = max((m for m in measures if m.closed_on is not None), key=lambda m: m.closed_on or closing.requested_on)
    assert closing.closed_on is not None
    situation = await ctx.situations.get(closing.situation_id)
    if situation is None:
        return False
    payload = events.SituationClosed(
        situation_id=situation.id, closed_on=closing.closed_on, region=situation.region,
        closing_measure_id=closing.id, network=network_of(measures, situation.institution, situation.co_following))
    closed = await ctx.situations.close(situation.id, closing.closed_on,
                                        [entry(events.SITUATION_CLOSED, situation.id, payload)])
    if closed:
        ctx.notify()
        await ctx.alerts.clear_for_situation(situation.id, None, "situation closed")
    return closed


async def repair(ctx: ServiceContext) -> None:
    """Periodic: follow-ups that a crash left uncreated, situations whose closure was not recorded."""
    for origin in await ctx.measures.find({"status": MeasureStatus.HELD.value,
                                            "follow_up_measure_id": {"$ne": None}}):
        assert origin.follow_up_measure_id is not None
        if await ctx.measures.get(origin.follow_up_measure_id) is None:
            follow_up = origin.follow_up()
            if follow_up is not None:
                await ctx.measures.add(follow_up, measure_entries(follow_up, follow_up.pop_changes()))
                ctx.notify()
    checked: set[str] = set()
    for closed in await ctx.measures.find({"status": MeasureStatus.CLOSED.value}):
        if closed.situation_id in checked:
            continue
        checked.add(closed.situation_id)
        situation = await ctx.situations.get(closed.situation_id)
        if situation is not None and not situation.closed and await _closing_was_last(ctx, closed.situation_id):
            await close_situation_if_done(ctx, closed)


async def _closing_was_last(ctx: ServiceContext, situation_id: str) -> bool:
    """Only a close that came after every session held closes the situation (a session held since
    leaves it open for the measure its outcome recommends)."""
    measures = await ctx.measures.of_situation(situation_id)
    last_close = max((m.closed_on for m in measures if m.closed_on), default=None)
    if last_close is None or any(m.running for m in measures):
        return False
    return all(m.held_on is None or m.held_on <= last_close for m in measures)
