"""docker-compose.yml, Dockerfile and .dockerignore: `docker compose config`, then the file against the services'
settings (docs/conventions.md and each service's config.Settings when importable)."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path

import deploy_checks as dc
import pytest

pytestmark = pytest.mark.deploy

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def compose(compose_cmd) -> dict:
    return dc.compose_config()


def test_docker_compose_config_accepts_the_file(compose_cmd) -> None:
    cmd, env = compose_cmd
    proc = subprocess.run([*cmd, "-f", str(dc.COMPOSE_FILE), "config", "--quiet"], capture_output=True, text=True,
                          env=env, cwd=dc.REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_docker_compose_config_rejects_a_bad_file(compose_cmd) -> None:
    cmd, env = compose_cmd
    proc = subprocess.run([*cmd, "-f", str(FIXTURES / "bad-compose.yml"), "config", "--quiet"],
                          capture_output=True, text=True, env=env, cwd=FIXTURES, timeout=60)
    assert proc.returncode != 0
    assert "depends_on.kafka.condition" in proc.stderr


def test_compose_matches_the_conventions(compose) -> None:
    violations = dc.check_compose(compose)
    assert not violations, "\n".join(violations)


def test_observability_profile_adds_a_trace_collector(compose) -> None:
    assert "jaeger" not in compose["services"], "tracing must stay optional"
    with_profile = dc.compose_config("--profile", "observability")
    assert "jaeger" in with_profile["services"]
    assert not dc.check_compose(with_profile)
    endpoint = with_profile["services"]["signalement"]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"]
    assert endpoint.startswith("http://jaeger:4317")


def test_ports_follow_the_same_variables_as_make_up() -> None:
    cfg = dc.compose_config(env={"SIGNALEMENT_HTTP_PORT": "18001", "KAFKA_PORT": "19092", "MONGODB_PORT": "27018"})
    sig = cfg["services"]["signalement"]
    assert [(p["host_ip"], str(p["published"]), p["target"]) for p in sig["ports"]] == [("127.0.0.1", "18001", 8001)]
    assert sig["environment"]["SIGNALEMENT_HTTP_PORT"] == "8001"  # inside the network the port stays
    assert str(cfg["services"]["kafka"]["ports"][0]["published"]) == "19092"
    assert "127.0.0.1:19092" in cfg["services"]["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert str(cfg["services"]["mongodb"]["ports"][0]["published"]) == "27018"


@pytest.mark.parametrize("service", sorted(dc.SERVICES))
def test_compose_environment_is_what_the_service_settings_read(compose, service: str) -> None:
    assert dc.settings_class(service) is not None, f"{service}.config.Settings must be importable"
    env = {k: str(v) for k, v in compose["services"][service]["environment"].items()}
    violations = dc.check_env_against_settings(service, env, "compose")
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("service", sorted(dc.SERVICES))
def test_kubernetes_environment_is_what_the_service_settings_read(rendered, service: str) -> None:
    assert dc.settings_class(service) is not None, f"{service}.config.Settings must be importable"
    for overlay, objs in rendered.items():
        dep = dc.by_name(objs, "Deployment")[service]
        main = dep["spec"]["template"]["spec"]["containers"][0]
        violations = dc.check_env_against_settings(service, dc.configmap_env(objs, main), f"{overlay}")
        assert not violations, "\n".join(violations)


def test_a_typo_in_the_environment_is_caught(compose) -> None:
    service = "signalement"
    assert dc.settings_class(service) is not None
    env = {k: str(v) for k, v in compose["services"][service]["environment"].items()}
    prefix = service.upper()
    env[f"{prefix}_HTTP_PROT"] = env.pop(f"{prefix}_HTTP_PORT")
    violations = "\n".join(dc.check_env_against_settings(service, env, "compose"))
    assert f"{prefix}_HTTP_PROT is read by no setting" in violations
    assert "settings.http_port" not in violations or str(dc.SERVICES[service]["port"]) in violations


@pytest.mark.parametrize(
    ("rule", "mutate", "expected"),
    [
        ("latest image", lambda c: c["services"]["kafka"].__setitem__("image", "apache/kafka:latest"),
         "compose kafka: image 'apache/kafka:latest' is not pinned"),
        ("wrong port", lambda c: c["services"]["measures"]["environment"].__setitem__("MEASURES_HTTP_PORT", "9000"),
         "compose measures: MEASURES_HTTP_PORT is not 8002"),
        ("open to the network", lambda c: c["services"]["reporting"]["ports"][0].__setitem__("host_ip", "0.0.0.0"),
         "compose reporting: port 8004 not published on 127.0.0.1:8004"),
        ("no health wait",
         lambda c: c["services"]["signalement"]["depends_on"]["kafka"].__setitem__("condition", "service_started"),
         "compose signalement: does not wait for kafka to be healthy"),
        ("root", lambda c: c["services"]["procuration"].__setitem__("user", "0"), "compose procuration: runs as root"),
        ("no healthcheck", lambda c: c["services"]["mongodb"].pop("healthcheck"), "compose mongodb: no healthcheck"),
        ("other database",
         lambda c: c["services"]["reporting"]["environment"].__setitem__("REPORTING_MONGODB_DATABASE", "cii"),
         "compose reporting: REPORTING_MONGODB_DATABASE is not cii_reporting"),
    ],
)
def test_compose_checks_reject_a_broken_rule(compose, rule, mutate, expected) -> None:
    cfg = copy.deepcopy(compose)
    mutate(cfg)
    violations = dc.check_compose(cfg)
    assert any(expected in v for v in violations), f"{rule}: {violations}"


def test_dockerfile_is_multi_stage_pinned_and_non_root() -> None:
    violations = dc.check_dockerfile((dc.REPO / "Dockerfile").read_text(encoding="utf-8"))
    assert not violations, "\n".join(violations)


def test_dockerfile_checks_reject_a_bad_dockerfile() -> None:
    bad = "FROM python:latest\nCOPY . /app\nRUN pip install /app\nCMD [\"python\", \"-m\", \"signalement\"]\n"
    violations = "\n".join(dc.check_dockerfile(bad))
    for expected in ("not multi-stage", "python:latest is not pinned", "no build argument SERVICE",
                     "uv sync --frozen", "non-root USER"):
        assert expected in violations


@pytest.fixture(scope="module")
def dockerfile_lint_bin() -> Path:
    try:
        return dc.ensure_dockerfile_lint()
    except dc.ToolError as err:
        pytest.fail(str(err))


@pytest.mark.parametrize("service", sorted(dc.SERVICES))
def test_dockerfile_passes_buildkit_parser_and_lint(dockerfile_lint_bin, service: str) -> None:
    result = dc.dockerfile_lint(dc.REPO / "Dockerfile", {"SERVICE": service})
    assert not result.get("error"), result["error"]
    assert result["warnings"] == [], result["warnings"]


def test_buildkit_lint_rejects_a_bad_dockerfile(dockerfile_lint_bin, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:3.11.14-slim-bookworm as build\nCMD python -m signalement\nFROM build AS build\n")
    result = dc.dockerfile_lint(bad)
    rules = {w["rule"] for w in result["warnings"]}
    assert "FromAsCasing" in rules and "JSONArgsRecommended" in rules, result
    assert "duplicate" in (result.get("error") or "").lower() or "DuplicateStageName" in rules, result


def test_build_context_holds_what_the_dockerfile_copies_and_nothing_else(dockerfile_lint_bin) -> None:
    files = dc.dockerfile_lint(dc.REPO / "Dockerfile", {"SERVICE": "signalement"}, context=dc.REPO)["context_files"]
    assert files, "the build context is empty"
    for source in dc.dockerfile_copy_sources((dc.REPO / "Dockerfile").read_text(encoding="utf-8")):
        source = source.rstrip("/")
        assert source in files or any(f.startswith(source + "/") for f in files), f"COPY {source}: not in the context"
    leaked = [f for f in files if not (f in ("pyproject.toml", "uv.lock") or f.split("/")[0] in ("libs", "services"))]
    assert not leaked, f"files outside libs/ and services/ in the build context: {leaked[:10]}"
    junk = [f for f in files if any(part in (".venv", "__pycache__", "tests", ".local") for part in f.split("/"))]
    assert not junk, f"checkout leftovers in the build context: {junk[:10]}"


def test_dockerignore_keeps_the_context_small() -> None:
    lines = [line.strip() for line in (dc.REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()]
    assert "**" in lines and "!services" in lines and "!libs" in lines and "!uv.lock" in lines
    assert "**/.venv" in lines and "**/.local" in lines
