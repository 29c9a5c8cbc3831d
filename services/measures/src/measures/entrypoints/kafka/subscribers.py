"""Internal events of signalement and procuration -> this service's projection and alerts.

Tolerant readers: the contract models ignore unknown fields; types not listed here are skipped.
The runtime's consumer dedupes by event id before calling these handlers.
"""

from collections.abc import Awaitable, Callable

from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.internal_measures import (
    PROCURATION_EXPIRED_ALERT,
    PROCURATION_EXPIRING_ALERT,
    PROCURATION_REVOKED_ALERT,
)
from cii_platform.contracts.topics import PROCURATION_EVENTS, SIGNALEMENT_EVENTS
from cii_platform.runtime import ServiceRuntime

from ...domain.situation import Situation
from ...service_layer import upstream_handlers as handlers
from ...service_layer.closure import close_after_triage
from ...service_layer.context import ServiceContext

Handler = Callable[[CloudEvent], Awaitable[None]]
PROCURATION_ALERT_OF = {procuration.PROCURATION_EXPIRING: PROCURATION_EXPIRING_ALERT,
                        procuration.PROCURATION_EXPIRED: PROCURATION_EXPIRED_ALERT,
                        procuration.PROCURATION_REVOKED: PROCURATION_REVOKED_ALERT}


def situation_from(event: signalement.SituationRecorded) -> Situation:
    return Situation(
        id=event.situation_id, version=event.version, institution=event.institution, region=event.region,
        public=event.public.value, asylum=event.asylum, situation_type=event.situation_type.value,
        status=event.status, person_pseudonym=event.person_pseudonym, announced_on=event.announced_on,
        co_following=event.co_following, procuration_id=event.procuration_id, sealed=event.sealed)


def signalement_handlers(ctx: ServiceContext) -> dict[str, Handler]:
    async def on_recorded(event: CloudEvent) -> None:
        await handlers.record_situation(ctx, situation_from(signalement.SituationRecorded.model_validate(event.data)))

    async def on_triaged(event: CloudEvent) -> None:
        triaged = signalement.SituationTriaged.model_validate(event.data)
        await handlers.change_situation_status(ctx, triaged.situation_id, triaged.status, triaged.decision,
                                               triaged.triaged_at.date())
        await close_after_triage(ctx, triaged.situation_id, triaged.decision, triaged.triaged_at.date())

    async def on_status_changed(event: CloudEvent) -> None:
        changed = signalement.SituationStatusChanged.model_validate(event.data)
        await handlers.change_situation_status(ctx, changed.situation_id, changed.status)

    return {signalement.SITUATION_RECORDED: on_recorded, signalement.SITUATION_TRIAGED: on_triaged,
            signalement.SITUATION_STATUS_CHANGED: on_status_changed}


def procuration_handlers(ctx: ServiceContext) -> dict[str, Handler]:
    async def on_status(event: CloudEvent) -> None:
        status = procuration.ProcurationStatusEvent.model_validate(event.data)
        await handlers.when_procuration_ends_alert_open_situations(
            ctx, status.person_pseudonym, PROCURATION_ALERT_OF[event.type], status.valid_until)

    async def on_recorded(event: CloudEvent) -> None:
        recorded = procuration.ProcurationRecorded.model_validate(event.data)
        if recorded.valid_until >= ctx.clock.today():
            await handlers.when_procuration_renewed_clear_alerts(ctx, recorded.person_pseudonym)

    return {**{event_type: on_status for event_type in PROCURATION_ALERT_OF},
            procuration.PROCURATION_RECORDED: on_recorded}


def register_subscribers(runtime: ServiceRuntime, ctx: ServiceContext) -> None:
    runtime.consume_internal([SIGNALEMENT_EVENTS], signalement_handlers(ctx), name="measures-situations")
    runtime.consume_internal([PROCURATION_EVENTS], procuration_handlers(ctx), name="measures-procuration")
