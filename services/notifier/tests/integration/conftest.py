"""The real platform for the notifier: Kafka, FerretDB, Mailpit, Keycloak (realm `cii`, the notifier's people
directory), and the procuration, signalement, measures and notifier services as processes. Measures runs with a
fixed "today" and a one-second alert scan, so a case management started in the past raises its alerts at once."""

from collections.abc import Iterator

import pytest

from cii_platform.testing.keycloak import DEMO_SECRET, Keycloak
from cii_platform.testing.mailpit import MailpitClient
from cii_platform.testing.platform import LocalPlatform

TODAY = "2026-09-30"
SERVICES = ("procuration", "signalement", "measures", "notifier")


@pytest.fixture(scope="session")
def notifier_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests(keycloak=True)
    local.extra_env.update({
        "MEASURES_CLOCK_TODAY": TODAY, "MEASURES_ALERT_SCAN_SECONDS": "1", "PROCURATION_CLOCK_TODAY": TODAY,
        "NOTIFIER_MAIL_IDLE_SECONDS": "0.5",
        # who holds a function: the realm's users through Keycloak's admin REST API (client cii-notifier)
        "NOTIFIER_DIRECTORY": "keycloak", "CII_KEYCLOAK_URL": f"http://127.0.0.1:{local.infra.ports.keycloak}",
        "NOTIFIER_KEYCLOAK_CLIENT_SECRET": DEMO_SECRET})
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


@pytest.fixture(scope="session")
def keycloak(notifier_platform: LocalPlatform) -> Keycloak:
    return Keycloak.on_port(notifier_platform.infra.ports.keycloak)
