"""PeopleDirectory adapters: Keycloak's admin REST API in the platform, a roster file in tests.

Both load the same roster (people with their institution, roles, region, theme and language) and
answer through the pure selections of domain.people, so they cannot disagree on who holds a function.
"""

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from cii_platform.messaging.reliable import TransientError

from ..domain.people import (
    DEFAULT_LANGUAGE,
    Person,
    StaffMember,
    bureau_of,
    coordinators_of,
    find_person,
    respondents_of,
)

log = logging.getLogger(__name__)
PACKAGED_ROSTER = Path(__file__).resolve().parents[1] / "people.yaml"


class RosterDirectory:
    async def roster(self) -> list[StaffMember]:
        raise NotImplementedError

    async def coordinators(self, region: str | None, theme: str | None) -> list[Person]:
        return coordinators_of(await self.roster(), region, theme)

    async def respondents(self, institution: str) -> list[Person]:
        return respondents_of(await self.roster(), institution)

    async def person(self, subject_or_username: str) -> Person | None:
        return find_person(await self.roster(), subject_or_username)

    async def bureau(self) -> list[Person]:
        return bureau_of(await self.roster())


def member_from(username: str, email: str | None, attributes: dict[str, Any], subject: str | None = None
                ) -> StaffMember | None:
    """One person from their attributes (lists, as Keycloak keeps them, or plain values)."""

    def first(name: str) -> str | None:
        value = attributes.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value) if value not in (None, "") else None

    institution = first("institution")
    if not institution or not email:
        return None
    roles = attributes.get("roles") or []
    roles = [roles] if isinstance(roles, str) else roles
    language = first("locale") or first("language") or DEFAULT_LANGUAGE
    return StaffMember(Person(username, email, language, subject), institution.upper(),
                       frozenset(str(r) for r in roles), first("region"), first("theme"))


class RosterFileDirectory(RosterDirectory):
    """People listed in a YAML file (NOTIFIER_PEOPLE_FILE, default: the demo users of the Keycloak realm)."""

    def __init__(self, path: Path | None = None) -> None:
        with open(path or PACKAGED_ROSTER, encoding="utf-8") as handle:
            entries = yaml.safe_load(handle)["people"]
        members = [member_from(e["username"], e.get("email"), e) for e in entries]
        self._roster = [m for m in members if m is not None]

    async def roster(self) -> list[StaffMember]:
        return self._roster


class KeycloakDirectory(RosterDirectory):
    """The realm's users through the admin REST API, with a confidential client (client credentials,
    realm-management view-users). The roster is cached for `ttl` seconds; Keycloak away is transient
    (the event is retried, nobody is skipped)."""

    def __init__(self, *, base_url: str, realm: str, client_id: str, client_secret: str, ttl: float = 60.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._realm = realm
        self._client_id = client_id
        self._client_secret = client_secret
        self._ttl = ttl
        self._http = client or httpx.AsyncClient(timeout=10.0)
        self._cached: list[StaffMember] | None = None
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self._http.aclose()

    async def roster(self) -> list[StaffMember]:
        async with self._lock:
            if self._cached is None or time.monotonic() - self._loaded_at > self._ttl:
                self._cached = await self._load()
                self._loaded_at = time.monotonic()
            return self._cached

    async def _load(self) -> list[StaffMember]:
        try:
            token = await self._token()
            members: list[StaffMember] = []
            first = 0
            while True:
                response = await self._http.get(
                    f"{self._base}/admin/realms/{self._realm}/users",
                    params={"briefRepresentation": "false", "first": first, "max": 200},
                    headers={"Authorization": f"Bearer {token}"})
                response.raise_for_status()
                page = response.json()
                for user in page:
                    if user.get("enabled", True):
                        member = member_from(user["username"], user.get("email"), user.get("attributes") or {},
                                             subject=user.get("id"))
                        if member is not None:
                            members.append(member)
                if len(page) < 200:
                    return members
                first += 200
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code >= 500:
                raise TransientError(f"Keycloak answered {exc.response.status_code}") from exc
            raise

    async def _token(self) -> str:
        response = await self._http.post(
            f"{self._base}/realms/{self._realm}/protocol/openid-connect/token",
            data={"grant_type": "client_credentials", "client_id": self._client_id,
                  "client_secret": self._client_secret})
        response.raise_for_status()
        return str(response.json()["access_token"])
