"""`python -m deploy_checks` (from tests/deploy, as scripts/validate_deploy.sh runs it)."""

from __future__ import annotations

import sys

from ._base import OVERLAYS, REPO, SERVICES
from .compose import check_compose, compose_config
from .dockerfile import check_dockerfile
from .policies import check_policies
from .policy_workloads import check_secrets, check_workloads
from .render import OPS, _render_text, render
from .schemas import schema_errors
from .tools import dockerfile_lint


# --------------------------------------------------------------------------------------------------- CLI
def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--render", metavar="OVERLAY", help="print the rendered overlay and exit")
    args = parser.parse_args(argv)
    if args.render:
        sys.stdout.write(_render_text(args.render))
        return 0
    failed = False
    for overlay in OVERLAYS:
        objs = render(overlay)
        for title, problems in (("schema", schema_errors(objs)), ("policy", check_policies(objs))):
            status = "ok" if not problems else f"{len(problems)} problem(s)"
            print(f"{overlay}: {len(objs)} objects, {title}: {status}")
            for p in problems:
                print(f"  {p}")
            failed |= bool(problems)
    for name in OPS:
        objs = render(name)
        problems = schema_errors(objs) + check_workloads(objs) + check_secrets(objs)
        print(f"ops/{name}: {len(objs)} objects, schema and workload policy: {problems or 'ok'}")
        failed |= bool(problems)
    for label, cfg in (("compose", compose_config()), ("compose --profile observability",
                                                      compose_config("--profile", "observability"))):
        problems = check_compose(cfg)
        print(f"{label}: {'ok' if not problems else f'{len(problems)} problem(s)'}")
        for p in problems:
            print(f"  {p}")
        failed |= bool(problems)
    problems = check_dockerfile((REPO / "Dockerfile").read_text(encoding="utf-8"))
    for service in SERVICES:
        lint = dockerfile_lint(REPO / "Dockerfile", {"SERVICE": service})
        problems += [f"dockerfile-lint SERVICE={service}: {w['rule']} line {w['line']}: {w['detail']}"
                     for w in lint["warnings"]]
        if lint.get("error"):
            problems.append(f"dockerfile-lint SERVICE={service}: {lint['error']}")
    print(f"Dockerfile: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    for p in problems:
        print(f"  {p}")
    failed |= bool(problems)
    return 1 if failed else 0
