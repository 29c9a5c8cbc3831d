"""create_app(settings): the reporting process (HTTP + Kafka consumers + outbox relay in one lifespan)."""

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from cii_platform.documents import start_warm_up
from cii_platform.service_app import build_app
from cii_platform.web.login import install_login

from ...bootstrap import Reporting, bootstrap
from ...config import Settings
from .routes import router

DESCRIPTION = ("Statistics of the CII Valais from the platform's events alone: the annual report "
               "(docs/contract.md section 8; JSON, CSV, XLSX, printable HTML), the bureau's dashboard and alerts.")


def create_app(settings: Settings, service: Reporting | None = None) -> FastAPI:
    reporting = service or bootstrap(settings)
    app = build_app(reporting.runtime, title="CII reporting", description=DESCRIPTION, routers=[router])
    app.state.reporting = reporting
    # The dashboard (GET /) signs people in through the identity provider; sessions in the service's store.
    install_login(app, settings, reporting.runtime.db["web_sessions"])

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        # The read model is folded from the store before any new event is consumed.
        await reporting.projection.load()
        async with reporting.runtime.lifespan():
            yield

    app.router.lifespan_context = lifespan
    start_warm_up()  # the annual report prints at once from the first request
    return app
