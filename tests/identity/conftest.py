"""The real identity provider with the whole platform: Kafka, the store, the four services as processes and
Keycloak with the realm `cii` of deploy/keycloak/realm-cii.json."""

from collections.abc import Iterator
from typing import Any

import pytest

from cii_platform.testing.keycloak import Keycloak
from cii_platform.testing.platform import LocalPlatform


@pytest.fixture(scope="session")
def keycloak(identity_platform: LocalPlatform) -> Keycloak:
    return Keycloak.on_port(identity_platform.infra.ports.keycloak)


def hardcoded_claim(name: str, value: str, json_type: str = "String") -> dict[str, Any]:
    return {"name": name, "protocol": "openid-connect", "protocolMapper": "oidc-hardcoded-claim-mapper",
            "config": {"claim.name": name, "claim.value": value, "jsonType.label": json_type,
                       "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false"}}


def system_client(client_id: str, *, audience: str = "cii-platform", lifespan: int | None = None) -> dict[str, Any]:
    """A confidential client whose tokens carry exactly what system-orp's carry (institution ORP, role
    institution_system, the audience), unless told otherwise: the tests change one thing at a time."""
    attributes = {"access.token.lifespan": str(lifespan)} if lifespan else {}
    return {
        "clientId": client_id, "enabled": True, "publicClient": False, "secret": "cii-demo-secret",
        "standardFlowEnabled": False, "directAccessGrantsEnabled": False, "serviceAccountsEnabled": True,
        "protocol": "openid-connect", "attributes": attributes,
        # Only `basic` (sub): no `roles` scope, whose audience resolution would add cii-platform by itself.
        "defaultClientScopes": ["basic"], "optionalClientScopes": [],
        "protocolMappers": [
            hardcoded_claim("institution", "ORP"),
            hardcoded_claim("roles", '["institution_system"]', "JSON"),
            {"name": "audience", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
             "config": {"included.custom.audience": audience, "access.token.claim": "true",
                        "id.token.claim": "false"}},
        ],
    }


@pytest.fixture(scope="session")
def extra_clients(keycloak: Keycloak) -> Iterator[None]:
    """Clients and a realm the realm file does not have, made through Keycloak's admin API once per session."""
    keycloak.admin("POST", "/realms/cii/clients", system_client("test-orp-short-lived", lifespan=3))
    keycloak.admin("POST", "/realms/cii/clients", system_client("test-orp-other-audience",
                                                                audience="another-platform"))
    keycloak.admin("POST", "/realms", {"realm": "elsewhere", "enabled": True,
                                       "clients": [system_client("system-orp")]})
    yield
