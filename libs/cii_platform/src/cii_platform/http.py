"""FastAPI pieces every service uses: problem+json errors, bearer auth, paging, health and metrics."""

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ValidationError

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


def problem_response(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=problem.status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return problem_response(exc.problem)

    async def on_request_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
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

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        return problem_response(Problem(status=exc.status_code, title=str(exc.detail)))

    async def on_unavailable(_: Request, exc: Exception) -> JSONResponse:
        return problem_response(Problem(status=503, title="Service Unavailable",
                                        detail=f"a dependency is unavailable, retry later ({type(exc).__name__})"))

    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_request_validation)
    app.add_exception_handler(ValidationError, on_pydantic)
    app.add_exception_handler(DomainValidationError, on_domain)
    app.add_exception_handler(HTTPException, on_http)
    for transient in TRANSIENT_ERRORS:
        app.add_exception_handler(transient, on_unavailable)  # type: ignore[arg-type]


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


def install_request_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.http_requests.labels(service, request.method, route, str(response.status_code)).inc()
        metrics.http_latency.labels(service, route).observe(time.perf_counter() - started)
        return response
