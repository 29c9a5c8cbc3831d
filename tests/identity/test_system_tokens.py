"""Institutions' systems authenticate to Keycloak by client credentials (docs/contract.md section 9) and the
services accept those tokens by the realm's JWKS: a system sees only its institution's situations. Expired
tokens, tokens of another realm and tokens for another audience are refused, and a key rotation at Keycloak
needs no restart of the services."""

import time
import uuid
from datetime import date
from typing import Any

import httpx
import jwt
import pytest

from cii_platform.contracts.avs import format_avs
from cii_platform.testing.keycloak import Keycloak
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e


def announcement(ref: str, avs_digits: str) -> dict[str, Any]:
    return {
        "external_ref": ref, "announced_on": date.today().isoformat(),
        "announcer": {"collaborator": "Claire Favre", "respondent": "Rita Imboden"},
        "person": {"avs_number": format_avs(avs_digits), "last_name": "Bonvin", "first_name": "Luc",
                   "birth_date": "1970-07-14", "sex": "M", "region": "MARTIGNY", "education_level": "SECONDARY_II"},
        "situation_type": "COMPLEX", "risk_factors": ["HEALTH"], "employment_gap": "ONE_TO_THREE_YEARS",
        "follow_up_started_on": "2020-01-15", "co_following": [],
    }


def signalements(platform: LocalPlatform, token: str) -> httpx.Client:
    return platform.client("signalement", token)


def test_a_system_token_from_keycloak_acts_as_its_institution(identity_platform: LocalPlatform,
                                                              keycloak: Keycloak) -> None:
    orp_token = keycloak.client_credentials("system-orp")
    cms_token = keycloak.client_credentials("system-cms")
    claims = jwt.decode(orp_token, options={"verify_signature": False})
    assert claims["iss"] == keycloak.issuer() and claims["institution"] == "ORP"
    assert claims["roles"] == ["institution_system"] and "cii-platform" in (
        claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])

    with signalements(identity_platform, orp_token) as orp, signalements(identity_platform, cms_token) as cms:
        orp_created = orp.post("/api/v1/signalements", json=announcement(f"kc-orp-{uuid.uuid4()}", "756200000011"))
        assert orp_created.status_code == 201, orp_created.text
        cms_created = cms.post("/api/v1/signalements", json=announcement(f"kc-cms-{uuid.uuid4()}", "756200000012"))
        assert cms_created.status_code == 201, cms_created.text
        orp_id, cms_id = orp_created.json()["id"], cms_created.json()["id"]

        listed = orp.get("/api/v1/signalements", params={"limit": 500})
        assert listed.status_code == 200, listed.text
        items = listed.json()["items"]
        assert orp_id in {i["id"] for i in items} and cms_id not in {i["id"] for i in items}
        assert {i["institution"] for i in items} == {"ORP"}
        assert orp.get(f"/api/v1/signalements/{orp_id}").status_code == 200
        assert orp.get(f"/api/v1/signalements/{cms_id}").status_code == 404  # another institution's: 404
        assert cms.get(f"/api/v1/signalements/{cms_id}").status_code == 200


def assert_refused(platform: LocalPlatform, token: str, words: str) -> None:
    with signalements(platform, token) as client:
        response = client.get("/api/v1/signalements")
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert words in response.json()["detail"].lower(), response.json()


def test_an_expired_keycloak_token_is_refused(identity_platform: LocalPlatform, keycloak: Keycloak,
                                              extra_clients: None) -> None:
    token = keycloak.client_credentials("test-orp-short-lived")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3
    with signalements(identity_platform, token) as client:
        assert client.get("/api/v1/signalements").status_code == 200  # the same token, while valid
    time.sleep(max(0.0, claims["exp"] - time.time()) + 1.5)
    assert_refused(identity_platform, token, "expired")


def test_a_token_of_another_realm_is_refused(identity_platform: LocalPlatform, keycloak: Keycloak,
                                             extra_clients: None) -> None:
    token = keycloak.client_credentials("system-orp", realm="elsewhere")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["institution"] == "ORP" and claims["aud"] == "cii-platform"  # all but the issuer is right
    assert claims["iss"] == keycloak.issuer("elsewhere")
    assert_refused(identity_platform, token, "untrusted issuer")


def test_a_token_for_another_audience_is_refused(identity_platform: LocalPlatform, keycloak: Keycloak,
                                                 extra_clients: None) -> None:
    token = keycloak.client_credentials("test-orp-other-audience")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == keycloak.issuer() and claims["aud"] == "another-platform"
    assert_refused(identity_platform, token, "audience")


def test_a_key_rotation_at_keycloak_needs_no_restart(identity_platform: LocalPlatform, keycloak: Keycloak) -> None:
    before = keycloak.client_credentials("system-orp")
    with signalements(identity_platform, before) as client:
        assert client.get("/api/v1/signalements").status_code == 200  # the service has the current keys
    realm_id = keycloak.admin("GET", "/realms/cii").json()["id"]
    keycloak.admin("POST", "/realms/cii/components", {
        "name": f"rotated-{uuid.uuid4().hex[:8]}", "providerId": "rsa-generated",
        "providerType": "org.keycloak.keys.KeyProvider", "parentId": realm_id,
        "config": {"priority": ["1000"], "keySize": ["2048"], "algorithm": ["RS256"], "active": ["true"]}})
    time.sleep(6)  # a key id not seen yet is fetched at most once per 5 s
    after = keycloak.client_credentials("system-orp")
    assert jwt.get_unverified_header(after)["kid"] != jwt.get_unverified_header(before)["kid"]
    with signalements(identity_platform, after) as client:
        response = client.get("/api/v1/signalements")
    assert response.status_code == 200, response.text
    assert identity_platform.services["signalement"].process.poll() is None  # the same process, not restarted
