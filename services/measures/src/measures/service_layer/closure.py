"""Closing a situation, whatever the way it ends (issue 14, point 7):

- its last running measure closes (seed 001: the case manager's final steps): MEASURES_COMPLETED;
- triage redirects it to a network or simple CII, or rejects it: REDIRECTED_NETWORK / _SIMPLE, REJECTED;
- a TRO or assessment recommends no further measure: NO_FURTHER_MEASURE;
- its last requested measure is cancelled: MEASURE_CANCELLED;
- the coordinator closes it by hand, with a reason code: CLOSED_BY_COORDINATOR.

Each publishes the one SituationClosed fact (outcome and reason are codes) that the signalement service
turns into the network's `ch.vs.cii.situation.closed.v1`, reporting counts, the procuration service starts
the retention clock on, and a notifier can read. Its alerts are cleared. Each closure is written with its
event in the situation's document; what a crash left half done is repaired by `repair`.
"""

from dataclasses import dataclass
from datetime import date

from cii_platform.contracts import internal_measures as events
from cii_platform.contracts.codes import BUREAU, TriageDecision
from cii_platform.http import conflict, forbidden, not_found
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from ..domain.model import Measure, MeasureStatus
from . import commands
from .access import coordinates
from .context import ServiceContext
from .event_builders import entry, measure_entries

OUTCOME_OF_TRIAGE = {TriageDecision.REDIRECT_NETWORK.value: events.OUTCOME_REDIRECTED_NETWORK,
                     TriageDecision.REDIRECT_SIMPLE.value: events.OUTCOME_REDIRECTED_SIMPLE,
                     TriageDecision.REJECT.value: events.OUTCOME_REJECTED}


@dataclass(frozen=True)
class Closure:
    closed_on: date
    outcome: str
    reason: str | None = None
    closing_measure_id: str | None = None
    closed_by: str | None = None


def network_of(measures: list[Measure], announcer: str, co_following: list[str]) -> list[str]:
    institutions = {announcer, BUREAU, *co_following}
    for measure in measures:
        institutions.update(p.institution for p in measure.participants)
        if measure.case_manager:
            institutions.add(measure.case_manager.institution)
    return sorted(institutions)


async def close_situation(ctx: ServiceContext, situation_id: str, closure: Closure) -> bool:
    """True only for the call that closed it; a closed situation stays closed (its first closure stands)."""
    situation = await ctx.situations.get(situation_id)
    if situation is None or situation.closed:
        return False
    measures = await ctx.measures.of_situation(situation_id)
    payload = events.SituationClosed(
        situation_id=situation.id, closed_on=closure.closed_on, region=situation.region,
        closing_measure_id=closure.closing_measure_id, outcome=closure.outcome, reason=closure.reason,
        closed_by=closure.closed_by, network=network_of(measures, situation.institution, situation.co_following))
    closed = await ctx.situations.close(situation.id, closure.closed_on,
                                        [entry(events.SITUATION_CLOSED, situation.id, payload)],
                                        outcome=closure.outcome, reason=closure.reason)
    if closed:
        ctx.notify()
        await ctx.alerts.clear_for_situation(situation.id, None, "situation closed")
    return closed


async def close_situation_if_done(ctx: ServiceContext, closing: Measure) -> bool:
    """After a measure closed, was cancelled or a session ended the CII's work: close when nothing runs."""
    measures = await ctx.measures.of_situation(closing.situation_id)
    if any(m.running for m in measures):
        return False
    closure = _closure_after(closing, measures)
    return closure is not None and await close_situation(ctx, closing.situation_id, closure)


def _closure_after(closing: Measure, measures: list[Measure]) -> Closure | None:
    if closing.status == MeasureStatus.CANCELLED and closing.cancelled_on is not None:
        return Closure(closing.cancelled_on, events.OUTCOME_MEASURE_CANCELLED, closing.cancel_reason, closing.id)
    if closing.ends_the_situation and closing.held_on is not None:
        return Closure(closing.held_on, events.OUTCOME_NO_FURTHER_MEASURE, None, closing.id)
    closed = [m for m in measures if m.status == MeasureStatus.CLOSED and m.closed_on is not None]
    if not closed:
        return None
    last = max(closed, key=lambda m: m.closed_on or m.requested_on)
    assert last.closed_on is not None
    return Closure(last.closed_on, events.OUTCOME_MEASURES_COMPLETED,
                   "REINSERTION" if last.reinsertion else "NO_REINSERTION", last.id)


