"""docker-compose.yml: rendered config and its policies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ._base import COMPOSE_FILE, REPO, SERVICES
from .objects import dig, image_is_pinned
from .tools import ToolError, _run, ensure_compose


# --------------------------------------------------------------------------------------------------- compose
def compose_config(*args: str, env: dict[str, str] | None = None, compose_file: Path = COMPOSE_FILE) -> dict[str, Any]:
    """`docker compose -f FILE [args] config --format json`, with the port variables of the caller's shell removed
    (the defaults are checked) unless given in env."""
    cmd, base_env = ensure_compose()
    caller = re.compile(r"[A-Z_]+_PORT|CII_IMAGE_TAG|LOG_LEVEL|OTEL_.*")
    base_env = {k: v for k, v in base_env.items() if not caller.fullmatch(k)}
    proc = _run([*cmd, "-f", str(compose_file), *args, "config", "--format", "json"],
                env={**base_env, **(env or {})}, cwd=compose_file.parent, timeout=60)
    if proc.returncode != 0:
        raise ToolError(f"docker compose config failed:\n{proc.stderr}")
    return json.loads(proc.stdout)


def check_compose(cfg: dict[str, Any]) -> list[str]:
    """The compose file against docs/conventions.md and the issue's rules."""
    v: list[str] = []
    services = cfg.get("services") or {}
    for infra in ("kafka", "mongodb"):
        if infra not in services:
            v.append(f"compose: service {infra} missing")
    for name, svc in services.items():
        image = svc.get("image") or ""
        if not image_is_pinned(image):
            v.append(f"compose {name}: image {image!r} is not pinned")
    expectations = {"kafka": 9092, "mongodb": 27017}
    for name, port in expectations.items():
        svc = services.get(name) or {}
        if not svc.get("healthcheck"):
            v.append(f"compose {name}: no healthcheck")
        published = [(p.get("host_ip"), str(p.get("published"))) for p in svc.get("ports") or []]
        if ("127.0.0.1", str(port)) not in published:
            v.append(f"compose {name}: not published on 127.0.0.1:{port}")
    if not str((services.get("kafka") or {}).get("image", "")).startswith("apache/kafka:"):
        v.append("compose kafka: not the Apache Kafka image")
    if "controller" not in str(dig(services, "kafka", "environment", "KAFKA_PROCESS_ROLES") or ""):
        v.append("compose kafka: not in KRaft mode")
    if not re.match(r"mongo:7\.", str((services.get("mongodb") or {}).get("image", ""))):
        v.append("compose mongodb: not MongoDB 7")
    for service, conf in SERVICES.items():
        svc = services.get(service)
        if svc is None:
            v.append(f"compose: service {service} missing")
            continue
        prefix = service.upper()
        env = {k: str(val) for k, val in (svc.get("environment") or {}).items()}
        build = svc.get("build") or {}
        if (build.get("args") or {}).get("SERVICE") != service or build.get("dockerfile", "Dockerfile") != "Dockerfile":
            v.append(f"compose {service}: not built from the repository's Dockerfile with SERVICE={service}")
        if Path(str(build.get("context", ""))).resolve() != REPO.resolve():
            v.append(f"compose {service}: build context is not the repository root")
        if env.get(f"{prefix}_HTTP_PORT") != str(conf["port"]):
            v.append(f"compose {service}: {prefix}_HTTP_PORT is not {conf['port']}")
        if env.get(f"{prefix}_MONGODB_DATABASE") != conf["db"]:
            v.append(f"compose {service}: {prefix}_MONGODB_DATABASE is not {conf['db']}")
        if not env.get("KAFKA_BOOTSTRAP_SERVERS", "").startswith("kafka:"):
            v.append(f"compose {service}: KAFKA_BOOTSTRAP_SERVERS does not name the kafka service")
        if not env.get("MONGODB_URL", "").startswith("mongodb://mongodb:"):
            v.append(f"compose {service}: MONGODB_URL does not name the mongodb service")
        if env.get("PROCURATION_URL") != f"http://procuration:{SERVICES['procuration']['port']}":
            v.append(f"compose {service}: PROCURATION_URL does not name the procuration service")
        if env.get("CII_HTTP_HOST") != "0.0.0.0":
            v.append(f"compose {service}: CII_HTTP_HOST is not 0.0.0.0 (unreachable from the host)")
        if not env.get("CII_DATA_DIR"):
            v.append(f"compose {service}: CII_DATA_DIR not set")
        ports = svc.get("ports") or []
        if not any(p.get("target") == conf["port"] and str(p.get("published")) == str(conf["port"])
                   and p.get("host_ip") == "127.0.0.1" for p in ports):
            v.append(f"compose {service}: port {conf['port']} not published on 127.0.0.1:{conf['port']}")
        health = " ".join(str(x) for x in ((svc.get("healthcheck") or {}).get("test") or []))
        if f":{conf['port']}/readyz" not in health:
            v.append(f"compose {service}: healthcheck does not call /readyz on port {conf['port']}")
        deps = svc.get("depends_on") or {}
        for infra in ("kafka", "mongodb"):
            if (deps.get(infra) or {}).get("condition") != "service_healthy":
                v.append(f"compose {service}: does not wait for {infra} to be healthy")
        if service != "procuration" and (deps.get("procuration") or {}).get("condition") != "service_healthy":
            v.append(f"compose {service}: does not wait for procuration (keys and decisions) to be healthy")
        if (deps.get("keys") or {}).get("condition") != "service_completed_successfully":
            v.append(f"compose {service}: does not wait for the local keys (`cii keys init`)")
        if not any(vol.get("target") == env.get("CII_DATA_DIR") and vol.get("source") == "cii-data"
                   for vol in svc.get("volumes") or []):
            v.append(f"compose {service}: CII_DATA_DIR is not the shared cii-data volume (keys)")
        user = str(svc.get("user", ""))
        if not user or user.split(":")[0] in ("0", "root"):
            v.append(f"compose {service}: runs as root")
        if not svc.get("read_only"):
            v.append(f"compose {service}: root filesystem is not read-only")
        if "ALL" not in (svc.get("cap_drop") or []):
            v.append(f"compose {service}: capabilities not dropped")
    return v
