"""Bearer JWTs. Two trusted issuers: the platform's own key pair (ES256; services, and `cii token` in local
mode) and the identity provider, Keycloak's realm `cii` (RS256, keys from its JWKS, rotated without restart)."""

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt

from ..contracts.codes import BUREAU, Role, Theme
from ..settings import PlatformSettings
from .keys import read_secret

ALGORITHMS = ["ES256", "RS256"]


class InvalidTokenError(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    """Who calls: the institution acting, the person (subject) and what they may do."""

    subject: str
    institution: str
    roles: frozenset[str]
    region: str | None = None
    theme: str | None = None
    claims: dict[str, Any] = field(default_factory=dict, compare=False)

    def has_role(self, *roles: Role | str) -> bool:
        return any(str(r) in self.roles for r in roles)

    @property
    def is_cantonal_officer(self) -> bool:
        return self.institution == BUREAU and self.has_role(Role.CANTONAL_OFFICER)

    @property
    def is_service(self) -> bool:
        return self.has_role(Role.SERVICE)

    def coordinates(self, region: str | None, themes: set[str] | None = None) -> bool:
        """A coordinator of the region or of one of the themes, or the cantonal officer (everywhere)."""
        if self.is_cantonal_officer:
            return True
        if self.institution != BUREAU or not self.has_role(Role.COORDINATOR):
            return False
        return (self.region is not None and self.region == region) or (
            self.theme is not None and self.theme in (themes or set()))

    def audit_actor(self) -> dict[str, Any]:
        actor: dict[str, Any] = {"subject": self.subject, "institution": self.institution, "roles": sorted(self.roles)}
        name = self.claims.get("name") or " ".join(
            str(self.claims[part]) for part in ("given_name", "family_name") if self.claims.get(part))
        if name:  # the person's full name from the identity provider: the access report says who did what
            actor["name"] = str(name)
        return actor


class KeysUnavailableError(Exception):
    """The identity provider's keys could not be fetched: the caller may retry (503), the token is not at fault."""


class KeySource(Protocol):
    def key_for(self, kid: str | None) -> tuple[Any, list[str]]:
        """The verification key of this key id, and the only algorithms it may verify."""


class StaticKey:
    """The platform's own key pair (local mode, and the services' tokens in production)."""

    def __init__(self, path: Path, what: str) -> None:
        self._path = path
        self._what = what
        self._key: bytes | None = None

    def key_for(self, kid: str | None) -> tuple[Any, list[str]]:
        if self._key is None:
            self._key = read_secret(self._path, self._what)
        return self._key, ["ES256"]


class JwksKeys:
    """The signing keys of an identity provider, from its JWKS document.

    Fetched on first use and kept; a token signed with a key id not seen yet fetches the document again (a
    key rotation needs no restart), at most once per `min_refresh` seconds so that forged key ids cannot make
    the service hammer the identity provider; after `max_age` seconds the document is fetched again, so that
    a removed key stops being accepted.
    """

    def __init__(self, url: str, *, min_refresh: float = 5.0, max_age: float = 600.0, timeout: float = 5.0) -> None:
        self.url = url
        self._min_refresh = min_refresh
        self._max_age = max_age
        self._timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def key_for(self, kid: str | None) -> tuple[Any, list[str]]:
        if not kid:
            raise InvalidTokenError("token has no key id (kid)")
        with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > self._max_age
            unknown = kid not in self._keys and now - self._fetched_at > self._min_refresh
            if stale or unknown:
                self._fetch()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidTokenError(f"unknown signing key {kid!r} for this issuer")
        return key.key, [str(key.algorithm_name)]

    def _fetch(self) -> None:
        try:
            response = httpx.get(self.url, timeout=self._timeout)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise KeysUnavailableError(f"cannot fetch the identity provider's keys from {self.url}: {exc}") from exc
        keys: dict[str, jwt.PyJWK] = {}
        for data in document.get("keys", []):
            if data.get("use", "sig") != "sig" or data.get("alg") not in ALGORITHMS or "kid" not in data:
                continue
            try:
                keys[data["kid"]] = jwt.PyJWK(data)
            except jwt.PyJWTError:
                continue  # a key type this library cannot use: never the one a token names
        self._keys = keys
        self._fetched_at = time.monotonic()


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    keys: KeySource
    # False for the platform's own issuer in production: only the services' tokens (role `service`) are
    # taken from it; people and systems come through the identity provider.
    people: bool = True


class TokenVerifier:
    """Verifies a bearer JWT against the issuer it names, if that issuer is trusted, with that issuer's keys.

    Trusted: the platform's own issuer (`CII_JWT_ISSUER`, local key pair) and the identity provider
    (`CII_OIDC_ISSUER`, JWKS). Either way the audience must be `CII_JWT_AUDIENCE` and the token unexpired.
    """

    def __init__(self, settings: PlatformSettings, *, issuers: list[TrustedIssuer] | None = None) -> None:
        self._audience = settings.jwt_audience
        trusted = issuers if issuers is not None else default_issuers(settings)
        self._issuers = {t.issuer: t for t in trusted}

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from exc
        named = unverified.get("iss")
        trusted = self._issuers.get(named) if isinstance(named, str) else None
        if trusted is None:
            raise InvalidTokenError(f"untrusted issuer {named!r}")
        key, algorithms = trusted.keys.key_for(header.get("kid"))
        try:
            # Only the key's own algorithm: a token cannot choose how the key is used (algorithm confusion).
            claims = jwt.decode(token, key, algorithms=algorithms, audience=self._audience, issuer=trusted.issuer,
                                options={"require": ["exp", "iss", "sub"]})
        except (jwt.PyJWTError, TypeError, ValueError) as exc:
            raise InvalidTokenError(str(exc)) from exc
        principal = principal_from_claims(claims)
        if not trusted.people and not principal.is_service:
            raise InvalidTokenError(f"issuer {trusted.issuer!r} is trusted for the platform's services only")
        return principal


def default_issuers(settings: PlatformSettings) -> list[TrustedIssuer]:
    return [
        TrustedIssuer(settings.jwt_issuer, StaticKey(settings.jwt_public_key_path,
                                                     "JWT public key (CII_JWT_PUBLIC_KEY_FILE)"),
                      people=settings.local_tokens),
        TrustedIssuer(settings.oidc_issuer, JwksKeys(settings.oidc_jwks_url)),
    ]


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    institution = claims.get("institution")
    roles = claims.get("roles")
    if not isinstance(institution, str) or not isinstance(roles, list):
        raise InvalidTokenError("token must carry the claims 'institution' and 'roles'")
    theme = claims.get("theme")
    if theme is not None and theme not in {t.value for t in Theme}:
        raise InvalidTokenError(f"unknown theme {theme!r}")
    return Principal(subject=str(claims["sub"]), institution=institution.upper(), roles=frozenset(roles),
                     region=claims.get("region"), theme=theme, claims=claims)


class TokenMinter:
    """Mints tokens with the local private key: `cii token` and service-to-service calls."""

    def __init__(self, settings: PlatformSettings) -> None:
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._key = read_secret(settings.jwt_private_key_path, "JWT private key (CII_SERVICE_TOKEN_KEY_FILE)")

    def mint(self, *, institution: str, roles: list[str], subject: str | None = None,
             region: str | None = None, theme: str | None = None, ttl_seconds: int = 8 * 3600) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._issuer, "aud": self._audience, "sub": subject or f"{institution.lower()}-{uuid.uuid4()}",
            "iat": now, "exp": now + ttl_seconds, "institution": institution.upper(), "roles": roles,
        }
        if region:
            claims["region"] = region
        if theme:
            claims["theme"] = theme
        return jwt.encode(claims, self._key, algorithm="ES256")


class ServiceCredentials:
    """The bearer a service presents to another: a configured token, or a fresh local one."""

    def __init__(self, settings: PlatformSettings) -> None:
        self._static = settings.service_token
        self._minter = None if self._static else TokenMinter(settings)
        self._service = settings.service_name
        self._token: str | None = None
        self._expires_at = 0.0

    def bearer(self) -> str:
        if self._static:
            return self._static
        if self._token is None or time.time() > self._expires_at - 60:
            assert self._minter is not None
            self._token = self._minter.mint(institution="BUREAU", roles=[Role.SERVICE.value],
                                            subject=f"service:{self._service}", ttl_seconds=3600)
            self._expires_at = time.time() + 3600
        return self._token
