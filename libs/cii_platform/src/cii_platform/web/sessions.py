"""Server-side sessions for the browser pages: the cookie holds only a random session id; what the session
holds (the person's tokens, the CSRF token, the sign-in state) stays in the service's store.

The cookie `cii_session` is HttpOnly, SameSite=Lax (the identity provider's redirect back to the page is a
top-level navigation that must carry it; forms are protected by the CSRF token, not by SameSite), and Secure
whenever the request came over HTTPS (behind a proxy: its X-Forwarded-Proto, which uvicorn takes from trusted
addresses only) or always with CII_COOKIE_SECURE=always. Plain local HTTP keeps working.

The store keeps a hash of the id, never the id itself: reading the collection does not give a usable cookie.
A session ends after `idle` seconds without a request, or `lifetime` seconds after sign-in.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "cii_session"
ROTATE = "cii.session.rotate"  # scope flag: give the session a new id (at sign-in: no session fixation)


def _hashed(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Sessions in a collection of the service's store: {_id: sha256(id), data, expires_at, ends_at}."""

    def __init__(self, collection: AsyncCollection[Any], *, idle: int = 1800, lifetime: int = 36000) -> None:
        self.collection = collection
        self.idle = timedelta(seconds=idle)
        self.lifetime = timedelta(seconds=lifetime)

    async def load(self, session_id: str) -> dict[str, Any] | None:
        document = await self.collection.find_one({"_id": _hashed(session_id)})
        if document is None:
            return None
        now = datetime.now(UTC)
        if document["expires_at"] <= now or document["ends_at"] <= now:
            await self.collection.delete_one({"_id": document["_id"]})
            return None
        data: dict[str, Any] = document["data"]
        return data

    async def save(self, session_id: str, data: dict[str, Any], *, new: bool) -> None:
        now = datetime.now(UTC)
        fields: dict[str, Any] = {"data": data, "expires_at": now + self.idle}
        if new:
            await self.collection.insert_one({"_id": _hashed(session_id), **fields, "ends_at": now + self.lifetime})
            # Expired sessions are removed as new ones come (no TTL index: FerretDB v1 has none).
            await self.collection.delete_many({"expires_at": {"$lte": now}})
        else:
            await self.collection.update_one({"_id": _hashed(session_id)}, {"$set": fields})

    async def delete(self, session_id: str) -> None:
        await self.collection.delete_one({"_id": _hashed(session_id)})


def cookie_is_secure(scope: Scope, always: bool) -> bool:
    return always or scope.get("scheme") == "https"


class ServerSessionMiddleware:
    """Puts the session (a dict) in `request.session`, as Starlette's own SessionMiddleware does, so that
    Authlib keeps its sign-in state there; saves it after the response if it changed."""

    def __init__(self, app: ASGIApp, store: SessionStore, *, secure_always: bool = False) -> None:
        self.app = app
        self.store = store
        self.secure_always = secure_always

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_id = HTTPConnection(scope).cookies.get(COOKIE)
        loaded = await self.store.load(session_id) if session_id else None
        if loaded is None:
            session_id = None
        session: dict[str, Any] = dict(loaded or {})
        before = dict(session)
        scope["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await self._persist(scope, session_id, before, session)
                if cookie is not None:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    async def _persist(self, scope: Scope, session_id: str | None, before: dict[str, Any],
                       session: dict[str, Any]) -> str | None:
        rotate = scope.get(ROTATE, False)
        if not session:
            if session_id:  # emptied: signed out
                await self.store.delete(session_id)
                return self._cookie(scope, "", max_age=0)
            return None
        if session_id and rotate:
            await self.store.delete(session_id)
            session_id = None
        if session_id is None:
            session_id = secrets.token_urlsafe(32)
            await self.store.save(session_id, session, new=True)
            return self._cookie(scope, session_id)
        await self.store.save(session_id, session, new=False)  # also slides the idle timeout
        return None

    def _cookie(self, scope: Scope, value: str, *, max_age: int | None = None) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[COOKIE] = value
        morsel = cookie[COOKIE]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if max_age is not None:
            morsel["max-age"] = max_age
        if cookie_is_secure(scope, self.secure_always):
            morsel["secure"] = True
        return morsel.OutputString()
