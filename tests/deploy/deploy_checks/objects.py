"""Small helpers over rendered objects: kinds, names, pod specs, labels, selectors, images, env."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ._base import SERVICES

# --------------------------------------------------------------------------------------------------- helpers
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}


def dig(obj: Any, *keys: str) -> Any:
    """obj[k1][k2]... with None (or a missing key) anywhere giving None."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def of_kind(objs: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objs if o.get("kind") == kind]


def by_name(objs: Iterable[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in of_kind(objs, kind)}


def pod_spec(obj: dict[str, Any]) -> dict[str, Any] | None:
    kind = obj.get("kind")
    if kind == "Pod":
        return obj.get("spec") or {}
    if kind == "CronJob":
        return dig(obj, "spec", "jobTemplate", "spec", "template", "spec")
    if kind in WORKLOAD_KINDS:
        return (((obj.get("spec") or {}).get("template") or {}).get("spec")) or {}
    return None


def pod_labels(obj: dict[str, Any]) -> dict[str, str]:
    if obj.get("kind") == "Pod":
        return (obj.get("metadata") or {}).get("labels") or {}
    return ((((obj.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels")) or {}


def containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers") or []
    yield from spec.get("containers") or []


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """A LabelSelector (matchLabels and matchExpressions) against a label set; {} matches everything."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def image_is_pinned(image: str) -> bool:
    """name:tag (not latest) or name@sha256:digest."""
    if "@sha256:" in image:
        return True
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return False
    tag = last.rsplit(":", 1)[1]
    return bool(tag) and tag != "latest"


def configmap_env(objs: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """The environment a container gets from its envFrom ConfigMaps and literal env values."""
    cms = by_name(objs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom") or []:
        ref = (source.get("configMapRef") or {}).get("name")
        if ref in cms:
            env.update({k: str(v) for k, v in (cms[ref].get("data") or {}).items()})
    for item in container.get("env") or []:
        if "value" in item:
            env[item["name"]] = str(item["value"])
    return env


def service_deployments(objs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    deps = by_name(objs, "Deployment")
    return {name: deps[name] for name in SERVICES if name in deps}
