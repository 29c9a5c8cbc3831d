"""Kubernetes and custom-resource schema validation of rendered objects."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ._base import K8S_VERSION, SCHEMAS


# --------------------------------------------------------------------------------------------------- schemas
def _custom_schema_path(obj: dict[str, Any]) -> Path | None:
    api = obj.get("apiVersion", "")
    if "/" not in api:
        return None
    group, version = api.split("/", 1)
    path = SCHEMAS / group / f"{obj.get('kind', '').lower()}_{version}.json"
    return path if path.exists() else None


@functools.cache
def _custom_validator(path: Path) -> Any:
    import jsonschema

    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _name(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"


def schema_errors(objs: Iterable[dict[str, Any]], k8s_version: str = K8S_VERSION) -> list[str]:
    """Strict schema validation of every object: Kubernetes kinds against kubernetes-validate's schemas,
    custom resources against deploy/schemas/. An object without a schema is an error too."""
    import kubernetes_validate

    errors: list[str] = []
    for obj in objs:
        custom = _custom_schema_path(obj)
        if custom is not None:
            for err in sorted(_custom_validator(custom).iter_errors(obj), key=lambda e: list(e.path)):
                path = ".".join(str(p) for p in err.absolute_path)
                errors.append(f"{_name(obj)}: {path}: {err.message}")
            continue
        try:
            kubernetes_validate.validate(obj, k8s_version, strict=True)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.path)
            errors.append(f"{_name(obj)}: {path}: {err.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{_name(obj)}: no schema for {obj.get('apiVersion')} {obj.get('kind')}")
    return errors
