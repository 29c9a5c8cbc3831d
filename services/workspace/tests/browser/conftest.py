"""The real platform (Kafka, FerretDB, Keycloak, the four services and the workspace as processes) and Debian's
Chromium driven by Playwright (its own browser download does not work here: executable_path)."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from cii_platform.contracts.topics import STACK_SERVICES
from cii_platform.testing.platform import LocalPlatform

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def workspace_platform() -> Iterator[LocalPlatform]:
    local = LocalPlatform.for_tests(keycloak=True)  # people sign in on Keycloak's real login page
    local.start(names=())  # the infrastructure; then the services, with time to start on a loaded machine
    try:
        for name in STACK_SERVICES:
            local.start_service(name, wait=False)
        for name in STACK_SERVICES:
            local.services[name].wait_ready(timeout=300)
        yield local
    finally:
        local.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()
