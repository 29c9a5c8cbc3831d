"""Wiring: `bootstrap(settings)` for the process, `build_service(...)` for tests with fakes."""

from collections.abc import Callable
from dataclasses import dataclass

from cii_platform.clock import Clock, SystemClock
from cii_platform.reference import ReferenceData
from cii_platform.runtime import ServiceRuntime
from cii_platform.security.custody import HttpKeyCustody, KeyCustody
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.security.tokens import ServiceCredentials

from .adapters.mongo_procuration_grants import GRANTS, MongoProcurationGrants
from .adapters.mongo_repository import (
    SITUATIONS,
    TRANSITIONS,
    MongoReadLog,
    MongoSituationRepository,
    MongoTransitionRepository,
)
from .config import Settings
from .entrypoints.kafka.subscribers import register_subscribers
from .service_layer.intake import SignalementIntake
from .service_layer.key_migration import migration_loop
from .service_layer.personal_data import PersonalData
from .service_layer.ports import (
    ProcurationGrants,
    ReadLog,
    SituationRepository,
    TransitionRepository,
)
from .service_layer.transitions import TransitionIntake
from .service_layer.triage import LifecycleHandler, TriageHandler
from .service_layer.views import SituationViews


@dataclass
class SignalementService:
    reference: ReferenceData
    situations: SituationRepository
    intake: SignalementIntake
    transitions: TransitionIntake
    triage: TriageHandler
    lifecycle: LifecycleHandler
    views: SituationViews
    grants: ProcurationGrants
    forget_keys: Callable[[str], None] = lambda person_pseudonym: None  # drop cached keys of an erased person
    runtime: ServiceRuntime | None = None


def build_service(*, reference: ReferenceData, situations: SituationRepository,
                  transitions: TransitionRepository, read_log: ReadLog, grants: ProcurationGrants, custody: KeyCustody,
                  pseudonymizer: Pseudonymizer, clock: Clock | None = None,
                  notify: Callable[[], None] = lambda: None) -> SignalementService:
    clock = clock or SystemClock()
    personal_data = PersonalData(custody)
    return SignalementService(
        reference=reference, situations=situations,
        intake=SignalementIntake(situations, personal_data, pseudonymizer, reference, clock, notify),
        transitions=TransitionIntake(transitions, pseudonymizer, reference, clock, notify),
        triage=TriageHandler(situations, personal_data, reference, clock, notify),
        lifecycle=LifecycleHandler(situations, notify, set(reference.institution_codes)),
        views=SituationViews(situations, personal_data, read_log, grants, clock), grants=grants)


def bootstrap(settings: Settings, *, runtime: ServiceRuntime | None = None,
              custody: KeyCustody | None = None, clock: Clock | None = None) -> SignalementService:
    runtime = runtime or ServiceRuntime(settings)
    # Writes serialized per collection, shared with the outbox relay (FerretDB v1 updates are not atomic).
    situations = MongoSituationRepository(runtime.collection(SITUATIONS), runtime.store_profile)
    transitions = MongoTransitionRepository(runtime.collection(TRANSITIONS))
    read_log = MongoReadLog(runtime.db)
    grants = MongoProcurationGrants(runtime.collection(GRANTS))
    if custody is None:
        http_custody = HttpKeyCustody(settings.procuration_url, ServiceCredentials(settings))
        runtime.on_shutdown(http_custody.close)
        custody = http_custody
    service = build_service(reference=runtime.reference, situations=situations, transitions=transitions,
                            read_log=read_log, grants=grants, custody=custody, pseudonymizer=runtime.pseudonymizer,
                            clock=clock, notify=runtime.notify_outbox)
    service.runtime = runtime
    if isinstance(custody, HttpKeyCustody):
        service.forget_keys = custody.forget
    runtime.use_outbox(situations.collection, transitions.collection)
    runtime.on_startup(situations.create_indexes)
    runtime.on_startup(read_log.create_indexes)
    runtime.on_startup(grants.create_indexes)
    runtime.run_in_background("key-migration", migration_loop(situations.collection, custody))
    register_subscribers(runtime, service)
    return service
