"""Fixtures of the deployment tests (tests/deploy): rendered overlays and the tools, cached per session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

# deploy_checks sits next to this file; make it importable whatever pytest's import mode is
sys.path.insert(0, str(Path(__file__).resolve().parent))

import deploy_checks

# The first run builds kustomize, Docker Compose and dockerfile-lint from the Go module proxy into the cache
# (minutes on a cold machine); the test that triggers a build must not hit pytest-timeout's default.
TOOL_BUILD_TIMEOUT = 1800


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "deploy: validation of deploy/ (Kubernetes) and docker-compose.yml, offline")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("timeout"):
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(TOOL_BUILD_TIMEOUT))


@pytest.fixture(scope="session")
def kustomize_bin() -> Path:
    """kustomize, built into ${CII_CACHE_DIR:-~/.cache/cii-platform}/bin from the Go module proxy if missing."""
    try:
        return deploy_checks.ensure_kustomize()
    except deploy_checks.ToolError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="session")
def compose_cmd() -> tuple[list[str], dict[str, str]]:
    """`docker compose` (the Docker CLI's plugin, or Compose built into the cache and plugged into the CLI)."""
    try:
        return deploy_checks.ensure_compose()
    except deploy_checks.ToolError as err:
        pytest.fail(str(err))


@pytest.fixture(scope="session")
def rendered(kustomize_bin: Path) -> dict[str, list[dict[str, Any]]]:
    """Each overlay rendered once by `kustomize build` (read-only: use fresh_render to mutate)."""
    return {overlay: deploy_checks.render(overlay) for overlay in deploy_checks.OVERLAYS}


@pytest.fixture
def fresh_render(kustomize_bin: Path):
    """A mutable copy of an overlay's objects: fresh_render("prod")."""
    return deploy_checks.render
