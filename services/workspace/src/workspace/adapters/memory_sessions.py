"""The local demo sign-in's sessions (WORKSPACE_LOCAL_SIGN_IN, never deployed), kept in memory: an opaque
random id in the cookie, the token never in the browser. People who sign in through the identity provider
have their sessions in the store instead (cii_platform.web.sessions, bootstrap)."""

import secrets
import time

from ..domain.person import Person
from ..service_layer.ports import Session


class MemorySessionStore:
    def __init__(self, lifetime_seconds: float) -> None:
        self._lifetime = lifetime_seconds
        self._sessions: dict[str, tuple[float, Session]] = {}

    def create(self, person: Person) -> str:
        self._expire()
        session_id = secrets.token_urlsafe(32)
        self._sessions[session_id] = (time.monotonic() + self._lifetime,
                                      Session(person=person, csrf_token=secrets.token_urlsafe(32)))
        return session_id

    def get(self, session_id: str) -> Session | None:
        found = self._sessions.get(session_id)
        if found is None or found[0] < time.monotonic():
            self._sessions.pop(session_id, None)
            return None
        return found[1]

    def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)

    def _expire(self) -> None:
        now = time.monotonic()
        for session_id in [k for k, (until, _) in self._sessions.items() if until < now]:
            del self._sessions[session_id]
