"""`create_app(settings)`: the FastAPI app; its lifespan runs the Kafka consumers and the outbox relay."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cii_platform.http import ProblemError, conflict, forbidden, not_found, problem_response
from cii_platform.service_app import build_app

from ...bootstrap import SignalementService, bootstrap
from ...config import Settings
from ...domain.status import InvalidTransition
from ...service_layer.access import NotAllowed, SituationNotFound
from .routes import router

DESCRIPTION = """Where a situation enters the CII: announcements (also from `cii.inbound.<code>`), gravity
index, routing to the coordinators, triage, network transitions. Personal data are sealed under the
person's keys held by the procuration service; every read of them is authorized and audited."""


def create_app(settings: Settings, service: SignalementService | None = None) -> FastAPI:
    service = service or bootstrap(settings)
    assert service.runtime is not None
    app = build_app(service.runtime, title="CII signalement", description=DESCRIPTION, routers=[router])
    app.state.service = service
    install_domain_errors(app)
    return app


def install_domain_errors(app: FastAPI) -> None:
    def problem(exc: ProblemError) -> JSONResponse:
        return problem_response(exc.problem)

    async def on_not_found(_: Request, exc: Exception) -> JSONResponse:
        return problem(not_found("situation"))

    async def on_not_allowed(_: Request, exc: Exception) -> JSONResponse:
        return problem(forbidden(str(exc)))

    async def on_invalid_transition(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidTransition)
        return problem(conflict(str(exc), exc.current))

    app.add_exception_handler(SituationNotFound, on_not_found)
    app.add_exception_handler(NotAllowed, on_not_allowed)
    app.add_exception_handler(InvalidTransition, on_invalid_transition)
