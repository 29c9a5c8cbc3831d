"""The real platform for the signalement process tests: Kafka, FerretDB, and the procuration (key
custody, decisions) and signalement services as processes."""

from collections.abc import Iterator

import pytest

from cii_platform.testing.platform import LocalPlatform


@pytest.fixture(scope="session")
def signalement_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests()
    local.start(names=("procuration", "signalement"))
    try:
        yield local
    finally:
        local.stop()
