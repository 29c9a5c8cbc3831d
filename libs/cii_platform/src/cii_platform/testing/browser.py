"""A real browser for page tests: Debian's Chromium driven by Playwright (Playwright's own browser download is
not used: `executable_path` points at the system's chromium), and signing in on Keycloak's real login page.

    with chromium_page() as page:
        page.goto(platform.url("reporting") + "/")      # redirected to Keycloak's login page
        sign_in(page, "officer")                         # fills Keycloak's form, back on the page
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, Response, sync_playwright

from .keycloak import DEMO_PASSWORD


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "Debian's chromium is required for the page tests (apt-get install -y chromium; `make tools`)"
    return path


@contextmanager
def chromium_page(*, locale: str = "fr-CH") -> Iterator[Page]:
    """A fresh headless Chromium profile (no cookies) and one page in it."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(locale=locale)
            context.set_default_timeout(60_000)
            yield context.new_page()
        finally:
            browser.close()


def on_keycloak_login(page: Page) -> bool:
    """True when the page is Keycloak's login form of the realm `cii`."""
    return "/realms/cii/protocol/openid-connect/auth" in page.url and page.locator("#kc-login").count() == 1


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> Response | None:
    """Fill Keycloak's login form (the page must be showing it), wait until the browser is back on the
    platform's page and give that page's response (its status: 200, or 403 for a refused person)."""
    assert on_keycloak_login(page), f"not on Keycloak's login page: {page.url}"
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.request.is_navigation_request() and "/realms/cii/" not in r.url
                              and not 300 <= r.status < 400) as landed:
        page.click("#kc-login")
    page.wait_for_load_state()
    return landed.value
