"""Wires the measures service: store, broker consumers, outbox relay, key custody, clock, alert scan.

Used the same way by `create_app` (production) and by tests (with a fake custody or a fixed clock).
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from cii_platform.clock import Clock, clock_for
from cii_platform.messaging.reliable import TRANSIENT_ERRORS
from cii_platform.runtime import ServiceRuntime
from cii_platform.security.custody import HttpKeyCustody, KeyCustody
from cii_platform.security.tokens import ServiceCredentials

from .adapters.mongo_alerts import MongoAlertRepository
from .adapters.mongo_disagreements import MongoDisagreementRepository
from .adapters.mongo_measures import MongoMeasureRepository
from .adapters.mongo_situations import MongoSituationRepository
from .config import Settings
from .entrypoints.kafka.subscribers import register_subscribers
from .service_layer.alerts import AlertService
from .service_layer.closure import repair
from .service_layer.context import ServiceContext
from .service_layer.participant_migration import sealing_loop
from .service_layer.sealing import Sealer

log = logging.getLogger(__name__)


@dataclass
class MeasuresService:
    runtime: ServiceRuntime
    context: ServiceContext


def default_clock(settings: Settings) -> Clock:
    return clock_for(settings.clock_today)


def bootstrap(settings: Settings, *, runtime: ServiceRuntime | None = None, custody: KeyCustody | None = None,
              clock: Clock | None = None) -> MeasuresService:
    runtime = runtime or ServiceRuntime(settings)
    db = runtime.db
    # Writes serialized per collection, shared with the outbox relay (FerretDB v1 updates are not atomic).
    measures = MongoMeasureRepository(runtime.collection("measures"))
    situations = MongoSituationRepository(runtime.collection("situations"))
    alert_store = MongoAlertRepository(runtime.collection("alerts"))
    disagreements = MongoDisagreementRepository(runtime.collection("disagreements"))
    clock = clock or default_clock(settings)
    if custody is None:
        http_custody = HttpKeyCustody(settings.procuration_url, ServiceCredentials(settings))
        runtime.on_shutdown(http_custody.close)
        custody = http_custody
    alerts = AlertService(alert_store, measures, clock, runtime.notify_outbox,
                          meeting_every_days=settings.meeting_every_days, situations=situations)
    context = ServiceContext(settings=settings, reference=runtime.reference, measures=measures,
                             situations=situations, alert_store=alert_store, disagreements=disagreements,
                             audit_log=db["access_audit"], alerts=alerts, sealer=Sealer(custody), clock=clock,
                             notify=runtime.notify_outbox)
    runtime.use_outbox(measures.collection, situations.collection, alert_store.collection, disagreements.collection)
    register_subscribers(runtime, context)
    runtime.on_startup(lambda: _create_indexes(context))
    runtime.run_in_background("participant-names", sealing_loop(measures.collection, context.sealer))
    runtime.run_in_background("measures-alert-scan", lambda: _scan_forever(context, settings.alert_scan_seconds))
    return MeasuresService(runtime, context)


async def _create_indexes(context: ServiceContext) -> None:
    for repository in (context.measures, context.situations, context.alert_store, context.disagreements):
        await repository.create_indexes()


async def scan_once(context: ServiceContext) -> None:
    await repair(context)
    await context.alerts.scan()


async def _scan_forever(context: ServiceContext, every_seconds: float) -> None:
    while True:
        try:
            await scan_once(context)
        except TRANSIENT_ERRORS as exc:
            log.warning("alert scan waiting for a dependency: %r", exc)
        except Exception:
            log.exception("alert scan failed; retrying at the next period")
        with contextlib.suppress(TimeoutError):
            await asyncio.sleep(every_seconds)
