"""Sign-in of people on the platform's pages through the identity provider (Keycloak's realm `cii`).

Authorization code with PKCE (S256), by Authlib's Starlette client, for the public client `cii-web`
(CII_OIDC_CLIENT_ID) of the issuer CII_OIDC_ISSUER. No token ever appears in a URL or in a cookie: the tokens
stay in a server-side session (`sessions.py`), the browser holds only its random id. The access token is
verified by the same TokenVerifier as the APIs' bearer tokens, so pages and APIs share one authorization code.

Use in a service (the reporting dashboard, the staff workspace):

    from cii_platform.web.login import SignedIn, PageRefused, CsrfChecked, csrf_token, install_login

    install_login(app, settings, runtime.db["web_sessions"])   # before the app starts

    @router.get("/")
    async def home(person: SignedIn) -> HTMLResponse:         # no session: redirected to the login page
        if not person.principal.has_role("coordinator"):
            raise PageRefused("réservé aux coordinateurs", "nur für Koordinatoren")  # 403, HTML page
        ...  person.access_token: the bearer to call the platform's APIs on the person's behalf

    @router.post("/triage", dependencies=[CsrfChecked])      # form field `csrf_token` or header X-CSRF-Token
    ...  every form carries <input type="hidden" name="csrf_token" value="{csrf_token(request)}">

Routes added: GET /login (?next=/path: where to go after sign-in), GET /auth/callback (the identity provider's
redirect), GET /logout (a confirmation page) and POST /logout (RP-initiated logout: the session here and at the
identity provider ends, then back to the page, hence to the login page). `page_language(request)` gives the
person's language ("fr" or "de": ?lang=, then the remembered choice, then Accept-Language).
"""

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..security.tokens import InvalidTokenError, KeysUnavailableError, Principal, TokenVerifier
from ..settings import PlatformSettings
from .login_pages import logout_page, page_language, refusal_page, remember_language, sign_in_failed_page
from .sessions import ROTATE, ServerSessionMiddleware, SessionStore

log = logging.getLogger(__name__)

PROVIDER = "keycloak"
REFRESH_MARGIN = 30  # seconds: an access token closer than this to its expiry is refreshed first


class LoginRequired(Exception):
    """No (valid) session: the person is sent to the login page, then back here."""


class PageRefused(Exception):
    """The signed-in person may not see this page: a 403 HTML page in their language, never JSON."""

    def __init__(self, reason_fr: str, reason_de: str) -> None:
        super().__init__(reason_fr)
        self.reasons = {"fr": reason_fr, "de": reason_de}


class CsrfError(Exception):
    pass


@dataclass(frozen=True)
class Person:
    """Who is signed in: the principal of their access token (institution, roles, region or theme), their
    name and username for display, and the access token itself, to call the platform's APIs on their behalf."""

    principal: Principal
    access_token: str
    username: str
    name: str
    email: str | None


def oauth_for(settings: PlatformSettings) -> OAuth:
    oauth = OAuth()
    oauth.register(
        PROVIDER, client_id=settings.oidc_client_id,
        server_metadata_url=settings.oidc_discovery_url,
        client_kwargs={"scope": "openid", "code_challenge_method": "S256", "token_endpoint_auth_method": "none"})
    return oauth


def install_login(app: FastAPI, settings: PlatformSettings, sessions: Any, *, idle: int = 1800,
                  lifetime: int = 36000) -> None:
    """Sessions in `sessions` (a collection of the service's store), the sign-in routes and the handlers that
    turn LoginRequired into a redirect and PageRefused into an HTML page."""
    oauth = oauth_for(settings)
    app.state.oauth = oauth
    app.state.login_settings = settings
    app.add_middleware(ServerSessionMiddleware, store=SessionStore(sessions, idle=idle, lifetime=lifetime),
                       secure_always=settings.cookie_secure == "always")
    app.add_exception_handler(LoginRequired, _on_login_required)  # type: ignore[arg-type]
    app.add_exception_handler(PageRefused, _on_refused)  # type: ignore[arg-type]
    app.add_exception_handler(CsrfError, _on_csrf)  # type: ignore[arg-type]
    app.add_api_route("/login", login, methods=["GET"], include_in_schema=False, name="cii_login")
    app.add_api_route("/auth/callback", callback, methods=["GET"], include_in_schema=False, name="cii_callback")
    app.add_api_route("/logout", logout_confirmation, methods=["GET"], include_in_schema=False, name="cii_logout")
    app.add_api_route("/logout", logout, methods=["POST"], include_in_schema=False)


def _provider(request: Request) -> Any:
    return request.app.state.oauth.create_client(PROVIDER)


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def login(request: Request, next: str | None = None) -> Response:
    request.session["login_next"] = _safe_next(next)
    redirect_uri = str(request.url_for("cii_callback"))
    try:
        response: Response = await _provider(request).authorize_redirect(
            request, redirect_uri, ui_locales=page_language(request))
    except httpx.HTTPError as exc:
        log.warning("identity provider unreachable: %s", exc)
        return sign_in_failed_page(request, status=503)
    return response


