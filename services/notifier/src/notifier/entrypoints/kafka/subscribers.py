"""Kafka entry points: the internal topics of signalement, measures and procuration, one consumer group
(`cii-notifier`). Dedupe by event id (the runtime's inbox), then by (event, person) in the deliveries."""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.topics import MEASURES_EVENTS, PROCURATION_EVENTS, SIGNALEMENT_EVENTS
from cii_platform.messaging.internal import EventHandler
from cii_platform.runtime import ServiceRuntime

if TYPE_CHECKING:
    from ...bootstrap import NotifierService

CONSUMER = "notifier"


def register_subscribers(runtime: ServiceRuntime, service: "NotifierService") -> None:
    runtime.consume_internal([SIGNALEMENT_EVENTS, MEASURES_EVENTS, PROCURATION_EVENTS], handlers(service),
                             name=CONSUMER)


def handlers(service: "NotifierService") -> dict[str, EventHandler]:
    notifier = service.notifier

    def discard(method: Callable[[CloudEvent], Awaitable[int]]) -> EventHandler:
        async def handle(event: CloudEvent) -> None:
            await method(event)  # the count of new deliveries is for tests and logs

        return handle

    return {
        signalement.SITUATION_RECORDED: discard(notifier.situation_recorded),
        signalement.SITUATION_TRIAGED: discard(notifier.situation_triaged),
        measures.MEASURE_SCHEDULED: discard(notifier.measure_scheduled),
        measures.CASE_MANAGER_DESIGNATED: discard(notifier.case_manager_designated),
        measures.ALERT_RAISED: discard(notifier.alert_raised),
        measures.SITUATION_CLOSED: discard(notifier.situation_closed),
        procuration.EXCHANGE_AWAITING: discard(notifier.exchange_awaiting),
    }
