"""The real platform for the notifier: Kafka, FerretDB, Mailpit, and the procuration, signalement,
measures and notifier services as processes. Measures runs with a fixed "today" and a one-second alert
scan, so a case management started in the past raises its alerts at once."""

from collections.abc import Iterator

import pytest

from cii_platform.testing.mailpit import MailpitClient
from cii_platform.testing.platform import LocalPlatform

TODAY = "2026-09-30"
SERVICES = ("procuration", "signalement", "measures", "notifier")


@pytest.fixture(scope="session")
def notifier_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests()
    local.extra_env.update({"MEASURES_CLOCK_TODAY": TODAY, "MEASURES_ALERT_SCAN_SECONDS": "1",
                            "PROCURATION_CLOCK_TODAY": TODAY, "NOTIFIER_MAIL_IDLE_SECONDS": "0.5"})
    local.start(names=SERVICES)
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def mailpit(notifier_platform: LocalPlatform) -> Iterator[MailpitClient]:
    client = MailpitClient(notifier_platform.infra.mailpit_url)
    try:
        yield client
    finally:
        client.close()
