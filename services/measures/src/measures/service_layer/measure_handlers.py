"""Handlers of the measure lifecycle: request, schedule, hold, start, close (docs/contract.md 7)."""

import asyncio
import time
from datetime import date
from typing import Any

from cii_platform.contracts.codes import BUREAU, MeasureType, Purpose
from cii_platform.http import forbidden
from cii_platform.security.crypto import SealedSection
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from ..domain.case_management import contract_due_on
from ..domain.model import SESSION_TYPES, CaseManager, Measure, MeasureStatus, Outcome, Participant
from ..domain.situation import Situation, letter_language_for
from . import commands
from .access import coordinates, is_bureau_staff, may_request_measure
from .closure import close_situation_if_done
from .context import ServiceContext
from .event_builders import measure_entries


async def request_measure(ctx: ServiceContext, cmd: commands.RequestMeasure, principal: Principal) -> Measure:
    situation = await _requestable_situation(ctx, cmd.situation_id, principal)
    payer = _requesting_institution(ctx, principal, cmd.requested_by)
    measure = Measure.request(situation_id=situation.id, situation=situation.ref(), measure_type=cmd.type,
                              requested_on=cmd.requested_on, requested_by=payer)
    await ctx.measures.add(measure, measure_entries(measure, measure.pop_changes()))
    ctx.notify()
    return measure


async def _situation_arrived(ctx: ServiceContext, situation_id: str) -> Situation | None:
    """The projection lags the signalement service by a moment: wait briefly for a new situation."""
    deadline = time.monotonic() + ctx.settings.unknown_situation_wait_seconds
    for _ in range(int(ctx.settings.unknown_situation_wait_seconds / 0.2) + 1):
        situation = await ctx.situations.get(situation_id)
        if situation is not None or time.monotonic() >= deadline:
            return situation
        await asyncio.sleep(0.2)
    return await ctx.situations.get(situation_id)


async def _requestable_situation(ctx: ServiceContext, situation_id: str, principal: Principal) -> Situation:
    situation = await _situation_arrived(ctx, situation_id)
    unknown = error("situation_id", "no such situation (unknown, or not visible to the caller)")
    if situation is None:
        raise DomainValidationError([unknown])
    if not may_request_measure(principal, situation.ref(), await ctx.measures.of_situation(situation_id)):
        raise DomainValidationError([unknown])
    if situation.rejected:
        raise DomainValidationError([error("situation_id", "the situation was rejected at triage")])
    if situation.is_closed:
        raise DomainValidationError([error("situation_id", "the situation is closed")])
    return situation


def _requesting_institution(ctx: ServiceContext, principal: Principal, requested_by: str | None) -> str:
    """The bureau may record a request on behalf of a partner (who then pays its variable costs)."""
    if requested_by is None or requested_by == principal.institution:
        return principal.institution
    if principal.institution != BUREAU:
        raise DomainValidationError([error("requested_by", "only the CII bureau requests on behalf of a partner")])
    if not ctx.known_institution(requested_by):
        raise DomainValidationError([error("requested_by", f"unknown institution {requested_by!r}")])
    return requested_by


async def schedule_measure(ctx: ServiceContext, measure_id: str, cmd: commands.ScheduleMeasure,
                           principal: Principal) -> Measure:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    _require_organiser(measure, principal, "schedules")
    errors = [error(f"participants.{i}.institution", f"unknown institution {p.institution!r}")
              for i, p in enumerate(cmd.participants) if not ctx.known_institution(p.institution)]
    if errors:
        raise DomainValidationError(errors)
    participants = [Participant(institution=p.institution, role=p.role, person_name=await ctx.sealer.seal_text(
        principal.institution, p.person_name, measure.situation.person_pseudonym, participant_context(measure.id, i)))
        for i, p in enumerate(cmd.participants)]
    measure.schedule(cmd.date, participants)
    await ctx.save(measure)
    return measure


def participant_context(measure_id: str, index: int) -> str:
    return f"{measure_id}/participants/{index}"


