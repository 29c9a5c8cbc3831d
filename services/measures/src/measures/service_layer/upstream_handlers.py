"""Reacting to the other services: situations from signalement, procuration expiry from procuration."""

from datetime import date

from cii_platform.contracts.internal_measures import (
    PROCURATION_EXPIRED_ALERT,
    PROCURATION_EXPIRING_ALERT,
    PROCURATION_REVOKED_ALERT,
)

from ..domain.situation import Situation
from .context import ServiceContext


async def record_situation(ctx: ServiceContext, situation: Situation) -> None:
    await ctx.situations.record(situation)


async def change_situation_status(ctx: ServiceContext, situation_id: str, status: str,
                                  triage_decision: str | None = None, triaged_on: date | None = None) -> None:
    await ctx.situations.set_status(situation_id, status, triage_decision, triaged_on)


async def when_procuration_ends_alert_open_situations(ctx: ServiceContext, person_pseudonym: str, kind: str,
                                                      valid_until: date) -> None:
    """Expiring, expired or revoked: the case manager must have it renewed (seed 001 section 6)."""
    replaced = {PROCURATION_EXPIRED_ALERT: {PROCURATION_EXPIRING_ALERT},
                PROCURATION_REVOKED_ALERT: {PROCURATION_EXPIRING_ALERT, PROCURATION_EXPIRED_ALERT}}
    for situation in await ctx.situations.open_of_person(person_pseudonym):
        await ctx.alerts.clear_for_situation(situation.id, frozenset(replaced.get(kind, set())),
                                             f"superseded by {kind}")
        await ctx.alerts.raise_for_situation(situation, kind, valid_until)


async def when_procuration_renewed_clear_alerts(ctx: ServiceContext, person_pseudonym: str) -> None:
    for situation in await ctx.situations.open_of_person(person_pseudonym):
        await ctx.alerts.clear_procuration_alerts(situation.id, "procuration renewed")
