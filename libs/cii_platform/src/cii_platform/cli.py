"""The `cii` command: local tokens, local keys, topics.

    cii token --institution ORP --role field_worker [--region SION] [--theme YOUNG]   (local mode only)
    cii identity users          the demo users and system clients of the local Keycloak
    cii keys init
    cii topics ensure
    cii stack up|down|status
    cii demo load [--year 2025] [--if-empty]
"""

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from . import devstack
from .clock import swiss_today
from .contracts.codes import Region, Role, Theme
from .contracts.topics import STACK_SERVICES as SERVICES
from .contracts.topics import topic_specs
from .messaging.topics_admin import ensure_topics
from .reference import load_reference_data
from .security.keys import MissingSecretError, init_local_keys
from .security.tokens import TokenMinter
from .settings import REPO_ROOT, PlatformSettings


def _token(args: argparse.Namespace, settings: PlatformSettings) -> None:
    minter = TokenMinter(settings)
    print(minter.mint(institution=args.institution, roles=args.role, subject=args.subject,
                      region=args.region, theme=args.theme, ttl_seconds=args.ttl))


def _keys_init(_: argparse.Namespace, settings: PlatformSettings) -> None:
    created = init_local_keys(settings.keys_dir)
    print(f"created {len(created)} key file(s) in {settings.keys_dir}" if created
          else f"keys already present in {settings.keys_dir}")


def _topics_ensure(_: argparse.Namespace, settings: PlatformSettings) -> None:
    reference = load_reference_data(settings.reference_data_file)
    specs = topic_specs(sorted(reference.institution_codes), inbound_retention_days=settings.inbound_retention_days,
                        partitions=settings.topic_partitions)
    created = asyncio.run(ensure_topics(settings.kafka_bootstrap_servers, specs))
    print(f"{len(specs)} topics, {len(created)} created")


def _demo_load(args: argparse.Namespace, settings: PlatformSettings) -> None:
    from pymongo import MongoClient

    from .demo import DemoTarget, load_demo_year

    if args.if_empty:
        client: MongoClient[dict[str, object]]
        with MongoClient(settings.mongodb_url, serverSelectionTimeoutMS=5000) as client:
            database = os.environ.get("SIGNALEMENT_MONGODB_DATABASE", "cii_signalement")
            if client[database]["situations"].estimated_document_count() > 0:
                print("demo: the store already holds situations; nothing loaded")
                return
    minter = TokenMinter(settings)
    target = DemoTarget(
        kafka_bootstrap=settings.kafka_bootstrap_servers,
        urls={name: f"http://127.0.0.1:{devstack.service_port(name)}" for name in SERVICES},
        token=lambda institution, *roles: minter.mint(institution=institution, roles=list(roles)))
    summary = load_demo_year(target, args.year, scale=args.scale)
    print(f"demo: published {sum(summary.published.values())} events for {args.year} through Kafka: "
          + ", ".join(f"{count} {kind.split('.')[-2]}" for kind, count in sorted(summary.published.items())))
    reporting = f"http://127.0.0.1:{devstack.service_port('reporting')}"
    print(f"demo: the year is visible: annual report {reporting}/api/v1/reports/annual/{args.year}, "
          f"dashboard {reporting}/")


def _stack(args: argparse.Namespace, settings: PlatformSettings) -> None:
    names = tuple(args.services) or SERVICES
    unknown = set(names) - set(SERVICES)
    if unknown:
        raise SystemExit(f"cii stack: unknown service(s) {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(SERVICES)}")
    if args.action == "up":
        devstack.up(settings, names)
        if names == SERVICES:
            devstack.print_urls()
    elif args.action == "down":
        devstack.down(settings, names)
    else:
        devstack.status(settings)


REALM_FILE = REPO_ROOT / "deploy" / "keycloak" / "realm-cii.json"


