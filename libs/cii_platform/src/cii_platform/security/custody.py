"""Client side of key custody: the procuration service holds every data key (wrapped by the master key).

One data key per (person, category, controlling institution): `{pseudonym}/{category}/{controller}`.
- `data_key` gives the controller (the institution that sends the data: the announcer, the bureau for
  what the bureau writes) its own key to seal a person's section of one category, created on first use.
- `release` unwraps a key for an institution acting for a purpose: to the key's own controller, or to
  anybody else (the bureau included) only when the procuration decision, taken at that moment, is
  PERMIT; every call is audited by the custodian. A second institution announcing the same person gets
  its own key, never the first one's: the rule holds by construction.
- Keys of the former layout (`{pseudonym}/{category}`, shared by every announcer) have no controller:
  they are released only under a PERMIT; `migrate` lets a service re-seal its stored sections under the
  new keys once (see `reseal_legacy`).
After erasure every call answers `KeyErased`: the sealed copies everywhere are unreadable.
"""

import base64
import time
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from .crypto import SealedSection, new_data_key, seal, unseal
from .tokens import ServiceCredentials


class KeyReleaseDenied(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyErased(Exception):
    pass


def key_id_for(person_pseudonym: str, category: str, controller: str) -> str:
    return f"{person_pseudonym}/{category}/{controller}"


@dataclass(frozen=True)
class KeyId:
    person_pseudonym: str
    category: str
    controller: str | None  # None: a shared key of the former layout (released only under a PERMIT)


def parse_key_id(key_id: str) -> KeyId:
    person, _, rest = key_id.partition("/")
    category, _, controller = rest.partition("/")
    return KeyId(person, category, controller or None)


def is_legacy_key_id(key_id: str) -> bool:
    return parse_key_id(key_id).controller is None


@dataclass(frozen=True)
class ReleaseRequest:
    key_id: str
    institution: str
    purpose: str
    actor: dict[str, Any]
    resource: str | None = None


@dataclass(frozen=True)
class KeyRequest:
    person_pseudonym: str
    category: str
    controller: str


# Per request of a batch: (key id, key), or KeyErased when that person's keys were destroyed.
KeyAnswer = tuple[str, bytes] | KeyErased


class KeyCustody(Protocol):
    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]: ...

    async def data_keys(self, requests: list[KeyRequest]) -> dict[KeyRequest, KeyAnswer]:
        """`data_key` for a batch (one request to the custodian)."""

    async def release(self, request: ReleaseRequest) -> bytes: ...

    async def migrate(self, legacy_key_id: str, *, controller: str) -> tuple[bytes, str, bytes]: ...


async def data_keys_one_by_one(custody: KeyCustody, requests: list[KeyRequest]) -> dict[KeyRequest, KeyAnswer]:
    """`data_keys` for a custody without a batch call."""
    answers: dict[KeyRequest, KeyAnswer] = {}
    for request in dict.fromkeys(requests):
        try:
            answers[request] = await custody.data_key(request.person_pseudonym, request.category,
                                                      controller=request.controller)
        except KeyErased as exc:
            answers[request] = exc
    return answers


async def reseal_legacy(custody: KeyCustody, section: dict[str, Any], *, controller: str,
                        context: str) -> dict[str, Any] | None:
    """A section sealed under a shared key of the former layout, sealed again under its controller's own
    key (None when it already is, so callers can skip the write: the migration is idempotent)."""
    sealed = SealedSection.model_validate(section)
    if not is_legacy_key_id(sealed.key_id):
        return None
    legacy_key, key_id, key = await custody.migrate(sealed.key_id, controller=controller)
    return seal(unseal(sealed, legacy_key, context=context), key, key_id, context=context).model_dump()


