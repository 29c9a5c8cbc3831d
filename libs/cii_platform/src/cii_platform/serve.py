"""Run a service process: JSON logs, tracing, uvicorn with graceful shutdown on SIGTERM."""

from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

from .settings import ServiceSettings
from .telemetry.logs import configure_logging
from .telemetry.tracing import configure_tracing


def serve(settings: ServiceSettings, create_app: Callable[[ServiceSettings], FastAPI]) -> None:
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(f"cii-{settings.service_name}")
    app = create_app(settings)
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, timeout_graceful_shutdown=30)
