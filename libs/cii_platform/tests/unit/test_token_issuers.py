"""TokenVerifier with two trusted issuers: each token is checked with the keys of the issuer it names; unknown
issuers, wrong audiences and expired tokens are refused; the identity provider's keys are fetched again for a key
id not seen yet (a rotation), at most once per min_refresh."""

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cii_platform.security.tokens import InvalidTokenError, JwksKeys, StaticKey, TokenVerifier, TrustedIssuer
from cii_platform.settings import PlatformSettings

pytestmark = pytest.mark.unit
IDP = "http://idp.test/realms/cii"
JWKS_URL = f"{IDP}/protocol/openid-connect/certs"


class FakeIdp:
    """The identity provider's JWKS endpoint, counting its fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0

    def add_key(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        import json

        out = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            out.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        out.append({"kid": "enc", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": "AQAB", "e": "AQAB"})
        return {"keys": out}

    def token(self, kid: str, **overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": IDP, "aud": "cii-platform", "sub": "u1", "iat": now, "exp": now + 300,
                  "institution": "ORP", "roles": ["institution_system"], **overrides}
        return jwt.encode(claims, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def idp(monkeypatch: pytest.MonkeyPatch) -> FakeIdp:
    fake = FakeIdp()
    fake.add_key("k1")

    def get(url: str, **_: Any) -> httpx.Response:
        assert url == JWKS_URL
        fake.fetches += 1
        return httpx.Response(200, json=fake.jwks(), request=httpx.Request("GET", url))

    monkeypatch.setattr(httpx, "get", get)
    return fake


@pytest.fixture
def platform_key(tmp_path: Any) -> tuple[ec.EllipticCurvePrivateKey, StaticKey]:
    private = ec.generate_private_key(ec.SECP256R1())
    public = tmp_path / "jwt-public.pem"
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, StaticKey(public, "test key")


def verifier(platform_key: Any, *, people: bool = True, min_refresh: float = 0.0) -> TokenVerifier:
    return TokenVerifier(PlatformSettings(), issuers=[
        TrustedIssuer("cii-local", platform_key[1], people=people),
        TrustedIssuer(IDP, JwksKeys(JWKS_URL, min_refresh=min_refresh))])


def local_token(platform_key: Any, roles: list[str]) -> str:
    now = int(time.time())
    return jwt.encode({"iss": "cii-local", "aud": "cii-platform", "sub": "s", "iat": now, "exp": now + 60,
                       "institution": "BUREAU", "roles": roles}, platform_key[0], algorithm="ES256")


def test_each_issuer_is_checked_with_its_own_keys(idp: FakeIdp, platform_key: Any) -> None:
    check = verifier(platform_key)
    assert check.verify(idp.token("k1")).institution == "ORP"
    assert check.verify(local_token(platform_key, ["cantonal_officer"])).is_cantonal_officer
    forged = jwt.encode(jwt.decode(idp.token("k1"), options={"verify_signature": False}),
                        platform_key[0], algorithm="ES256", headers={"kid": "k1"})
    with pytest.raises(InvalidTokenError):
        check.verify(forged)  # the identity provider's issuer and key id, signed by another key and algorithm
    forged_rsa = jwt.encode(jwt.decode(idp.token("k1"), options={"verify_signature": False}),
                            rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                            headers={"kid": "k1"})
    with pytest.raises(InvalidTokenError):
        check.verify(forged_rsa)


@pytest.mark.parametrize(("overrides", "words"), [
    ({"iss": "http://idp.test/realms/elsewhere"}, "untrusted issuer"),
    ({"aud": "another-platform"}, "(?i)audience"),
    ({"exp": int(time.time()) - 10}, "expired"),
])
def test_other_realms_audiences_and_expired_tokens_are_refused(idp: FakeIdp, platform_key: Any,
                                                                overrides: dict[str, Any], words: str) -> None:
    with pytest.raises(InvalidTokenError, match=words):
        verifier(platform_key).verify(idp.token("k1", **overrides))


def test_a_new_key_is_fetched_once_and_unknown_ids_do_not_hammer_the_provider(idp: FakeIdp,
                                                                             platform_key: Any) -> None:
    check = verifier(platform_key, min_refresh=60)
    check.verify(idp.token("k1"))
    assert idp.fetches == 1
    idp.add_key("k2")
    with pytest.raises(InvalidTokenError, match="unknown signing key"):
        check.verify(idp.token("k2"))  # within min_refresh of the last fetch: not fetched again
    assert idp.fetches == 1
    rotated = verifier(platform_key, min_refresh=0)
    rotated.verify(idp.token("k1"))
    assert idp.fetches == 2
    idp.add_key("k3")
    rotated.verify(idp.token("k3"))  # unknown id: fetched again, accepted
    assert idp.fetches == 3


def test_without_local_tokens_the_platform_key_signs_only_services(idp: FakeIdp, platform_key: Any) -> None:
    check = verifier(platform_key, people=False)
    assert check.verify(local_token(platform_key, ["service"])).is_service
    with pytest.raises(InvalidTokenError, match="services only"):
        check.verify(local_token(platform_key, ["cantonal_officer"]))
