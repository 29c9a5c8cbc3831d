"""Case management (seed 001 section 6): designation, objectives contract, meetings, reviews, financing."""

from cii_platform.contracts.codes import BUREAU, Purpose, Role
from cii_platform.http import ProblemError, forbidden
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from ..domain import case_management as cm
from ..domain.model import CaseManager, Measure, Meeting, Objective, Prefinancing
from . import commands
from .access import coordinates, is_bureau_staff, manages_case
from .context import ServiceContext


async def designate_case_manager(ctx: ServiceContext, measure_id: str, cmd: commands.DesignateCaseManager,
                                 principal: Principal) -> Measure:
    """The regional pool designates one of its respondents; the coordinator records it."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if not is_bureau_staff(principal, measure.situation):
        raise forbidden("only the region's coordinator or the cantonal officer designates the case manager")
    if not ctx.known_institution(cmd.institution):
        raise DomainValidationError([error("institution", f"unknown institution {cmd.institution!r}")])
    cm.designate_case_manager(measure, CaseManager(**cmd.model_dump()))
    await ctx.save(measure)
    return measure


async def _managed_measure(ctx: ServiceContext, measure_id: str, principal: Principal) -> Measure:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if not manages_case(principal, measure):
        raise forbidden("only the case manager (or the bureau) keeps the case-management record")
    return measure


async def sign_contract(ctx: ServiceContext, measure_id: str, cmd: commands.SignContract,
                        principal: Principal) -> Measure:
    measure = await _managed_measure(ctx, measure_id, principal)
    errors = [error(f"objectives.{i}.responsible_institution", f"unknown institution {o.responsible_institution!r}")
              for i, o in enumerate(cmd.objectives) if not ctx.known_institution(o.responsible_institution)]
    if errors:
        raise DomainValidationError(errors)
    objectives = []
    for objective in cmd.objectives:
        objective_id = cm.new_objective_id()
        text = await ctx.sealer.seal_text(principal.institution, objective.text, measure.situation.person_pseudonym,
                                          f"{measure.id}/objective/{objective_id}")
        objectives.append(Objective(id=objective_id, text=text, deadline=objective.deadline,
                                    responsible_institution=objective.responsible_institution))
    cm.sign_contract(measure, cmd.signed_on, objectives)
    await ctx.save(measure)
    return measure


async def achieve_objective(ctx: ServiceContext, measure_id: str, objective_id: str,
                            cmd: commands.AchieveObjective, principal: Principal) -> Measure:
    measure = await _managed_measure(ctx, measure_id, principal)
    cm.achieve_objective(measure, objective_id, cmd.achieved_on)
    await ctx.save(measure)
    return measure


async def log_meeting(ctx: ServiceContext, measure_id: str, cmd: commands.LogMeeting,
                      principal: Principal) -> Meeting:
    measure = await _managed_measure(ctx, measure_id, principal)
    meeting_id = cm.new_meeting_id()
    minutes = await ctx.sealer.seal_text(principal.institution, cmd.minutes, measure.situation.person_pseudonym,
                                         f"{measure.id}/minutes/{meeting_id}")
    meeting = cm.log_meeting(measure, cmd.held_on, minutes, meeting_id)
    await ctx.save(measure)
    return meeting


async def read_minutes(ctx: ServiceContext, measure_id: str, meeting_id: str, principal: Principal) -> str | None:
    """Decrypted only with a key the custodian releases to the caller (procuration or controller)."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    meeting = next((m for m in measure.meetings if m.id == meeting_id), None)
    if meeting is None:
        raise ProblemError(404, "Not Found", "no such meeting")
    if meeting.minutes is None:
        return None
    context = f"{measure.id}/minutes/{meeting.id}"
    text = await ctx.sealer.unseal_text(meeting.minutes, principal, purpose=Purpose.CASE_MANAGEMENT, context=context)
    await ctx.audit(principal, "read_minutes", context, granted=text is not None)
    if text is None:
        raise forbidden("no procuration permits your institution to read these minutes")
    return text


async def read_final_report(ctx: ServiceContext, measure_id: str, principal: Principal) -> str | None:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if measure.final_report is None:
        return None
    context = f"{measure.id}/final_report"
    text = await ctx.sealer.unseal_text(measure.final_report, principal, purpose=Purpose.CII_COORDINATION,
                                        context=context)
    await ctx.audit(principal, "read_final_report", context, granted=text is not None)
    if text is None:
        raise forbidden("no procuration permits your institution to read this report")
    return text


async def record_review(ctx: ServiceContext, measure_id: str, cmd: commands.RecordReview,
                        principal: Principal) -> Measure:
    """The quarterly review of a complex situation is the coordinator's."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if not coordinates(principal, measure.situation):
        raise forbidden("only the region's (or theme's) coordinator reviews a case management")
    cm.record_review(measure, cmd.reviewed_on, principal.subject)
    await ctx.save(measure)
    return measure


async def decide_prefinancing(ctx: ServiceContext, measure_id: str, cmd: commands.DecidePrefinancing,
                              principal: Principal) -> Measure:
    """Records the 'Commission droit' decision; the bureau (officer or secretariat) enters it."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if principal.institution != BUREAU or not principal.has_role(Role.CANTONAL_OFFICER, Role.SECRETARIAT):
        raise forbidden("the bureau records the decisions of the Commission droit")
    if measure.type.value not in ctx.settings.prefinanceable_measures:
        raise DomainValidationError([error("measure_id", f"a {measure.type.value} is not a reinsertion measure "
                                                         "the fund prefinances")])
    amount = cmd.amount if cmd.amount is not None else ctx.variable_cost(measure.type)
    if amount is None:
        raise DomainValidationError([error("amount", f"is required: a {measure.type.value} has no tariff")])
    if cmd.decided_on < measure.requested_on:
        raise DomainValidationError([error("decided_on", "must not be before requested_on")])
    measure.prefinancing = Prefinancing(**cmd.model_dump(exclude={"amount"}))
    measure.variable_cost = amount
    measure.record("prefinancing_decided")
    await ctx.save(measure)
    return measure


async def settle_prefinancing(ctx: ServiceContext, measure_id: str, cmd: commands.SettlePrefinancing,
                              principal: Principal) -> Measure:
    """Seed 002, 7.4: once entitlement is clarified the advance is charged to the liable partner."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if principal.institution != BUREAU or not principal.has_role(Role.CANTONAL_OFFICER, Role.SECRETARIAT):
        raise forbidden("the bureau records the decisions of the Commission droit")
    prefinancing = measure.prefinancing
    if prefinancing is None or prefinancing.decision != "PREFINANCED" or prefinancing.settled_on is not None:
        raise DomainValidationError([error("measure_id", "has no prefinancing awaiting settlement")])
    if cmd.settled_on < prefinancing.decided_on:
        raise DomainValidationError([error("settled_on", "must not be before the prefinancing decision")])
    if cmd.charged_to is not None and cmd.charged_to not in ctx.reference.institution_codes:
        raise DomainValidationError([error("charged_to", f"unknown institution {cmd.charged_to!r}")])
    prefinancing.settled_on, prefinancing.charged_to = cmd.settled_on, cmd.charged_to
    measure.record("prefinancing_settled")
    await ctx.save(measure)
    return measure
