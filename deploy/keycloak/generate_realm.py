#!/usr/bin/env python3
"""Generate the Keycloak realm `cii` (docs/contract.md sections 7 and 9) from the platform's reference data.

    python deploy/keycloak/generate_realm.py          # rewrite realm-cii.json and the prod KeycloakRealmImport
    python deploy/keycloak/generate_realm.py --check  # exit 1 if the committed files differ (tests/deploy runs it)

Two outputs from one description, so that local and production cannot drift apart:
- deploy/keycloak/realm-cii.json: the realm `scripts/infra.sh start-keycloak` imports locally, with the demo
  users (password `cii-demo`) and every system client's secret `cii-demo-secret`. Local only.
- deploy/overlays/prod/keycloak/realm-import.yaml: the same realm as a KeycloakRealmImport of the Keycloak
  operator, without demo users, each system client's secret a placeholder filled from the Secret
  `keycloak-client-secrets`, redirect URIs on the production host;
- deploy/overlays/prod/kafka-oauth/: the KafkaUsers system-<code> of the institutions' systems on Kafka with
  OAuth (same ACLs as the SCRAM users inst-<code> of the base, which the prod overlay deletes).

What the realm holds:
- client `cii-platform`: the platform's audience; its client roles are the contract's roles (plus `dpo`);
- groups: one per institution and platform body (attribute `institution`), and under BUREAU one group per
  region and theme of coordination (attribute `region` or `theme`);
- protocol mappers on every client that put `institution`, `roles`, `region`, `theme` (from the groups and
  the `cii-platform` client roles) and the audience `cii-platform` in the access token;
- one confidential client per institution system `system-<code>` (client credentials; service account in the
  institution's group with the role institution_system);
- the public client `cii-web` for the browser pages (authorization code with PKCE S256);
- the confidential client `cii-notifier` (client credentials): the notifier reads who holds a function
  through the admin REST API (its service account has realm-management view-users and view-clients).

Only PyYAML is needed. The output is deterministic, so the files can be reviewed as diffs.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
REFERENCE = REPO / "libs" / "cii_platform" / "src" / "cii_platform" / "reference" / "reference_data.yaml"
LOCAL_REALM = HERE / "realm-cii.json"
PROD_IMPORT = REPO / "deploy" / "overlays" / "prod" / "keycloak" / "realm-import.yaml"
PROD_KAFKA_USERS = REPO / "deploy" / "overlays" / "prod" / "kafka-oauth" / "users.yaml"
PROD_SCRAM_DELETIONS = REPO / "deploy" / "overlays" / "prod" / "kafka-oauth" / "delete-scram-users.yaml"

REALM = "cii"
AUDIENCE = "cii-platform"
WEB_CLIENT = "cii-web"
DEMO_PASSWORD = "cii-demo"
HASH_ITERATIONS = 210_000
DEMO_SECRET = "cii-demo-secret"
PROD_HOST = "https://cii.vs.ch"
PROD_SECRETS = "keycloak-client-secrets"
# The contract's roles (section 7) plus the data-protection officer. `service` (platform services calling each
# other) is never given by the identity provider.
ROLES = {
    "field_worker": "Field worker of an institution: announces situations",
    "respondent": "CII respondent of an institution",
    "coordinator": "Regional or thematic coordinator of the CII bureau",
    "case_manager": "Case manager of a CII measure",
    "secretariat": "Secretariat of the CII bureau",
    "cantonal_officer": "Cantonal officer of the CII: everything a coordinator or the secretariat may, everywhere",
    "dpo": "Data-protection officer",
    "reporting_reader": "Reads reports, the dashboard and alerts; nothing personal",
    "institution_system": "An institution's own system (client credentials)",
}
CLAIMS = ("institution", "region", "theme")
NOTIFIER_CLIENT = "cii-notifier"
NOTIFIER_PLACEHOLDER = "${NOTIFIER_SECRET}"


def load_reference(path: Path = REFERENCE) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def coordination_group(kind: str, code: str) -> str:
    """The BUREAU sub-group of a region's or theme's coordination, e.g. coordination-SION."""
    return f"coordination-{code}"


def demo_username(code: str) -> str:
    """coord.sion, coord.haut-valais, coord.young: the demo coordinator of a region or theme."""
    return "coord." + code.lower().replace("_", "-")


def groups(reference: dict[str, Any]) -> list[dict[str, Any]]:
    codes = [i["code"] for i in reference["institutions"]] + [b["code"] for b in reference["platform_bodies"]]
    result = []
    for code in codes:
        group: dict[str, Any] = {"name": code, "attributes": {"institution": [code]}, "subGroups": []}
        if code == "BUREAU":
            group["subGroups"] = (
                [{"name": coordination_group("region", r), "attributes": {"region": [r]}, "subGroups": []}
                 for r in reference["regions"]]
                + [{"name": coordination_group("theme", t), "attributes": {"theme": [t]}, "subGroups": []}
                   for t in reference["themes"]])
        result.append(group)
    return result


def claim_mappers() -> list[dict[str, Any]]:
    """institution, region, theme from the groups' attributes; roles from the cii-platform client roles; audience."""
    mappers: list[dict[str, Any]] = [{
        "name": claim, "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-attribute-mapper",
        "consentRequired": False,
        "config": {"user.attribute": claim, "claim.name": claim, "jsonType.label": "String",
                   "access.token.claim": "true", "id.token.claim": "true", "userinfo.token.claim": "true",
                   "introspection.token.claim": "true", "multivalued": "false", "aggregate.attrs": "false"},
    } for claim in CLAIMS]
    mappers.append({
        "name": "roles", "protocol": "openid-connect", "protocolMapper": "oidc-usermodel-client-role-mapper",
        "consentRequired": False,
        "config": {"usermodel.clientRoleMapping.clientId": AUDIENCE, "claim.name": "roles",
                   "jsonType.label": "String", "multivalued": "true", "access.token.claim": "true",
                   "id.token.claim": "true", "userinfo.token.claim": "true", "introspection.token.claim": "true"},
    })
    mappers.append({
        "name": "audience", "protocol": "openid-connect", "protocolMapper": "oidc-audience-mapper",
        "consentRequired": False,
        "config": {"included.custom.audience": AUDIENCE, "access.token.claim": "true", "id.token.claim": "false",
                   "introspection.token.claim": "true"},
    })
    return mappers