async def read_participants(ctx: ServiceContext, measure_id: str, principal: Principal) -> list[dict[str, Any]]:
    """The participants with their names where the custodian releases them to the caller (the
    institution that wrote them, or another under a procuration); every read audited."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    shown = []
    for index, participant in enumerate(measure.participants):
        name = None
        if isinstance(participant.person_name, SealedSection):
            context = participant_context(measure.id, index)
            name = await ctx.sealer.unseal_text(participant.person_name, principal,
                                                purpose=Purpose.CII_COORDINATION, context=context)
            await ctx.audit(principal, "read_participant", context, granted=name is not None)
        shown.append({"institution": participant.institution, "role": participant.role, "person_name": name,
                      "person_name_recorded": participant.person_name is not None})
    return shown


async def hold_measure(ctx: ServiceContext, measure_id: str, cmd: commands.HoldMeasure,
                       principal: Principal) -> Measure:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    _require_organiser(measure, principal, "holds")
    outcome = None
    if cmd.outcome is not None:
        notes = await ctx.sealer.seal_text(principal.institution, cmd.outcome.notes, measure.situation.person_pseudonym,
                                           f"{measure.id}/outcome")
        if cmd.outcome.no_further_measure and cmd.outcome.recommended_measure is not None:
            raise DomainValidationError([error("outcome.no_further_measure",
                                               "contradicts outcome.recommended_measure")])
        outcome = Outcome(recommended_measure=cmd.outcome.recommended_measure,
                          no_further_measure=cmd.outcome.no_further_measure, notes=notes)
    follow_up = measure.hold(cmd.held_on, outcome, variable_cost=ctx.cost_of(measure))
    await ctx.save(measure)
    if follow_up is not None:  # after a crash here, closure.repair creates it
        await ctx.measures.add(follow_up, measure_entries(follow_up, follow_up.pop_changes()))
        ctx.notify()
    if measure.ends_the_situation:
        await close_situation_if_done(ctx, measure)
    return measure


async def start_measure(ctx: ServiceContext, measure_id: str, cmd: commands.StartMeasure,
                        principal: Principal) -> Measure:
    measure, situation_measures = await ctx.visible_measure(measure_id, principal)
    case_manager = _case_manager(cmd, principal) or measure.case_manager
    origin_held_on = _origin_held_on(measure, situation_measures, cmd.started_on)
    measure.start(cmd.started_on, case_manager=case_manager,
                  contract_due_on=contract_due_on(origin_held_on, cmd.started_on),
                  variable_cost=ctx.cost_of(measure))
    await ctx.save(measure)
    return measure


def _require_organiser(measure: Measure, principal: Principal, action: str) -> None:
    """Seed 001, sections 5.3 and 5.4: the coordinator of the region (or theme) organises and conducts the
    TRO and has the assessments organised; the cantonal officer may stand in (docs/contract.md 7)."""
    if measure.type in SESSION_TYPES and not coordinates(principal, measure.situation):
        raise forbidden(f"only the coordinator of the situation's region or theme, or the cantonal officer, "
                        f"{action} a {measure.type.value}")


def _case_manager(cmd: commands.StartMeasure, principal: Principal) -> CaseManager | None:
    given = cmd.case_manager
    if given is None:
        return None
    if isinstance(given, str):
        return CaseManager(institution=principal.institution, subject=given, designated_on=cmd.started_on)
    return CaseManager(**given.model_dump(), designated_on=cmd.started_on)


def _origin_held_on(measure: Measure, situation_measures: list[Measure], started_on: date) -> date | None:
    """The TRO or assessment that led to case management: its origin, else the latest one held before."""
    held = {m.id: m.held_on for m in situation_measures
            if m.type in SESSION_TYPES and m.status == MeasureStatus.HELD and m.held_on is not None}
    if measure.origin_measure_id in held:
        return held[measure.origin_measure_id]
    return max((d for d in held.values() if d is not None and d <= started_on), default=None)


async def close_measure(ctx: ServiceContext, measure_id: str, cmd: commands.CloseMeasure,
                        principal: Principal) -> Measure:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    report = await ctx.sealer.seal_text(principal.institution, cmd.final_report, measure.situation.person_pseudonym,
                                        f"{measure.id}/final_report")
    measure.close(cmd.closed_on, cmd.reinsertion, report, letter_language_for(measure.situation.region, cmd.language))
    await ctx.save(measure)
    await close_situation_if_done(ctx, measure)
    return measure


async def cancel_measure(ctx: ServiceContext, measure_id: str, cmd: commands.CancelMeasure,
                         principal: Principal) -> Measure:
    """The requesting institution or the bureau cancels a measure that has not taken place; when nothing
    else runs on the situation, it closes (outcome MEASURE_CANCELLED)."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if principal.institution != measure.requested_by and not is_bureau_staff(principal, measure.situation):
        raise forbidden("only the requesting institution or the bureau cancels a measure")
    if cmd.reason not in ctx.reference.closure_reasons:
        raise DomainValidationError([error("reason", f"unknown reason {cmd.reason!r}; one of "
                                                     f"{', '.join(ctx.reference.closure_reasons)}")])
    measure.cancel(cmd.cancelled_on, cmd.reason)
    await ctx.save(measure)
    await close_situation_if_done(ctx, measure)
    return measure


def is_variable_cost_type(ctx: ServiceContext, measure_type: MeasureType) -> bool:
    return ctx.variable_cost(measure_type) is not None
