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
    """The realm's people through the admin REST API, read with a confidential client (client credentials;
    its service account holds realm-management `view-users` and `view-clients`).

    The realm gives claims as the tokens carry them (deploy/keycloak/realm-cii.json): the institution, region
    and theme are attributes of the groups a user belongs to (a sub-group inherits and refines its parent's:
    BUREAU / coordination-SION), the roles are client roles of `cii-platform`, the language is the user's
    `locale`. The roster is cached for `ttl` seconds; Keycloak away is transient (the event is retried,
    nobody is skipped).
    """

    ROLES_CLIENT = "cii-platform"

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
            headers = {"Authorization": f"Bearer {await self._token()}"}
            users: dict[str, dict[str, Any]] = {}
            claims: dict[str, dict[str, Any]] = {}
            for group in await self._get("/groups", headers, briefRepresentation="false"):
                await self._walk(group, {}, headers, users, claims)
            roles: dict[str, set[str]] = {}
            [client] = await self._get("/clients", headers, clientId=self.ROLES_CLIENT)
            for role in await self._get(f"/clients/{client['id']}/roles", headers):
                for user in await self._get(f"/clients/{client['id']}/roles/{role['name']}/users", headers):
                    users.setdefault(user["id"], user)
                    roles.setdefault(user["id"], set()).add(role["name"])
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code >= 500:
                raise TransientError(f"Keycloak answered {exc.response.status_code}") from exc
            raise
        members = []
        for user_id, user in users.items():
            if not user.get("enabled", True):
                continue
            attributes = {**(user.get("attributes") or {}), **claims.get(user_id, {}),
                          "roles": sorted(roles.get(user_id, set()))}
            member = member_from(user["username"], user.get("email"), attributes, subject=user_id)
            if member is not None:
                members.append(member)
        return members

    async def _walk(self, group: dict[str, Any], inherited: dict[str, Any], headers: dict[str, str],
                    users: dict[str, dict[str, Any]], claims: dict[str, dict[str, Any]]) -> None:
        """A group's members get its attributes (and its parents'); then its sub-groups, the same way."""
        attributes = {**inherited, **{k: v for k, v in (group.get("attributes") or {}).items()
                                      if k in ("institution", "region", "theme")}}
        for user in await self._get(f"/groups/{group['id']}/members", headers, briefRepresentation="false"):
            users.setdefault(user["id"], user)
            claims.setdefault(user["id"], {}).update(attributes)
        children = group.get("subGroups") or []
        if not children and group.get("subGroupCount", 0):
            children = await self._get(f"/groups/{group['id']}/children", headers, briefRepresentation="false")
        for child in children:
            await self._walk(child, attributes, headers, users, claims)

    async def _get(self, path: str, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
        response = await self._http.get(f"{self._base}/admin/realms/{self._realm}{path}", headers=headers,
                                        params={"max": "1000", **params})
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    async def _token(self) -> str:
        response = await self._http.post(
            f"{self._base}/realms/{self._realm}/protocol/openid-connect/token",
            data={"grant_type": "client_credentials", "client_id": self._client_id,
                  "client_secret": self._client_secret})
        response.raise_for_status()
        return str(response.json()["access_token"])
