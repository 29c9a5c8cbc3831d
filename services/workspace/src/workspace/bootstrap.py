"""Wiring: `bootstrap(settings)` for the process; tests pass fakes for any port."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property

from cii_platform.reference import ReferenceData, load_reference_data
from cii_platform.security.tokens import TokenMinter

from .adapters.http_apis import (
    HttpApi,
    HttpMeasuresApi,
    HttpNotificationInbox,
    HttpProcurationApi,
    HttpSignalementApi,
    NoNotificationInbox,
)
from .adapters.local_sign_in import LocalSignIn
from .adapters.memory_sessions import MemorySessionStore
from .config import Settings
from .service_layer.ports import (
    MeasuresApi,
    NotificationInbox,
    ProcurationApi,
    SessionStore,
    SignalementApi,
    SignIn,
)


@dataclass
class Workspace:
    settings: Settings
    signalement: SignalementApi
    measures: MeasuresApi
    procuration: ProcurationApi
    inbox: NotificationInbox
    sessions: SessionStore
    sign_in: SignIn | None
    readiness: dict[str, Callable[[], Awaitable[bool]]] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @cached_property
    def reference(self) -> ReferenceData:
        """Codes and rules the pages explain (the gravity policy's weights), the services' own file."""
        return load_reference_data(self.settings.reference_data_file)

    @property
    def dashboard_url(self) -> str:
        return self.settings.public_reporting_url or self.settings.reporting_url


def bootstrap(settings: Settings, *, signalement: SignalementApi | None = None, measures: MeasuresApi | None = None,
              procuration: ProcurationApi | None = None, inbox: NotificationInbox | None = None,
              sessions: SessionStore | None = None, sign_in: SignIn | None = None) -> Workspace:
    """Every port not given is the real adapter: the services' APIs over HTTP, sessions in memory, and
    the local sign-in when enabled."""
    timeout = settings.api_timeout_seconds
    apis: dict[str, HttpApi] = {}
    if signalement is None:
        signalement = http_signalement = HttpSignalementApi(settings.signalement_url, timeout)
        apis["signalement"] = http_signalement
    if measures is None:
        measures = http_measures = HttpMeasuresApi(settings.measures_url, timeout)
        apis["measures"] = http_measures
    if procuration is None:
        procuration = http_procuration = HttpProcurationApi(settings.procuration_url, timeout)
        apis["procuration"] = http_procuration
    if inbox is None and settings.notifier_url:
        inbox = http_inbox = HttpNotificationInbox(settings.notifier_url, timeout)
        apis["notifier"] = http_inbox
    if sign_in is None and settings.local_sign_in:
        sign_in = LocalSignIn(TokenMinter(settings), settings.session_minutes * 60)
    return Workspace(settings=settings, signalement=signalement, measures=measures, procuration=procuration,
                     inbox=inbox or NoNotificationInbox(),
                     sessions=sessions or MemorySessionStore(settings.session_minutes * 60), sign_in=sign_in,
                     readiness={name: api.ready for name, api in apis.items() if name != "notifier"},
                     closers=[api.close for api in apis.values()])