# A batch of keys is asked in requests of at most this many keys (the custodian creates, stores and audits
# each new one), each given more time than a single key.
KEYS_PER_REQUEST = 250
BATCH_TIMEOUT_SECONDS = 30.0


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

    async def _post(self, path: str, body: dict[str, Any], *, timeout: float | None = None) -> httpx.Response:
        response = await self._client.post(path, json=body, timeout=timeout or self._client.timeout,
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

    async def data_keys(self, requests: list[KeyRequest]) -> dict[KeyRequest, KeyAnswer]:
        """The cached keys, and the others in one request to the custodian's batch route."""
        answers: dict[KeyRequest, KeyAnswer] = {}
        missing: list[KeyRequest] = []
        now = time.monotonic()
        for request in dict.fromkeys(requests):
            cached = self._cache.get((request.person_pseudonym, request.category, request.controller))
            if cached and cached[0] > now:
                answers[request] = (cached[1], cached[2])
            else:
                missing.append(request)
        if not missing:
            return answers
        issued_keys: list[dict[str, Any]] = []
        for start in range(0, len(missing), KEYS_PER_REQUEST):
            response = await self._post("/internal/v1/keys/issue-batch", {"keys": [
                {"person_pseudonym": r.person_pseudonym, "category": r.category, "controller": r.controller}
                for r in missing[start:start + KEYS_PER_REQUEST]]}, timeout=BATCH_TIMEOUT_SECONDS)
            issued_keys.extend(response.json()["keys"])
        expires = time.monotonic() + self._cache_seconds
        for request, issued in zip(missing, issued_keys, strict=True):
            if issued.get("erased"):
                answers[request] = KeyErased(request.person_pseudonym)
                continue
            key = base64.b64decode(issued["key"])
            self._cache[(request.person_pseudonym, request.category, request.controller)] = (
                expires, issued["key_id"], key)
            answers[request] = (issued["key_id"], key)
        return answers

    async def release(self, request: ReleaseRequest) -> bytes:
        response = await self._post("/internal/v1/keys/release", {
            "key_id": request.key_id, "institution": request.institution, "purpose": request.purpose,
            "actor": request.actor, "resource": request.resource})
        return base64.b64decode(response.json()["key"])

    async def migrate(self, legacy_key_id: str, *, controller: str) -> tuple[bytes, str, bytes]:
        response = await self._post("/internal/v1/keys/migrate", {"key_id": legacy_key_id,
                                                                   "controller": controller})
        body = response.json()
        return base64.b64decode(body["legacy_key"]), body["key_id"], base64.b64decode(body["key"])

    def forget(self, person_pseudonym: str) -> None:
        """Drop cached keys of an erased person at once."""
        for cache_key in [k for k in self._cache if k[0] == person_pseudonym]:
            del self._cache[cache_key]


class FakeKeyCustody:
    """In-memory custody for unit tests, with the custodian's rule: a key goes to its controller, to
    others only when `permitted` holds (key_id, institution)."""

    def __init__(self) -> None:
        self.keys: dict[str, bytes] = {}
        self.permitted: set[tuple[str, str]] = set()  # (key_id, institution)
        self.erased: set[str] = set()
        self.releases: list[ReleaseRequest] = []

    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]:
        if person_pseudonym in self.erased:
            raise KeyErased(person_pseudonym)
        key_id = key_id_for(person_pseudonym, category, controller)
        self.keys.setdefault(key_id, new_data_key())
        return key_id, self.keys[key_id]

    async def data_keys(self, requests: list[KeyRequest]) -> dict[KeyRequest, KeyAnswer]:
        return await data_keys_one_by_one(self, requests)

    async def release(self, request: ReleaseRequest) -> bytes:
        self.releases.append(request)
        if parse_key_id(request.key_id).person_pseudonym in self.erased or request.key_id not in self.keys:
            raise KeyErased(request.key_id)
        allowed = request.institution == parse_key_id(request.key_id).controller
        if not allowed and (request.key_id, request.institution) not in self.permitted:
            raise KeyReleaseDenied("no procuration permits this release")
        return self.keys[request.key_id]

    async def migrate(self, legacy_key_id: str, *, controller: str) -> tuple[bytes, str, bytes]:
        legacy = parse_key_id(legacy_key_id)
        key_id, key = await self.data_key(legacy.person_pseudonym, legacy.category, controller=controller)
        return self.keys[legacy_key_id], key_id, key
