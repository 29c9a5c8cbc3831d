"""Wiring: `bootstrap(settings)` for the process; tests pass fakes for any port."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from cii_platform.reference import ReferenceData, load_reference_data
from cii_platform.security.tokens import TokenMinter
from cii_platform.store import create_mongo_client, ping

from .adapters.http_apis import (
    HttpApi,
    HttpMeasuresApi,
    HttpNotificationInbox,
    HttpProcurationApi,
    HttpReportingApi,
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
    ReportingApi,
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
    reporting: ReportingApi
    sessions: SessionStore
    sign_in: SignIn | None
    # The identity provider's sign-in sessions (cii_platform.web.login): a collection of the workspace's own
    # database, so a restart or another replica keeps people signed in. None with the local demo sign-in.
    web_sessions: Any = None
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
              reporting: ReportingApi | None = None,
              sessions: SessionStore | None = None, sign_in: SignIn | None = None,
              web_sessions: Any = None) -> Workspace:
    """Every port not given is the real adapter: the services' APIs over HTTP, the sign-in sessions in the
    store (the local demo sign-in keeps its own in memory), and the local sign-in when enabled."""
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
    if reporting is None:
        reporting = http_reporting = HttpReportingApi(settings.reporting_url, timeout)
        apis["reporting"] = http_reporting
    if inbox is None and settings.notifier_url:
        inbox = http_inbox = HttpNotificationInbox(settings.notifier_url, timeout)
        apis["notifier"] = http_inbox
    if sign_in is None and settings.local_sign_in:
        sign_in = LocalSignIn(TokenMinter(settings), settings.session_minutes * 60)
    readiness: dict[str, Callable[[], Awaitable[bool]]] = {
        name: api.ready for name, api in apis.items() if name not in ("notifier", "reporting")}
    closers: list[Callable[[], Awaitable[None]]] = [api.close for api in apis.values()]
    if sign_in is None and web_sessions is None:
        # Only the sessions (the person's tokens, name and CSRF token) are kept: no personal data of a client.
        mongo = create_mongo_client(settings.mongodb_url)
        database = mongo[settings.mongodb_database]
        web_sessions = database["web_sessions"]
        readiness["store"] = lambda: ping(database)
        closers.append(mongo.close)
    return Workspace(settings=settings, signalement=signalement, measures=measures, procuration=procuration,
                     inbox=inbox or NoNotificationInbox(), reporting=reporting,
                     sessions=sessions or MemorySessionStore(settings.session_minutes * 60), sign_in=sign_in,
                     web_sessions=web_sessions, readiness=readiness, closers=closers)