def system_client_id(code: str) -> str:
    return f"system-{code.lower()}"


def secret_placeholder(code: str) -> str:
    return "${SYSTEM_" + code.upper() + "_SECRET}"


def clients(reference: dict[str, Any], *, secret_of: Any, redirect_uris: list[str],
            web_origins: list[str]) -> list[dict[str, Any]]:
    platform = {
        "clientId": AUDIENCE, "name": "CII platform (audience of the services' APIs)", "enabled": True,
        "publicClient": False, "bearerOnly": False, "standardFlowEnabled": False, "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False, "serviceAccountsEnabled": False, "protocol": "openid-connect",
        "clientAuthenticatorType": "client-secret",
    }
    web = {
        "clientId": WEB_CLIENT, "name": "CII pages (dashboard, workspace)", "enabled": True, "publicClient": True,
        "standardFlowEnabled": True, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False, "protocol": "openid-connect", "frontchannelLogout": True,
        "redirectUris": redirect_uris, "webOrigins": web_origins,
        "attributes": {"pkce.code.challenge.method": "S256", "post.logout.redirect.uris": "+"},
        "protocolMappers": claim_mappers(),
    }
    systems = [{
        "clientId": system_client_id(i["code"]), "name": f"{i['code']} system ({i['name']})", "enabled": True,
        "publicClient": False, "clientAuthenticatorType": "client-secret", "secret": secret_of(i["code"]),
        "standardFlowEnabled": False, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True, "protocol": "openid-connect", "protocolMappers": claim_mappers(),
    } for i in reference["institutions"]]
    notifier = {
        "clientId": NOTIFIER_CLIENT, "name": "CII notifier (reads who holds a function)", "enabled": True,
        "publicClient": False, "clientAuthenticatorType": "client-secret",
        "secret": DEMO_SECRET if secret_of("") == DEMO_SECRET else NOTIFIER_PLACEHOLDER,
        "standardFlowEnabled": False, "implicitFlowEnabled": False, "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": True, "protocol": "openid-connect",
    }
    return [platform, web, *systems, notifier]


