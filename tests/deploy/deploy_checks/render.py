"""Rendering the kustomize overlays (and the ops kustomizations) to objects."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

from ._base import DEPLOY, REPO
from .tools import ToolError, _run, ensure_kustomize

# --------------------------------------------------------------------------------------------------- render
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml_docs(text: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.load_all(text, Loader=_LOADER) if doc]


# kustomizations applied by hand (deploy/README.md), validated like the overlays
OPS = ("rotate-master-key",)


def _kustomization_dir(name: str) -> Path:
    return DEPLOY / ("ops" if name in OPS else "overlays") / name


@functools.cache
def _render_text(name: str) -> str:
    kustomize = ensure_kustomize()
    directory = _kustomization_dir(name)
    proc = _run([str(kustomize), "build", str(directory)], timeout=120)
    if proc.returncode != 0:
        raise ToolError(f"kustomize build {directory.relative_to(REPO)} failed:\n{proc.stderr}")
    return proc.stdout


@functools.cache
def _rendered(name: str) -> list[dict[str, Any]]:
    return load_yaml_docs(_render_text(name))


def render(name: str) -> list[dict[str, Any]]:
    """The objects of an overlay (dev, prod) or an ops kustomization as rendered by `kustomize build`
    (a fresh copy each call; callers may mutate it)."""
    return copy.deepcopy(_rendered(name))


def topology() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "topology.yaml").read_text(encoding="utf-8"))
