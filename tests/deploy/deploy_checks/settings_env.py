"""Environment given to a service (compose, ConfigMaps) checked against its pydantic settings."""

from __future__ import annotations

import os
from typing import Any

from ._base import SERVICES

# Environment variables that no service setting reads yet (none today: Kafka over mTLS and topics owned by
# Strimzi are settings of cii_platform). Kept so a future overlay variable can be listed while it is built.
PENDING_SETTINGS: set[str] = set()


def settings_class(service: str) -> Any:
    """<service>.config.Settings when the service package is importable (pydantic-settings), else None."""
    try:
        module = __import__(f"{service}.config", fromlist=["Settings"])
    except ImportError:
        return None
    return getattr(module, "Settings", None)


def settings_env_names(settings_cls: Any) -> set[str]:
    """The environment variable names a pydantic-settings class reads (aliases, else prefix + field name)."""
    prefix = str(settings_cls.model_config.get("env_prefix", ""))
    names = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        names.add((alias or f"{prefix}{name}").upper())
    return names


def settings_from_env(settings_cls: Any, env: dict[str, str]) -> Any:
    """Instantiate the settings with exactly `env` as the process environment (no .env file, nothing inherited)."""
    names = settings_env_names(settings_cls)
    saved = {k: os.environ[k] for k in list(os.environ) if k.upper() in names}
    try:
        for k in saved:
            del os.environ[k]
        os.environ.update(env)
        return settings_cls()
    finally:
        for k in env:
            os.environ.pop(k, None)
        os.environ.update(saved)


def check_env_against_settings(service: str, env: dict[str, str], where: str) -> list[str]:
    """The service's real Settings read from `env`: port, database and endpoints as docs/conventions.md says;
    every variable is one a setting (or the OpenTelemetry SDK) reads, so a typo cannot go unnoticed."""
    cls = settings_class(service)
    if cls is None:
        return []
    v: list[str] = []
    conf = SERVICES[service]
    unknown = sorted(k for k in env if k.upper() not in settings_env_names(cls)
                     and not k.startswith("OTEL_") and k not in PENDING_SETTINGS)
    for k in unknown:
        v.append(f"{where} {service}: {k} is read by no setting of {cls.__module__}.Settings")
    s = settings_from_env(cls, {k: val for k, val in env.items() if k not in PENDING_SETTINGS})
    checks = {
        "http_port": conf["port"],
        "mongodb_database": conf["db"],
        "http_host": "0.0.0.0",
        "procuration_url": f"http://procuration:{SERVICES['procuration']['port']}",
        "service_name": service,
    }
    for attr, expected in checks.items():
        if getattr(s, attr, expected) != expected:
            v.append(f"{where} {service}: settings.{attr} is {getattr(s, attr)!r}, expected {expected!r}")
    for attr, key in (("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS"), ("mongodb_url", "MONGODB_URL")):
        if key in env and getattr(s, attr) != env[key]:
            v.append(f"{where} {service}: settings.{attr} does not take {key}")
    if "CII_DATA_DIR" in env and str(s.data_dir) != env["CII_DATA_DIR"]:
        v.append(f"{where} {service}: settings.data_dir does not take CII_DATA_DIR")
    return v
