"""The real platform for the reporting tests: Kafka, FerretDB and the reporting service as a process.

Upstream services are stood in for by publishing their internal events (built with the contract models)
straight onto the internal topics; caseload snapshots go through an institution's inbound topic, the
path reporting owns. One generated data set is published once per session and shared by the tests.
"""

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cii_platform.security.keys import read_hex_key
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.testing.platform import LocalPlatform

sys.path.insert(0, str(Path(__file__).parent))

from reporting_dataset import PublishedDataset, publish_dataset


@pytest.fixture(scope="session")
def reporting_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests(keycloak=True)  # the dashboard signs people in through Keycloak
    local.start(names=("reporting",))
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def pseudonymizer(reporting_platform: LocalPlatform) -> Pseudonymizer:
    key_file = reporting_platform.infra.data_dir / "keys" / "pseudonym.key"
    return Pseudonymizer(read_hex_key(key_file, "pseudonym key"))


@pytest.fixture(scope="session")
def dataset(reporting_platform: LocalPlatform, pseudonymizer: Pseudonymizer) -> PublishedDataset:
    return asyncio.run(publish_dataset(reporting_platform, pseudonymizer))


@pytest.fixture(scope="session")
def bureau_token(reporting_platform: LocalPlatform) -> str:
    return reporting_platform.token("BUREAU", "reporting_reader")
