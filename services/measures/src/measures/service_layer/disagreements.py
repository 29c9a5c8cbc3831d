"""A partner's disagreement on a measure, escalated to the cantonal officer, who decides."""

import uuid
from typing import Any

from cii_platform.contracts import internal_measures as events
from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.http import conflict, forbidden, not_found
from cii_platform.messaging.outbox import OUTBOX, PENDING
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from . import commands
from .context import ServiceContext
from .event_builders import entry


async def raise_disagreement(ctx: ServiceContext, measure_id: str, cmd: commands.RaiseDisagreement,
                             principal: Principal) -> dict[str, Any]:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if cmd.raised_on < measure.requested_on:
        raise DomainValidationError([error("raised_on", "must not be before the measure was requested")])
    disagreement_id = f"d-{uuid.uuid4().hex}"
    reason = await ctx.sealer.seal_text(principal.institution, cmd.reason, measure.situation.person_pseudonym,
                                        f"{measure.id}/disagreement/{disagreement_id}")
    payload = events.DisagreementRaised(disagreement_id=disagreement_id, measure_id=measure.id,
                                        situation_id=measure.situation_id, raised_by=principal.institution,
                                        raised_on=cmd.raised_on)
    fields = {"measure_id": measure.id, "situation_id": measure.situation_id, "region": measure.situation.region,
              "raised_by": principal.institution, "raised_on": cmd.raised_on.isoformat(),
              "reason": reason.model_dump() if reason else None, "escalated_to": "CANTONAL_OFFICER"}
    await ctx.disagreements.add(disagreement_id, fields,
                                [entry(events.DISAGREEMENT_RAISED, measure.situation_id, payload)])
    ctx.notify()
    return public_view(public_view_of_stored({"_id": disagreement_id, **fields, "status": "OPEN"}))


async def decide_disagreement(ctx: ServiceContext, disagreement_id: str, cmd: commands.DecideDisagreement,
                              principal: Principal) -> dict[str, Any]:
    if not principal.is_cantonal_officer:
        raise forbidden("the cantonal officer decides disagreements")
    current = await ctx.disagreements.get(disagreement_id)
    if current is None:
        raise not_found("disagreement")
    if cmd.decided_on.isoformat() < current["raised_on"]:
        raise DomainValidationError([error("decided_on", "must not be before the disagreement was raised")])
    payload = events.DisagreementDecided(disagreement_id=disagreement_id, measure_id=current["measure_id"],
                                         situation_id=current["situation_id"], decision=cmd.decision,
                                         decided_on=cmd.decided_on)
    decided = await ctx.disagreements.decide(
        disagreement_id, {"decision": cmd.decision, "decided_on": cmd.decided_on.isoformat(),
                          "decided_by": principal.subject},
        [entry(events.DISAGREEMENT_DECIDED, current["situation_id"], payload)])
    if decided is None:
        raise conflict("the disagreement is already decided", "DECIDED")
    ctx.notify()
    return public_view(public_view_of_stored(decided))


async def list_disagreements(ctx: ServiceContext, principal: Principal, status: str | None,
                             measure_id: str | None) -> list[dict[str, Any]]:
    """The cantonal officer sees every one; a coordinator those of the region; a partner its own."""
    criteria: dict[str, Any] = {}
    if status:
        criteria["status"] = status
    if measure_id:
        criteria["measure_id"] = measure_id
    found = [public_view_of_stored(d) for d in await ctx.disagreements.find(criteria)]
    return [public_view(d) for d in found if principal.is_cantonal_officer
            or d["raised_by"] == principal.institution
            or coordinates_region(principal, d["region"])]


def coordinates_region(principal: Principal, region: str) -> bool:
    return principal.institution == BUREAU and principal.has_role(Role.COORDINATOR) and principal.region == region


def public_view(disagreement: dict[str, Any]) -> dict[str, Any]:
    """The reason stays sealed: the view says only whether one was given."""
    view = {k: v for k, v in disagreement.items() if k != "reason"}
    view["reason_recorded"] = disagreement.get("reason") is not None
    return view


def public_view_of_stored(document: dict[str, Any]) -> dict[str, Any]:
    """A stored disagreement without the storage's own fields (outbox), its `_id` as `id`."""
    fields = {k: v for k, v in document.items() if k not in ("_id", OUTBOX, PENDING)}
    return {"id": document["_id"], **fields}