async def close_after_triage(ctx: ServiceContext, situation_id: str, decision: str, triaged_on: date) -> bool:
    """A situation redirected to a network or simple CII, or rejected, leaves the complex CII."""
    outcome = OUTCOME_OF_TRIAGE.get(decision)
    if outcome is None:
        return False
    return await close_situation(ctx, situation_id, Closure(triaged_on, outcome, decision))


async def close_by_coordinator(ctx: ServiceContext, situation_id: str, cmd: commands.CloseSituation,
                               principal: Principal) -> dict[str, object]:
    """The coordinator of the region (or theme), or the cantonal officer, ends a situation with a reason."""
    situation = await ctx.situations.get(situation_id)
    if situation is None or not coordinates(principal, situation.ref()):
        if situation is not None and principal.institution == situation.institution:
            raise forbidden("only the coordinator of the situation's region or theme closes it")
        raise not_found("situation")
    errors = []
    if cmd.reason not in ctx.reference.closure_reasons:
        errors.append(error("reason", f"unknown reason {cmd.reason!r}; one of "
                                      f"{', '.join(ctx.reference.closure_reasons)}"))
    if cmd.closed_on < situation.announced_on:
        errors.append(error("closed_on", f"must not be before the announcement ({situation.announced_on})"))
    if cmd.closed_on > ctx.clock.today():
        errors.append(error("closed_on", f"{cmd.closed_on} is in the future"))
    if errors:
        raise DomainValidationError(errors)
    if situation.closed:
        raise conflict("the situation is already closed", "closed")
    running = [m for m in await ctx.measures.of_situation(situation_id) if m.running]
    if running:
        raise conflict(f"{len(running)} measure(s) still run: close or cancel them first", "open")
    await close_situation(ctx, situation_id, Closure(cmd.closed_on, events.OUTCOME_CLOSED_BY_COORDINATOR,
                                                     cmd.reason, None, principal.institution))
    return await situation_closure_view(ctx, situation_id)


async def review_situation(ctx: ServiceContext, situation_id: str, cmd: commands.ReviewSituation,
                           principal: Principal) -> dict[str, object]:
    """Seed 001, 5.3 and 5.4: the coordinator follows every open complex situation quarterly."""
    situation = await ctx.situations.get(situation_id)
    if situation is None or not coordinates(principal, situation.ref()):
        raise not_found("situation")
    if not situation.followed_as_complex:
        raise DomainValidationError([error("situation_id", "is not an open complex situation")])
    floor = max(situation.reviews, default=situation.followed_since or situation.announced_on)
    if cmd.reviewed_on < floor or cmd.reviewed_on > ctx.clock.today():
        raise DomainValidationError([error("reviewed_on", f"must be between {floor} and today")])
    reviewed = situation.model_copy(update={"reviews": [*situation.reviews, cmd.reviewed_on]})
    next_due = reviewed.review_due_on()
    assert next_due is not None
    payload = events.SituationReviewed(situation_id=situation.id, region=situation.region,
                                       reviewed_on=cmd.reviewed_on, next_review_due_on=next_due)
    if not await ctx.situations.add_review(situation.id, cmd.reviewed_on,
                                           [entry(events.SITUATION_REVIEWED, situation.id, payload)]):
        raise conflict("the situation was closed meanwhile", "closed")
    ctx.notify()
    await ctx.alerts.reconcile_situation_review(reviewed)
    return {"situation_id": situation.id, "reviewed_on": cmd.reviewed_on.isoformat(),
            "next_review_due_on": next_due.isoformat()}


async def closure_of(ctx: ServiceContext, situation_id: str, principal: Principal) -> dict[str, object]:
    situation = await ctx.situations.get(situation_id)
    if situation is None or not (coordinates(principal, situation.ref())
                                 or principal.institution == situation.institution):
        raise not_found("situation")
    return await situation_closure_view(ctx, situation_id)


async def situation_closure_view(ctx: ServiceContext, situation_id: str) -> dict[str, object]:
    situation = await ctx.situations.get(situation_id)
    assert situation is not None
    return {"situation_id": situation.id, "closed": situation.closed,
            "closed_on": situation.closed_on.isoformat() if situation.closed_on else None,
            "outcome": situation.closure_outcome, "reason": situation.closure_reason}


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
