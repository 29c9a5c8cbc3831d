"""The procuration service as a real process on real Kafka and FerretDB (only this service runs)."""

from collections.abc import Iterator

import pytest

from cii_platform.testing.platform import LocalPlatform

EXCHANGE_TIMEOUT_SECONDS = 4  # keep equal to procuration_testkit.EXCHANGE_TIMEOUT_SECONDS


@pytest.fixture(scope="session")
def procuration_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests()
    local.extra_env.update({
        "PROCURATION_EXCHANGE_TIMEOUT_SECONDS": str(EXCHANGE_TIMEOUT_SECONDS),
        "PROCURATION_EXCHANGE_TIMEOUT_CHECK_SECONDS": "0.5",
    })
    local.start(names=("procuration",))
    try:
        yield local
    finally:
        local.stop()