async def callback(request: Request) -> Response:
    try:
        token = await _provider(request).authorize_access_token(request)
    except OAuthError as exc:
        # A stale or replayed callback (state unknown), or the person cancelled: start again, once.
        log.info("sign-in callback refused: %s", exc.error)
        return sign_in_failed_page(request, status=400)
    except httpx.HTTPError as exc:
        log.warning("identity provider unreachable: %s", exc)
        return sign_in_failed_page(request, status=503)
    target = _safe_next(request.session.get("login_next"))
    language = request.session.get("lang")
    request.session.clear()
    request.scope[ROTATE] = True  # a new session id after sign-in: no session fixation
    _store_tokens(request, token)
    request.session["csrf"] = secrets.token_urlsafe(32)
    if language:
        request.session["lang"] = language
    userinfo = token.get("userinfo") or {}
    request.session["person"] = {
        "username": userinfo.get("preferred_username", ""), "name": userinfo.get("name") or
        userinfo.get("preferred_username", ""), "email": userinfo.get("email")}
    return RedirectResponse(target, status_code=303)


def _store_tokens(request: Request, token: dict[str, Any]) -> None:
    request.session["access_token"] = token["access_token"]
    request.session["expires_at"] = int(token.get("expires_at") or time.time() + int(token.get("expires_in", 60)))
    if token.get("refresh_token"):
        request.session["refresh_token"] = token["refresh_token"]
    if token.get("id_token"):
        request.session["id_token"] = token["id_token"]


async def _refresh(request: Request) -> bool:
    refresh_token = request.session.get("refresh_token")
    if not refresh_token:
        return False
    provider = _provider(request)
    metadata = await provider.load_server_metadata()
    settings: PlatformSettings = request.app.state.login_settings
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(metadata["token_endpoint"], data={
                "grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": settings.oidc_client_id})
    except httpx.HTTPError:
        return False
    if response.status_code != 200:
        return False  # the session ended at the identity provider (logout, idle, revoked)
    _store_tokens(request, response.json())
    return True


async def signed_in(request: Request) -> Person:
    """The person of this session, with a valid access token (refreshed when about to expire)."""
    session = request.session
    if "access_token" not in session:
        raise LoginRequired()
    if session.get("expires_at", 0) - REFRESH_MARGIN < time.time() and not await _refresh(request):
        session.clear()
        raise LoginRequired()
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        principal = verifier.verify(session["access_token"])
    except (InvalidTokenError, KeysUnavailableError) as exc:
        log.info("session token no longer accepted: %s", exc)
        session.clear()
        raise LoginRequired() from exc
    person = session.get("person") or {}
    return Person(principal=principal, access_token=session["access_token"],
                  username=person.get("username") or principal.subject,
                  name=person.get("name") or principal.subject, email=person.get("email"))


SignedIn = Annotated[Person, Depends(signed_in)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, to put in every form as the hidden field `csrf_token`."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


async def require_csrf(request: Request) -> None:
    """For every state-changing route of a page: the form field `csrf_token` (or the header X-CSRF-Token, for
    htmx) must equal the session's token."""
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not expected or not given or not secrets.compare_digest(str(expected), given):
        raise CsrfError()


CsrfChecked = Depends(require_csrf)


async def logout_confirmation(request: Request) -> Response:
    if "access_token" not in request.session:
        return RedirectResponse("/", status_code=303)
    return logout_page(request, csrf_token(request))


async def logout(request: Request, _: None = CsrfChecked) -> Response:
    """RP-initiated logout: this session ends, then the identity provider's, which sends the browser back to
    the site's root (hence, without a session, to the login page)."""
    id_token = request.session.get("id_token")
    request.session.clear()
    settings: PlatformSettings = request.app.state.login_settings
    home = str(request.url_for("cii_login")).removesuffix("/login") + "/"
    try:
        metadata = await _provider(request).load_server_metadata()
    except httpx.HTTPError:
        return RedirectResponse(home, status_code=303)
    query = {"post_logout_redirect_uri": home, "client_id": settings.oidc_client_id}
    if id_token:
        query["id_token_hint"] = id_token
    return RedirectResponse(f"{metadata['end_session_endpoint']}?{urlencode(query)}", status_code=303)


async def _on_login_required(request: Request, _: LoginRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        target = "/"
    response = RedirectResponse(f"{request.url_for('cii_login').path}?{urlencode({'next': target})}",
                                status_code=303)
    remember_language(request, response)
    return response


async def _on_refused(request: Request, exc: PageRefused) -> HTMLResponse:
    person = request.session.get("person") or {}
    return refusal_page(request, exc.reasons, person.get("name") or person.get("username"),
                        csrf_token(request) if "access_token" in request.session else None)


async def _on_csrf(request: Request, _: CsrfError) -> HTMLResponse:
    return refusal_page(request, {"fr": "Le formulaire a expiré ou ne vient pas de cette page : rechargez la "
                                        "page et recommencez.",
                                  "de": "Das Formular ist abgelaufen oder stammt nicht von dieser Seite: laden "
                                        "Sie die Seite neu und versuchen Sie es noch einmal."},
                        None, None, status=403)
