"""Assemble a service's FastAPI app around its runtime (used by every service's create_app)."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi_offline import FastAPIOffline

from .http import (
    Problem,
    install_problem_handlers,
    install_request_metrics,
    operations_router,
    problem_response,
    reject_unknown_query_parameters,
)
from .openapi import install_truthful_openapi
from .runtime import ServiceRuntime
from .telemetry.tracing import instrument_fastapi


def build_app(runtime: ServiceRuntime, *, title: str, description: str, routers: list[APIRouter],
              version: str = "1.0.0") -> FastAPI:
    # fastapi-offline serves Swagger UI's and ReDoc's assets from its package (pinned): /docs works without
    # internet, where FastAPI's default page loads them from a CDN.
    app = FastAPIOffline(title=title, description=description, version=version, lifespan=runtime.lifespan,
                         dependencies=[Depends(reject_unknown_query_parameters)])
    app.state.runtime = runtime
    app.state.token_verifier = runtime.token_verifier
    install_problem_handlers(app)
    install_request_metrics(app, runtime.service)
    install_fail_fast(app, runtime)
    app.include_router(operations_router(runtime.service, {
        "kafka": runtime.kafka_ready, "store": runtime.store_ready}))
    for router in routers:
        app.include_router(router)
    install_truthful_openapi(app)
    instrument_fastapi(app)
    return app


WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def install_fail_fast(app: FastAPI, runtime: ServiceRuntime) -> None:
    """During an outage the API answers 503 at once: every route without the store, writes without Kafka
    (a write accepted now could not be announced until Kafka is back; the caller retries, idempotently)."""

    @app.middleware("http")
    async def fail_fast(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        if request.url.path.startswith(("/api/", "/internal/")):
            missing = [] if runtime.health.store_up else ["store"]
            if request.method in WRITES and not runtime.health.kafka_up:
                missing.append("kafka")
            if missing:
                return problem_response(Problem(
                    status=503, title="Service Unavailable",
                    detail=f"{' and '.join(missing)} unreachable; retry later"))
        return await call_next(request)
