"""Sessions kept in the workspace's memory: an opaque random id in the cookie, the token never in the
browser. A restart signs everyone out (they sign in again); several replicas need sticky sessions."""

import secrets
import time
from typing import Any

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


class MemorySessionCollection:
    """The few collection methods cii_platform.web.sessions.SessionStore uses, kept in memory: the workspace
    has no store of its own (sessions hold only the person's tokens and name, never a client's data)."""

    def __init__(self) -> None:
        self._documents: dict[str, dict[str, Any]] = {}

    async def find_one(self, query: dict[str, Any]) -> dict[str, Any] | None:
        found = self._documents.get(query["_id"])
        return dict(found) if found else None

    async def insert_one(self, document: dict[str, Any]) -> None:
        self._documents[document["_id"]] = dict(document)

    async def update_one(self, query: dict[str, Any], update: dict[str, Any]) -> None:
        if query["_id"] in self._documents:
            self._documents[query["_id"]].update(update["$set"])

    async def delete_one(self, query: dict[str, Any]) -> None:
        self._documents.pop(query["_id"], None)

    async def delete_many(self, query: dict[str, Any]) -> None:
        limit = query["expires_at"]["$lte"]
        for key in [k for k, d in self._documents.items() if d["expires_at"] <= limit]:
            del self._documents[key]
