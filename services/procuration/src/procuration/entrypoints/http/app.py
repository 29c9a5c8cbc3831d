"""The FastAPI app of the procuration service: HTTP routes, Kafka consumers and background jobs
all run in this one process (the runtime's lifespan)."""

from fastapi import FastAPI

from cii_platform.documents import start_warm_up
from cii_platform.service_app import build_app
from cii_platform.settings import ServiceSettings

from ...bootstrap import ProcurationService, bootstrap
from ...config import Settings
from . import routes_decisions, routes_internal, routes_persons, routes_procurations
from .token_cache import CachingTokenVerifier

DESCRIPTION = """Consent registry (procurations, FHIR Consent export), consent decisions (PDP),
consent-gated data exchange (PEP), key custody and the tamper-evident audit log of the CII Valais."""


def create_app(settings: ServiceSettings, service: ProcurationService | None = None) -> FastAPI:
    assert isinstance(settings, Settings)
    service = service or bootstrap(settings)
    app = build_app(service.runtime, title="CII procuration service", description=DESCRIPTION, routers=[
        routes_procurations.router, routes_decisions.router, routes_persons.router, routes_internal.router])
    app.state.procuration = service
    app.state.token_verifier = CachingTokenVerifier(service.runtime.token_verifier)
    start_warm_up()  # the access report prints at once from the first request
    return app
