"""The test Keycloak (scripts/infra.sh start-keycloak): tokens by client credentials, and its admin REST API for
the tests that change the realm (a short-lived client, a second realm, a key rotation).

The realm `cii` is the one of deploy/keycloak/realm-cii.json: every system client's secret is `cii-demo-secret`,
every demo user's password `cii-demo`. The administrator is `admin` with CII_KEYCLOAK_ADMIN_PASSWORD (`cii-demo`).
"""

import os
from dataclasses import dataclass
from typing import Any

import httpx

DEMO_SECRET = "cii-demo-secret"
DEMO_PASSWORD = "cii-demo"
REALM = "cii"


@dataclass
class Keycloak:
    base_url: str  # http://127.0.0.1:<port>
    admin_password: str = os.environ.get("CII_KEYCLOAK_ADMIN_PASSWORD", "cii-demo")

    @classmethod
    def on_port(cls, port: int) -> "Keycloak":
        return cls(f"http://127.0.0.1:{port}")

    def issuer(self, realm: str = REALM) -> str:
        return f"{self.base_url}/realms/{realm}"

    def token_url(self, realm: str = REALM) -> str:
        return f"{self.issuer(realm)}/protocol/openid-connect/token"

    def client_credentials(self, client_id: str, secret: str = DEMO_SECRET, *, realm: str = REALM) -> str:
        """An access token of a confidential client (an institution's system), as its system would get it."""
        response = httpx.post(self.token_url(realm), data={"grant_type": "client_credentials"},
                              auth=(client_id, secret), timeout=30)
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def admin_token(self) -> str:
        response = httpx.post(self.token_url("master"), timeout=30, data={
            "grant_type": "password", "client_id": "admin-cli", "username": "admin",
            "password": self.admin_password})
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def admin(self, method: str, path: str, json: Any = None) -> httpx.Response:
        """A call of the admin REST API, e.g. admin("POST", "/realms/cii/clients", {...}); raises on an error."""
        response = httpx.request(method, f"{self.base_url}/admin{path}", json=json, timeout=60,
                                 headers={"Authorization": f"Bearer {self.admin_token()}"})
        response.raise_for_status()
        return response

    def realm_export(self, realm: str = REALM) -> dict[str, Any]:
        data: dict[str, Any] = self.admin("GET", f"/realms/{realm}").json()
        return data
