"""Assemble a service's FastAPI app around its runtime (used by every service's create_app)."""

from fastapi import APIRouter, FastAPI

from .http import install_problem_handlers, install_request_metrics, operations_router
from .runtime import ServiceRuntime
from .telemetry.tracing import instrument_fastapi


def build_app(runtime: ServiceRuntime, *, title: str, description: str, routers: list[APIRouter],
              version: str = "1.0.0") -> FastAPI:
    app = FastAPI(title=title, description=description, version=version, lifespan=runtime.lifespan)
    app.state.runtime = runtime
    app.state.token_verifier = runtime.token_verifier
    install_problem_handlers(app)
    install_request_metrics(app, runtime.service)
    app.include_router(operations_router(runtime.service, {
        "kafka": runtime.kafka_ready, "store": runtime.store_ready}))
    for router in routers:
        app.include_router(router)
    instrument_fastapi(app)
    return app
