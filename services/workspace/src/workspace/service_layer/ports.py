"""What the pages need from the outside, as Protocols: the four services' APIs (called with the person's own
token), the notifications inbox, the session store and the sign-in. Adapters implement them over HTTP;
the unit tests use the fakes of tests/unit/workspace_fakes.py."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..domain.person import Person

Json = dict[str, Any]


@dataclass
class ApiProblem(Exception):
    """An API's RFC 9457 answer: the status and the fields it names."""

    status: int
    title: str = ""
    detail: str | None = None
    errors: list[Json] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail or ''}"


class SignalementApi(Protocol):
    async def list_situations(self, token: str, **filters: Any) -> Json: ...
    async def get_situation(self, token: str, situation_id: str) -> Json: ...
    async def announce(self, token: str, payload: Json, idempotency_key: str) -> str: ...
    async def triage(self, token: str, situation_id: str, decision: str, reason: str | None) -> Json: ...


class MeasuresApi(Protocol):
    async def list_measures(self, token: str, **filters: Any) -> Json: ...
    async def get_measure(self, token: str, measure_id: str) -> Json: ...
    async def request_measure(self, token: str, body: Json) -> str: ...
    async def act(self, token: str, measure_id: str, action: str, body: Json) -> Json: ...
    async def alerts(self, token: str) -> Json: ...
    async def document(self, token: str, measure_id: str, name: str) -> tuple[bytes, str]: ...


class ProcurationApi(Protocol):
    async def record(self, token: str, payload: Json) -> str: ...
    async def get(self, token: str, procuration_id: str) -> Json: ...
    async def verify_audit(self, token: str) -> Json: ...
    async def access_report(self, token: str, pseudonym: str) -> Json: ...
    async def erase(self, token: str, pseudonym: str) -> Json: ...
    async def store_form(self, token: str, procuration_id: str, content: bytes, content_type: str) -> Json: ...


class ReportingApi(Protocol):
    """The bureau's dashboard (aggregated, nothing personal) and the annual report in its formats."""

    async def dashboard(self, token: str) -> Json: ...
    async def annual_report(self, token: str, year: int, extension: str) -> tuple[bytes, str, str]: ...


class NotificationInbox(Protocol):
    """The notifications service's inbox (issue 17, docs/contract.md section 10); `None` when absent."""

    async def inbox(self, token: str, *, unread: bool, limit: int) -> Json | None: ...


class SessionStore(Protocol):
    """Server-side sessions: the browser holds only an opaque id in an HttpOnly cookie."""

    def create(self, person: Person) -> str: ...
    def get(self, session_id: str) -> "Session | None": ...
    def drop(self, session_id: str) -> None: ...


@dataclass
class Session:
    person: Person
    csrf_token: str
    language: str | None = None


class SignIn(Protocol):
    """Who the person is once signed in. The local adapter signs demo users in with locally minted
    tokens; the identity provider's login (issue 15) replaces it behind the same port."""

    def demo_users(self) -> list[str]: ...
    def sign_in(self, username: str) -> Person: ...
