"""`create_app(settings)`: the workspace's pages, its static assets (served by itself: no CDN) and health."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from cii_platform.http import install_request_metrics, operations_router
from cii_platform.security.tokens import TokenVerifier
from cii_platform.telemetry.tracing import instrument_fastapi
from cii_platform.web.login import install_login

from ...bootstrap import Workspace, bootstrap
from ...config import Settings
from ...service_layer.ports import ApiProblem
from . import (
    routes_audit,
    routes_auth,
    routes_cases,
    routes_field,
    routes_home,
    routes_report,
    routes_secretariat,
    routes_situations,
)
from .i18n import Catalogs, current_language
from .web import LANGUAGE_COOKIE, SESSION_COOKIE, CsrfRefused, Renderer, SignInRequired, chosen_language

STATIC = Path(__file__).parent / "static"
ONE_YEAR = 365 * 24 * 3600
# Everything comes from the workspace itself: no CDN, no inline script (htmx's indicator styles are off).
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'"


def create_app(settings: Settings, service: Workspace | None = None) -> FastAPI:
    workspace = service or bootstrap(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        for close in workspace.closers:
            await close()

    app = FastAPI(title="CII workspace", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = workspace
    app.state.renderer = Renderer(Catalogs())
    install_language(app, workspace)
    install_security_headers(app)
    install_request_metrics(app, "workspace")
    install_page_errors(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(operations_router("workspace", workspace.readiness))
    if workspace.sign_in is not None:
        app.include_router(routes_auth.router)  # local demo sign-in
    else:  # people sign in through the identity provider: /login, /auth/callback, /logout
        app.state.token_verifier = TokenVerifier(settings)
        install_login(app, settings, workspace.web_sessions, lifetime=settings.session_minutes * 60)
    for module in (routes_home, routes_situations, routes_cases, routes_field, routes_audit, routes_secretariat,
                   routes_report):
        app.include_router(module.router)
    instrument_fastapi(app)
    return app


def install_language(app: FastAPI, workspace: Workspace) -> None:
    @app.middleware("http")
    async def language(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        chosen = chosen_language(request, workspace)
        token = current_language.set(chosen)
        try:
            response = await call_next(request)
        finally:
            current_language.reset(token)
        if request.query_params.get("lang") == chosen:  # remembered: in the session and for the next one
            session_id = request.cookies.get(SESSION_COOKIE)
            session = workspace.sessions.get(session_id) if session_id else None
            if session:
                session.language = chosen
            if isinstance(request.scope.get("session"), dict):
                request.scope["session"]["lang"] = chosen  # the identity provider's sign-in session
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=ONE_YEAR, httponly=True, samesite="lax")
        return response


OPERATIONS = ("/healthz", "/readyz", "/metrics")


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        if request.url.path in OPERATIONS and "x-forwarded-for" in request.headers:
            return Response(status_code=404)  # probes and scrapes come from inside, never through the Ingress
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def install_page_errors(app: FastAPI) -> None:
    async def sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        target = f"/signin?next={quote(exc.next_url, safe='')}"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    async def csrf_refused(request: Request, _: Exception) -> Response:
        renderer: Renderer = request.app.state.renderer
        return renderer.render(request, "error.html", 403, reason="csrf")

    async def api_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        renderer: Renderer = request.app.state.renderer
        reason = {404: "not_found", 403: "forbidden", 401: "expired"}.get(exc.status, "unavailable")
        if exc.status == 401:  # the token expired or was revoked: sign in again
            workspace: Workspace = request.app.state.workspace
            return RedirectResponse("/logout" if workspace.sign_in else "/login", status_code=303)
        return renderer.render(request, "error.html", exc.status if exc.status < 500 else 503, reason=reason,
                               detail=exc.detail)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(ApiProblem, api_problem)
