"""Wiring: `bootstrap(settings)` for the process, `build_service(...)` for tests with fakes."""

from dataclasses import dataclass

from cii_platform.clock import Clock, SystemClock
from cii_platform.runtime import ServiceRuntime

from .adapters.directory import KeycloakDirectory, RosterFileDirectory
from .adapters.mongo import (
    DELIVERIES,
    PREFERENCES,
    SCHEDULES,
    SITUATIONS,
    MongoDeliveries,
    MongoPreferences,
    MongoProjections,
)
from .adapters.smtp import SmtpTransport
from .config import Settings
from .entrypoints.kafka.subscribers import register_subscribers
from .service_layer.compose import Composer
from .service_layer.mailer import DigestBuilder, Mailer
from .service_layer.notify import Notifier
from .service_layer.ports import (
    Deliveries,
    MailTransport,
    PeopleDirectory,
    PreferenceStore,
    Projections,
)


@dataclass
class NotifierService:
    notifier: Notifier
    mailer: Mailer
    digests: DigestBuilder
    deliveries: Deliveries
    preferences: PreferenceStore
    clock: Clock
    runtime: ServiceRuntime | None = None


def build_service(*, directory: PeopleDirectory, deliveries: Deliveries, preferences: PreferenceStore,
                  projections: Projections, transport: MailTransport, workspace_url: str, sender: str,
                  clock: Clock | None = None,
                  digest_hour: int = 6, idle_seconds: float = 5.0) -> NotifierService:
    clock = clock or SystemClock()
    mailer = Mailer(deliveries=deliveries, transport=transport, composer=Composer(workspace_url), clock=clock,
                    sender=sender, idle_seconds=idle_seconds)
    notifier = Notifier(directory=directory, deliveries=deliveries, preferences=preferences,
                        projections=projections, clock=clock, wake_mailer=mailer.wake)
    digests = DigestBuilder(deliveries=deliveries, clock=clock, hour=digest_hour, wake_mailer=mailer.wake)
    return NotifierService(notifier=notifier, mailer=mailer, digests=digests, deliveries=deliveries,
                           preferences=preferences, clock=clock)


def directory_of(settings: Settings, runtime: ServiceRuntime) -> PeopleDirectory:
    if settings.directory == "file":
        return RosterFileDirectory(settings.people_file)
    if not settings.keycloak_client_secret:
        raise ValueError("NOTIFIER_KEYCLOAK_CLIENT_SECRET is required with NOTIFIER_DIRECTORY=keycloak")
    keycloak = KeycloakDirectory(base_url=settings.keycloak_url, realm=settings.keycloak_realm,
                                 client_id=settings.keycloak_client_id,
                                 client_secret=settings.keycloak_client_secret)
    runtime.on_shutdown(keycloak.close)
    return keycloak


def bootstrap(settings: Settings, *, runtime: ServiceRuntime | None = None) -> NotifierService:
    runtime = runtime or ServiceRuntime(settings)
    deliveries = MongoDeliveries(runtime.collection(DELIVERIES))
    transport = SmtpTransport(host=settings.smtp_host, port=settings.smtp_port, sender=settings.mail_from,
                              username=settings.smtp_username, password=settings.smtp_password,
                              starttls=settings.smtp_starttls)
    projections = MongoProjections(runtime.collection(SITUATIONS), runtime.collection(SCHEDULES))
    service = build_service(
        directory=directory_of(settings, runtime), deliveries=deliveries,
        preferences=MongoPreferences(runtime.collection(PREFERENCES)),
        projections=projections, transport=transport, workspace_url=settings.workspace_url, sender=settings.mail_from,
        digest_hour=settings.digest_hour, idle_seconds=settings.mail_idle_seconds)
    service.runtime = runtime
    runtime.on_startup(deliveries.create_indexes)
    runtime.on_startup(projections.create_indexes)
    runtime.run_in_background("mailer", service.mailer.run)
    runtime.run_in_background("digests", lambda: service.digests.run(settings.digest_check_seconds))
    register_subscribers(runtime, service)
    return service
