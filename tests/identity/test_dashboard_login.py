"""People sign in on the dashboard through Keycloak's real login page, in a real Chromium (docs/contract.md
sections 7 and 9): no token in any URL, a server-side session in an HttpOnly cookie (Secure over HTTPS),
logout at the identity provider, a readable refusal page for someone who may not see the dashboard."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from cii_platform.testing.browser import chromium_page, on_keycloak_login, sign_in
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e


def test_the_officer_signs_in_sees_the_dashboard_and_signs_out(identity_platform: LocalPlatform) -> None:
    dashboard = identity_platform.url("reporting") + "/"
    with chromium_page() as page:
        page.goto(dashboard)
        assert on_keycloak_login(page), page.url  # no session: Keycloak's own login page
        assert "CII Valais" in page.title()
        sign_in(page, "officer")

        assert page.url == dashboard  # back on the dashboard: no code, no token in the address
        assert page.locator("h1").inner_text().startswith("CII Valais: tableau de bord")
        assert page.locator("#who").inner_text() == "Pierre Udry"
        assert page.locator("#open-situations").count() == 1
        session = {c["name"]: c for c in page.context.cookies()}["cii_session"]
        assert session["httpOnly"] and session["sameSite"] == "Lax" and not session["secure"]  # plain HTTP
        assert all(c["name"] != "cii_token" for c in page.context.cookies())
        visited = page.evaluate("() => performance.getEntriesByType('navigation').map(e => e.name)")
        assert not any("access_token" in url for url in visited)

        with page.expect_navigation():
            page.click("#logout")
        page.wait_for_url(lambda url: "/realms/cii/protocol/openid-connect/auth" in url)
        assert on_keycloak_login(page)  # signed out here and at Keycloak: the login page again

        page.goto(dashboard)  # the old session is gone, Keycloak's too: the login page, not the dashboard
        assert on_keycloak_login(page), page.url


def test_a_field_worker_gets_a_readable_refusal_in_their_language(identity_platform: LocalPlatform) -> None:
    with chromium_page() as page:
        page.goto(identity_platform.url("reporting") + "/")
        response = sign_in(page, "worker.orp")
        assert response is not None and response.status == 403
        assert response.headers["content-type"].startswith("text/html")
        assert page.locator("h1").inner_text() == "Accès refusé"
        assert "réservé au bureau CII" in page.locator("#reason").inner_text()
        assert page.locator("#who").inner_text() == "Odile Rey"

        page.goto(identity_platform.url("reporting") + "/?lang=de")
        assert page.locator("h1").inner_text() == "Zugriff verweigert"
        assert "dem IIZ-Büro vorbehalten" in page.locator("#reason").inner_text()
        with page.expect_navigation():
            page.click("#logout")  # the refusal page lets them sign out to change account
        page.wait_for_url(lambda url: "/realms/cii/" in url)
        assert on_keycloak_login(page)


def test_without_a_session_the_page_redirects_to_the_login_and_ignores_a_token_in_the_url(
        identity_platform: LocalPlatform) -> None:
    officer = identity_platform.token("BUREAU", "cantonal_officer")
    with httpx.Client(base_url=identity_platform.url("reporting"), timeout=30) as browser:
        for query in ({}, {"access_token": officer}):
            first = browser.get("/", params=query)
            assert first.status_code == 303 and first.headers["location"].startswith("/login?next=")
            assert "set-cookie" not in first.headers
        login = browser.get(first.headers["location"])
        assert login.status_code == 302
        to_keycloak = urlparse(login.headers["location"])
        assert login.headers["location"].startswith(identity_platform.infra.keycloak_url)
        params = parse_qs(to_keycloak.query)
        assert params["client_id"] == ["cii-web"] and params["code_challenge_method"] == ["S256"]
        assert params["redirect_uri"] == [identity_platform.url("reporting") + "/auth/callback"]
        assert "access_token" not in login.headers["location"]


def test_the_session_cookie_is_secure_over_https_only(identity_platform: LocalPlatform) -> None:
    """Issue 12, point 9: behind an HTTPS proxy (X-Forwarded-Proto from 127.0.0.1, which uvicorn trusts) the
    cookie is Secure; over plain local HTTP it is not, so that local HTTP keeps working."""
    with httpx.Client(base_url=identity_platform.url("reporting"), timeout=30) as browser:
        over_https = browser.get("/login", headers={"X-Forwarded-Proto": "https"})
        plain = browser.get("/login")
    https_cookie = over_https.headers["set-cookie"]
    assert https_cookie.startswith("cii_session=") and "Secure" in https_cookie
    assert "HttpOnly" in https_cookie and "SameSite=Lax" in https_cookie
    assert "redirect_uri=https%3A%2F%2F127.0.0.1" in over_https.headers["location"]
    plain_cookie = plain.headers["set-cookie"]
    assert plain_cookie.startswith("cii_session=") and "Secure" not in plain_cookie and "HttpOnly" in plain_cookie
