"""Kafka entry points: caseload snapshots from the institutions (inbound) and every internal event that
reporting projects, mapped to a fact at this edge (adapters/event_facts.py) before the service layer."""

from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.topics import INTERNAL_TOPICS
from cii_platform.contracts.types import CASELOAD_SNAPSHOT
from cii_platform.messaging.internal import EventHandler
from cii_platform.runtime import ServiceRuntime

from ...adapters.event_facts import PROJECTED_TYPES, logged_fact_of
from ...service_layer.caseload import CaseloadRecorder
from ...service_layer.projection import Projection


def projection_handler(projection: Projection) -> EventHandler:
    async def on_event(event: CloudEvent) -> None:
        logged = logged_fact_of(event)
        if logged is not None:
            await projection.project(*logged)
    return on_event


def register_subscribers(runtime: ServiceRuntime, projection: Projection, recorder: CaseloadRecorder,
                         consumer_name: str) -> None:
    runtime.consume_inbound({CASELOAD_SNAPSHOT: recorder})
    runtime.consume_internal(list(INTERNAL_TOPICS), dict.fromkeys(PROJECTED_TYPES, projection_handler(projection)),
                             name=consumer_name)