def service_accounts(reference: dict[str, Any]) -> list[dict[str, Any]]:
    return [{
        "username": f"service-account-{system_client_id(i['code'])}", "enabled": True,
        "serviceAccountClientId": system_client_id(i["code"]), "groups": [f"/{i['code']}"],
        "clientRoles": {AUDIENCE: ["institution_system"]},
    } for i in reference["institutions"]] + [{
        "username": f"service-account-{NOTIFIER_CLIENT}", "enabled": True, "serviceAccountClientId": NOTIFIER_CLIENT,
        "clientRoles": {"realm-management": ["view-users", "view-clients"]},
    }]


def demo_people(reference: dict[str, Any]) -> list[tuple[str, str, list[str], str, str]]:
    """(username, group path, roles, first name, last name) of the demo users (contract section 9)."""
    people = [
        ("worker.orp", "/ORP", ["field_worker"], "Odile", "Rey"),
        ("worker.cms", "/CMS", ["field_worker"], "Marc", "Carron"),
        ("respondent.cms", "/CMS", ["respondent", "case_manager"], "Claire", "Fournier"),
        ("secretariat", "/BUREAU", ["secretariat"], "Sandra", "Zufferey"),
        ("officer", "/BUREAU", ["cantonal_officer"], "Pierre", "Udry"),
        ("dpo", "/BUREAU", ["dpo"], "Anne", "Imboden"),
    ]
    for kind, codes in (("region", reference["regions"]), ("theme", reference["themes"])):
        for code in codes:
            people.append((demo_username(code), f"/BUREAU/{coordination_group(kind, code)}", ["coordinator"],
                           "Coordination", code.replace("_", " ").title()))
    return people


def demo_password(username: str) -> dict[str, Any]:
    """The demo password already hashed as Keycloak stores it (PBKDF2-SHA512, 210,000 iterations, its default
    policy): importing plain passwords would hash each one at every fresh start, seconds on a busy machine.
    The salt is derived from the username so that the file is the same at each generation."""
    salt = hashlib.sha256(f"cii-demo-salt:{username}".encode()).digest()[:16]
    derived = hashlib.pbkdf2_hmac("sha512", DEMO_PASSWORD.encode(), salt, HASH_ITERATIONS, dklen=64)
    secret = {"value": base64.b64encode(derived).decode(), "salt": base64.b64encode(salt).decode(),
              "additionalParameters": {}}
    data = {"hashIterations": HASH_ITERATIONS, "algorithm": "pbkdf2-sha512", "additionalParameters": {}}
    return {"type": "password", "userLabel": "demo", "secretData": json.dumps(secret, separators=(",", ":")),
            "credentialData": json.dumps(data, separators=(",", ":")), "temporary": False}


def demo_users(reference: dict[str, Any]) -> list[dict[str, Any]]:
    return [{
        "username": username, "enabled": True, "email": f"{username}@cii.local", "emailVerified": True,
        "firstName": first, "lastName": last, "groups": [group], "clientRoles": {AUDIENCE: roles},
        "credentials": [demo_password(username)], "requiredActions": [],
    } for username, group, roles, first, last in demo_people(reference)]


def realm(reference: dict[str, Any], *, demo: bool) -> dict[str, Any]:
    if demo:
        redirect_uris = ["http://127.0.0.1/*", "http://localhost/*"]
        web_origins = ["+"]
        secret_of: Any = lambda _code: DEMO_SECRET  # noqa: E731
    else:
        redirect_uris = [f"{PROD_HOST}/*"]
        web_origins = [PROD_HOST]
        secret_of = secret_placeholder
    users = service_accounts(reference) + (demo_users(reference) if demo else [])
    return {
        "realm": REALM, "displayName": "CII Valais", "enabled": True,
        # Locally the pages and Keycloak speak plain HTTP on 127.0.0.1 ("external" allows it); in production
        # every request is HTTPS.
        "sslRequired": "external" if demo else "all",
        "registrationAllowed": False, "resetPasswordAllowed": False, "rememberMe": False,
        "loginWithEmailAllowed": True, "duplicateEmailsAllowed": False, "bruteForceProtected": True,
        "internationalizationEnabled": True, "supportedLocales": ["fr", "de"], "defaultLocale": "fr",
        "accessTokenLifespan": 300, "ssoSessionIdleTimeout": 1800, "ssoSessionMaxLifespan": 36000,
        "revokeRefreshToken": False,
        "roles": {"client": {AUDIENCE: [{"name": name, "description": text, "clientRole": True}
                                        for name, text in ROLES.items()]}},
        "groups": groups(reference),
        "clients": clients(reference, secret_of=secret_of, redirect_uris=redirect_uris, web_origins=web_origins),
        "users": users,
    }