def demo_users(realm: dict[str, Any]) -> list[dict[str, str]]:
    """The people of the local realm file, with what their tokens will say (from their group's attributes)."""
    attributes: dict[str, dict[str, str]] = {}

    def walk(groups: list[dict[str, Any]], parent: str, inherited: dict[str, str]) -> None:
        for group in groups:
            path = f"{parent}/{group['name']}"
            own = {**inherited, **{k: v[0] for k, v in group.get("attributes", {}).items()}}
            attributes[path] = own
            walk(group.get("subGroups", []), path, own)

    walk(realm.get("groups", []), "", {})
    people = []
    for user in realm.get("users", []):
        if user.get("serviceAccountClientId"):
            continue
        claims = attributes.get((user.get("groups") or [""])[0], {})
        roles = [r for roles in user.get("clientRoles", {}).values() for r in roles]
        people.append({"username": user["username"], "institution": claims.get("institution", ""),
                       "roles": ", ".join(roles), "scope": claims.get("region") or claims.get("theme") or "",
                       "email": user.get("email", "")})
    return people


def _identity_users(args: argparse.Namespace, settings: PlatformSettings) -> None:
    if not REALM_FILE.exists():
        raise SystemExit(f"cii identity users: {REALM_FILE} not found (a checkout of the repository is needed)")
    realm = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    print(f"identity provider: {settings.oidc_issuer} (Keycloak; admin console http://127.0.0.1:"
          f"{settings.keycloak_port}/admin/, user admin, local only)")
    print("demo users (local only), password cii-demo:")
    for person in demo_users(realm):
        scope = f" {person['scope']}" if person["scope"] else ""
        print(f"  {person['username']:<20} {person['institution']:<7} {person['roles']}{scope}")
    print("systems: client system-<code> (e.g. system-orp), secret cii-demo-secret, client-credentials grant at "
          f"{settings.oidc_issuer}/protocol/openid-connect/token")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cii", description="CII Valais platform tools")
    commands = parser.add_subparsers(dest="command", required=True)

    token = commands.add_parser("token", help="print a bearer token (JWT) accepted by all services in local mode only "
                                   "(people sign in through Keycloak; systems use client credentials)")
    token.add_argument("--institution", required=True, type=str.upper, help="institution code, e.g. ORP or BUREAU")
    token.add_argument("--role", required=True, action="append", choices=[r.value for r in Role],
                       help="role; repeat for several")
    token.add_argument("--region", choices=[r.value for r in Region])
    token.add_argument("--theme", choices=[t.value for t in Theme])
    token.add_argument("--subject", help="the person acting (default: a generated id)")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds (default 8 h)")
    token.set_defaults(run=_token)

    keys = commands.add_parser("keys", help="local secrets").add_subparsers(dest="action", required=True)
    keys.add_parser("init", help="create the missing local keys (JWT pair, pseudonym key, master key)"
                    ).set_defaults(run=_keys_init)

    topics = commands.add_parser("topics", help="Kafka topics").add_subparsers(dest="action", required=True)
    topics.add_parser("ensure", help="create every topic the platform uses").set_defaults(run=_topics_ensure)
    demo = commands.add_parser("demo", help="demo data").add_subparsers(dest="action", required=True)
    load = demo.add_parser("load", help="publish one realistic demo year through the inbound topics")
    load.add_argument("--year", type=int, default=swiss_today().year - 1)
    load.add_argument("--scale", type=float, default=1.0, help="volume relative to the 2024 annual report")
    load.add_argument("--if-empty", action="store_true", help="only when the store holds no situation yet")
    load.set_defaults(run=_demo_load)

    identity = commands.add_parser("identity", help="the identity provider (Keycloak)").add_subparsers(
        dest="action", required=True)
    identity.add_parser("users", help="the local demo users and system clients of the realm cii"
                        ).set_defaults(run=_identity_users)

    stack = commands.add_parser("stack", help="the services and the workspace as background processes (make up/down)")
    stack.add_argument("action", choices=["up", "down", "status"])
    stack.add_argument("services", nargs="*", metavar="SERVICE", help=f"some of {', '.join(SERVICES)} (default: all)")
    stack.set_defaults(run=_stack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args, PlatformSettings())
    except MissingSecretError as exc:
        print(f"cii: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
