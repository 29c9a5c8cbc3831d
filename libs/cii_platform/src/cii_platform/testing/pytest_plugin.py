"""Pytest fixtures for the real platform: `platform` starts Kafka, FerretDB and the services once per session."""

from collections.abc import Iterator

import pytest

from .platform import LocalPlatform


@pytest.fixture(scope="session")
def platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests()
    local.start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def infra_only() -> Iterator[LocalPlatform]:
    """Kafka and the store without services (tests that run one service in-process)."""
    local = LocalPlatform.for_tests()
    local.start(names=())
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def identity_platform() -> Iterator[LocalPlatform]:
    """Kafka, the store, the services and Keycloak (realm `cii`): the suites of the real login."""
    local = LocalPlatform.for_tests(keycloak=True)
    local.start()
    try:
        yield local
    finally:
        local.stop()