def realm_import(reference: dict[str, Any]) -> dict[str, Any]:
    """The Keycloak operator's KeycloakRealmImport of the production realm."""
    placeholders = {secret_placeholder(i["code"])[2:-1]: {"secret": {
        "name": PROD_SECRETS, "key": system_client_id(i["code"])}} for i in reference["institutions"]}
    placeholders[NOTIFIER_PLACEHOLDER[2:-1]] = {"secret": {"name": PROD_SECRETS, "key": NOTIFIER_CLIENT}}
    return {
        "apiVersion": "k8s.keycloak.org/v2alpha1", "kind": "KeycloakRealmImport",
        "metadata": {"name": "cii-realm", "labels": {"app.kubernetes.io/name": "keycloak",
                                                     "app.kubernetes.io/part-of": "cii-platform"}},
        "spec": {"keycloakCRName": "cii-keycloak", "placeholders": placeholders,
                 "realm": realm(reference, demo=False)},
    }


def oauth_kafka_users() -> list[dict[str, Any]]:
    """Production: the institutions' systems authenticate to Kafka with their Keycloak token (SASL/OAUTHBEARER,
    principal = the token's `azp`, i.e. system-<code>); each gets the ACLs of the SCRAM user inst-<code> it
    replaces, and no credential of Strimzi's own (authentication is the identity provider's)."""
    sys.path.insert(0, str(REPO / "deploy"))
    import generate_kafka

    users = []
    for user in generate_kafka.kafka_users(generate_kafka.load_topology()):
        name = user["metadata"]["name"]
        if not name.startswith("inst-"):
            continue
        oauth = copy.deepcopy(user)
        oauth["metadata"]["name"] = system_client_id(name[len("inst-"):])
        oauth["metadata"]["labels"]["app.kubernetes.io/component"] = "kafka-user-institution-oauth"
        del oauth["spec"]["authentication"]
        users.append(oauth)
    return users


def scram_user_deletions() -> list[dict[str, Any]]:
    """Kustomize patches that remove the SCRAM users of the base: in production institutions use OAuth only."""
    sys.path.insert(0, str(REPO / "deploy"))
    import generate_kafka

    return [{"apiVersion": "kafka.strimzi.io/v1", "kind": "KafkaUser", "metadata": {"name": u["metadata"]["name"]},
             "$patch": "delete"}
            for u in generate_kafka.kafka_users(generate_kafka.load_topology())
            if u["metadata"]["name"].startswith("inst-")]


def render() -> dict[Path, str]:
    reference = load_reference()
    local = json.dumps(realm(reference, demo=True), indent=2, ensure_ascii=False) + "\n"
    header = ("# GENERATED by deploy/keycloak/generate_realm.py from the reference data; do not edit by hand.\n"
              "# The realm `cii` without demo users; each system client's secret comes from the Secret "
              f"{PROD_SECRETS}.\n")
    prod = header + yaml.safe_dump(copy.deepcopy(realm_import(reference)), sort_keys=False, allow_unicode=True,
                                   width=120)
    kafka_header = "# GENERATED by deploy/keycloak/generate_realm.py from deploy/topology.yaml; do not edit by hand.\n"
    users = kafka_header + yaml.safe_dump_all(oauth_kafka_users(), sort_keys=False, width=120)
    deletions = kafka_header + yaml.safe_dump_all(scram_user_deletions(), sort_keys=False, width=120)
    return {LOCAL_REALM: local, PROD_IMPORT: prod, PROD_KAFKA_USERS: users, PROD_SCRAM_DELETIONS: deletions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render().items():
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print("out of date (run python deploy/keycloak/generate_realm.py): "
              + ", ".join(str(p.relative_to(REPO)) for p in stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
