"""FastAPI pieces every service uses: problem+json errors, bearer auth, paging, health and metrics."""

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from .contracts.outbound import FieldError
from .messaging.reliable import TRANSIENT_ERRORS
from .security.tokens import InvalidTokenError, KeysUnavailableError, Principal, TokenVerifier
from .telemetry import metrics
from .validation import DomainValidationError, errors_from_details, field_errors

PROBLEM_JSON = "application/problem+json"
T = TypeVar("T")


class Problem(BaseModel):
    """RFC 9457 problem details, with the offending fields named in `errors`."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] = []
    current_state: str | None = None


# RFC 6750: a 401 names the scheme the caller must use.
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="cii"'}


class ProblemError(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None, *,
                 errors: list[FieldError] | None = None, current_state: str | None = None) -> None:
        super().__init__(detail or title)
        self.problem = Problem(status=status, title=title, detail=detail, errors=errors or [],
                               current_state=current_state)


def not_found(what: str = "resource") -> ProblemError:
    """Also what a caller gets for another institution's resource: 404, never 403 (docs/contract.md 7)."""
    return ProblemError(404, "Not Found", f"no such {what}")


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail)


def conflict(detail: str, current_state: str) -> ProblemError:
    return ProblemError(409, "Conflict", detail, current_state=current_state)


def unprocessable(errors: list[FieldError], detail: str = "the request has invalid fields") -> ProblemError:
    return ProblemError(422, "Unprocessable Content", detail, errors=errors)


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    if problem.status == 401:
        headers = {**UNAUTHORIZED_HEADERS, **(headers or {})}
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=problem.status, media_type=PROBLEM_JSON,
                        headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.problem)

    async def on_request_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        undecodable = [detail for detail in exc.errors() if detail.get("type") == "json_invalid"]
        if undecodable:  # not a field's fault: the body as a whole cannot be read (not UTF-8, not JSON)
            return problem_response(Problem(status=400, title="Bad Request",
                                            detail=f"the body is not UTF-8 JSON: {undecodable[0].get('ctx', {})}"))
        errors = errors_from_details(exc.errors())
        return problem_response(Problem(status=422, title="Unprocessable Content",
                                        detail="the request has invalid fields", errors=errors))

    async def on_pydantic(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ValidationError)
        return problem_response(Problem(status=422, title="Unprocessable Content",
                                        detail="the request has invalid fields", errors=field_errors(exc)))

    async def on_domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainValidationError)
        return problem_response(Problem(status=422, title="Unprocessable Content",
                                        detail="the request breaks business rules", errors=exc.errors))

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's own (unknown route, 405) as well as FastAPI's (a body that cannot be decoded).
        assert isinstance(exc, StarletteHTTPException)
        title = HTTP_TITLES.get(exc.status_code, "Error")
        detail = None if str(exc.detail) == title else str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(Problem(status=exc.status_code, title=title, detail=detail), headers=headers)

    async def on_unavailable(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(Problem(status=503, title="Service Unavailable",
                                        detail=f"a dependency is unavailable, retry later ({type(exc).__name__})"))

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(ValidationError, on_pydantic)
    app.add_exception_handler(DomainValidationError, on_domain)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for transient in TRANSIENT_ERRORS:
        app.add_exception_handler(transient, on_unavailable)  # type: ignore[arg-type]


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route at this path takes (Starlette's Allow names only the first route's)."""
    return [method for method in HTTP_METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                   for route in request.app.router.routes)]


HTTP_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 413: "Content Too Large",
               415: "Unsupported Media Type", 422: "Unprocessable Content", 503: "Service Unavailable"}


def _query_names(dependant: Any) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def _declared_query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included (computed once per route)."""
    names: frozenset[str] | None = getattr(route, "_cii_query_names", None)
    if names is None:
        names = frozenset(_query_names(route.dependant))
        route._cii_query_names = names  # type: ignore[attr-defined]
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """A misspelt or unsupported filter (`?q=Rey`) must not silently return everything: 422 naming it."""
    route = request.scope.get("route")
    # Only the documented routes (docs/contract.md 7): pages and the sign-in callback, left out of the
    # documents, take parameters set by others (the identity provider's `code`, `state`, `iss`; `lang`),
    # and a person gets no JSON error.
    if not isinstance(route, APIRoute) or not route.include_in_schema:
        return
    unknown = sorted(set(request.query_params) - _declared_query_names(route))
    if unknown:
        allowed = ", ".join(sorted(_declared_query_names(route))) or "none"
        raise unprocessable([FieldError(field=f"query.{name}", message=f"unknown query parameter (allowed: {allowed})")
                             for name in unknown], detail="the request has unknown query parameters")


_bearer = HTTPBearer(auto_error=False)


def current_principal(request: Request,
                      credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if credentials is None:
        raise ProblemError(401, "Unauthorized", "a bearer token is required")
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(credentials.credentials)
    except InvalidTokenError as exc:
        raise ProblemError(401, "Unauthorized", f"invalid token: {exc}") from exc
    except KeysUnavailableError as exc:
        raise ProblemError(503, "Service Unavailable", str(exc)) from exc


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0)] = 0) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]

ReadinessCheck = Callable[[], Awaitable[bool]]


def operations_router(service: str, checks: dict[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": service}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse({"ready": ready, "checks": results}, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


# Probes and scrapes would drown the access log.
UNLOGGED_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
access_log = logging.getLogger("cii.access")


def install_request_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.http_requests.labels(service, request.method, route, str(response.status_code)).inc()
        elapsed = time.perf_counter() - started
        metrics.http_latency.labels(service, route).observe(elapsed)
        if route not in UNLOGGED_ROUTES:
            # Inside the request's span, so the line carries its trace id. The route's template, never the
            # concrete path: a path may hold an identifier that is personal data.
            access_log.info("request handled", extra={
                "method": request.method, "route": route, "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1)})
        return response


def content_disposition(disposition: str, filename: str) -> dict[str, str]:
    """A Content-Disposition header for a file name that may hold what a caller sent (an identifier in the
    path): an ASCII fallback without quotes or controls, and the exact name RFC 5987-encoded. A header
    must be Latin-1, so a name sent as is could turn a valid request into a server error."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    encoded = quote(filename, safe="")
    return {"Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"}
