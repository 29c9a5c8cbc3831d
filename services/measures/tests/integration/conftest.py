"""The real platform for the measures tests: Kafka, FerretDB and the services as processes.

The measures service runs with a fixed "today" (MEASURES_CLOCK_TODAY) and a one-second alert scan, so
time-based alerts can be checked with dates chosen by each test. Procuration (key custody, procuration
events) and signalement (situations) run too; tests may also put SituationRecorded events straight on
the signalement topic, as an upstream stand-in.
"""

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from cii_platform.contracts.topics import MEASURES_EVENTS
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

sys.path.insert(0, str(Path(__file__).parent))  # measures_helpers next to the tests

from measures_helpers import TODAY

SERVICES = ("procuration", "signalement", "measures")


@pytest.fixture(scope="session")
def measures_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests()
    local.extra_env.update({"MEASURES_CLOCK_TODAY": TODAY.isoformat(), "MEASURES_ALERT_SCAN_SECONDS": "1",
                            "PROCURATION_CLOCK_TODAY": TODAY.isoformat(),
                            "PROCURATION_EXPIRY_WATCH_INTERVAL_SECONDS": "1"})
    local.start(names=SERVICES)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
async def measures_events(measures_platform: LocalPlatform) -> AsyncIterator[TopicReader]:
    async with TopicReader(measures_platform.infra.kafka_bootstrap, MEASURES_EVENTS) as reader:
        yield reader


@pytest.fixture
async def upstream(measures_platform: LocalPlatform) -> AsyncIterator[InstitutionClient]:
    async with InstitutionClient(measures_platform.infra.kafka_bootstrap) as client:
        yield client
