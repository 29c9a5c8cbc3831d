"""Client side of key custody: the procuration service holds every data key (wrapped by the master key).

- `data_key` gives the controller (the institution whose data it is, or the bureau that received it)
  the key to seal a person's section of one category, creating it on first use.
- `release` unwraps a key for an institution acting for a purpose: granted only when the procuration
  decision is PERMIT (or the institution is a controller); every call is audited by the custodian.
After erasure both answer `KeyErased`: the sealed copies everywhere are unreadable.
"""

import base64
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .crypto import new_data_key
from .tokens import ServiceCredentials


class KeyReleaseDenied(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyErased(Exception):
    pass


def key_id_for(person_pseudonym: str, category: str) -> str:
    return f"{person_pseudonym}/{category}"


@dataclass(frozen=True)
class ReleaseRequest:
    key_id: str
    institution: str
    purpose: str
    actor: dict[str, Any]
    resource: str | None = None


class KeyCustody(Protocol):
    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]: ...

    async def release(self, request: ReleaseRequest) -> bytes: ...


class HttpKeyCustody:
    """Talks to the procuration service's internal key API with a service token."""

    def __init__(self, base_url: str, credentials: ServiceCredentials, *, cache_seconds: float = 30.0,
                 timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self._credentials = credentials
        self._cache_seconds = cache_seconds
        self._cache: dict[tuple[str, str, str], tuple[float, str, bytes]] = {}

    async def close(self) -> None:
        await self._client.aclose()

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        response = await self._client.post(path, json=body,
                                           headers={"Authorization": f"Bearer {self._credentials.bearer()}"})
        if response.status_code == 410:
            raise KeyErased(body.get("key_id") or body.get("person_pseudonym"))
        if response.status_code == 403:
            raise KeyReleaseDenied(response.json().get("detail", "denied"))
        if response.status_code >= 500:
            raise httpx.TransportError(f"key custody answered {response.status_code}")
        response.raise_for_status()
        return response

    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]:
        cache_key = (person_pseudonym, category, controller)
        cached = self._cache.get(cache_key)
        if cached and cached[0] > time.monotonic():
            return cached[1], cached[2]
        response = await self._post("/internal/v1/keys/issue", {
            "person_pseudonym": person_pseudonym, "category": category, "controller": controller})
        body = response.json()
        key = base64.b64decode(body["key"])
        self._cache[cache_key] = (time.monotonic() + self._cache_seconds, body["key_id"], key)
        return body["key_id"], key

    async def release(self, request: ReleaseRequest) -> bytes:
        response = await self._post("/internal/v1/keys/release", {
            "key_id": request.key_id, "institution": request.institution, "purpose": request.purpose,
            "actor": request.actor, "resource": request.resource})
        return base64.b64decode(response.json()["key"])

    def forget(self, person_pseudonym: str) -> None:
        """Drop cached keys of an erased person at once."""
        for cache_key in [k for k in self._cache if k[0] == person_pseudonym]:
            del self._cache[cache_key]


class FakeKeyCustody:
    """In-memory custody for unit tests: controllers get their keys, others only when `permit` says so."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.controllers: dict[str, set[str]] = {}
        self.permitted: set[tuple[str, str]] = set()  # (key_id, institution)
        self.erased: set[str] = set()
        self.releases: list[ReleaseRequest] = []

    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]:
        if person_pseudonym in self.erased:
            raise KeyErased(person_pseudonym)
        key_id = key_id_for(person_pseudonym, category)
        self.keys.setdefault(key_id, new_data_key())
        self.controllers.setdefault(key_id, set()).add(controller)
        return key_id, self.keys[key_id]

    async def release(self, request: ReleaseRequest) -> bytes:
        self.releases.append(request)
        if request.key_id.split("/")[0] in self.erased or request.key_id not in self.keys:
            raise KeyErased(request.key_id)
        allowed = request.institution in self.controllers.get(request.key_id, set())
        if not allowed and (request.key_id, request.institution) not in self.permitted:
            raise KeyReleaseDenied("no procuration permits this release")
        return self.keys[request.key_id]
