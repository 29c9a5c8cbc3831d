"""The identity provider in the deployments: Keycloak through its operator in the prod overlay (the realm cii of
deploy/keycloak/generate_realm.py, without demo users or secrets), OAuth for the institutions on Kafka, and
Keycloak in docker-compose.yml."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import deploy_checks as dc
import pytest

pytestmark = pytest.mark.deploy


def _realm_generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_realm", dc.DEPLOY / "keycloak" / "generate_realm.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_realm_files_are_up_to_date() -> None:
    stale = [str(p) for p, text in _realm_generator().render().items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert not stale, f"run `python deploy/keycloak/generate_realm.py`: {stale} are out of date"


def test_the_local_realm_has_the_contract_clients_and_demo_users() -> None:
    realm = json.loads((dc.DEPLOY / "keycloak" / "realm-cii.json").read_text(encoding="utf-8"))
    assert realm["realm"] == "cii"
    clients = {c["clientId"]: c for c in realm["clients"]}
    for code in dc.topology()["institutions"]:
        system = clients[f"system-{code.lower()}"]
        assert system["serviceAccountsEnabled"] and not system["publicClient"]
        assert system["secret"] == "cii-demo-secret"
    web = clients["cii-web"]
    assert web["publicClient"] and web["attributes"]["pkce.code.challenge.method"] == "S256"
    users = {u["username"] for u in realm["users"] if "serviceAccountClientId" not in u}
    assert {"worker.orp", "worker.cms", "respondent.cms", "coord.sion", "coord.young", "secretariat", "officer",
            "dpo"} <= users
    assert {f"coord.{r.lower().replace('_', '-')}" for r in ("HAUT_VALAIS", "SIERRE", "SION", "MARTIGNY",
                                                              "MONTHEY", "YOUNG", "ASYLUM")} <= users


def test_prod_runs_keycloak_by_its_operator_with_the_realm_and_no_demo_secret(rendered) -> None:
    objs = rendered["prod"]
    keycloak = dc.by_name(objs, "Keycloak")["cii-keycloak"]
    assert keycloak["spec"]["db"]["vendor"] == "postgres"
    assert "keycloak-postgres" in dc.by_name(objs, "StatefulSet")
    realm_import = dc.by_name(objs, "KeycloakRealmImport")["cii-realm"]
    assert realm_import["spec"]["keycloakCRName"] == "cii-keycloak"
    realm = realm_import["spec"]["realm"]
    assert realm["realm"] == "cii" and realm["sslRequired"] == "all"
    assert all("serviceAccountClientId" in u for u in realm["users"]), "no demo person in production"
    rendered_text = json.dumps(realm_import)
    assert "cii-demo" not in rendered_text
    placeholders = realm_import["spec"]["placeholders"]
    for client in realm["clients"]:
        if client["clientId"].startswith("system-"):
            name = client["secret"][2:-1]
            assert client["secret"] == "${" + name + "}" and placeholders[name]["secret"]["name"]
    config = dc.by_name(objs, "ConfigMap")
    env = next(c["data"] for n, c in config.items() if n.startswith("cii-platform"))
    assert env["CII_LOCAL_TOKENS"] == "false" and env["CII_COOKIE_SECURE"] == "always"
    assert env["CII_OIDC_ISSUER"] == "https://id.cii.vs.ch/realms/cii"


def test_prod_institutions_authenticate_on_kafka_with_keycloak(rendered) -> None:
    objs = rendered["prod"]
    kafka = dc.by_name(objs, "Kafka")["cii-kafka"]
    external = next(li for li in kafka["spec"]["kafka"]["listeners"] if li["name"] == "external")
    assert dc.is_oauth_listener(external)
    assert "https://id.cii.vs.ch/realms/cii" in external["authentication"]["listenerConfig"][
        "oauthbearer.sasl.jaas.config"]
    users = dc.by_name(objs, "KafkaUser")
    assert not [n for n in users if n.startswith("inst-")]
    assert "authentication" not in users["system-orp"]["spec"]
    dev_users = dc.by_name(rendered["dev"], "KafkaUser")
    assert "inst-orp" in dev_users  # dev keeps SCRAM


def test_compose_runs_keycloak_with_the_realm(compose_cmd) -> None:
    cfg = dc.compose_config()
    keycloak = cfg["services"]["keycloak"]
    assert keycloak["image"] == "quay.io/keycloak/keycloak:26.5.6"
    assert any(v.get("source", "").endswith("deploy/keycloak/realm-cii.json") for v in keycloak["volumes"])
    assert [(p["host_ip"], str(p["published"])) for p in keycloak["ports"]] == [("127.0.0.1", "8180")]
    env = cfg["services"]["reporting"]["environment"]
    assert env["CII_OIDC_ISSUER"] == "http://127.0.0.1:8180/realms/cii"
    assert env["CII_JWT_JWKS_URL"].startswith("http://keycloak:8180/")
