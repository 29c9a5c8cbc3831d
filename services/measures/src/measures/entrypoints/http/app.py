"""The measures service's FastAPI app: HTTP routes, with Kafka consumers and relays in its lifespan."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from cii_platform.documents import start_warm_up
from cii_platform.http import Problem, problem_response
from cii_platform.security.custody import KeyErased
from cii_platform.service_app import build_app
from cii_platform.settings import ServiceSettings

from ...bootstrap import MeasuresService, bootstrap
from ...config import Settings
from . import routes_bureau, routes_case, routes_measures

DESCRIPTION = (
    "The five CII measures (TRO, assessment, coaching ORP-CMS, case management, medical mandate): lifecycle, "
    "case management (objectives contract, meetings, reviews, alerts), closure letters, costs, disagreements.")


def create_app(settings: ServiceSettings, service: MeasuresService | None = None) -> FastAPI:
    assert isinstance(settings, Settings)
    service = service or bootstrap(settings)
    app = build_app(service.runtime, title="CII Valais - measures", description=DESCRIPTION,
                    routers=[routes_measures.router, routes_case.router, routes_bureau.router])
    app.state.measures = service.context
    app.add_exception_handler(KeyErased, person_erased)
    start_warm_up()  # the letters, contracts and invitations print at once from the first request
    return app


async def person_erased(_: Request, __: Exception) -> JSONResponse:
    """Free text about an erased person can be neither sealed nor read any more."""
    return problem_response(Problem(status=410, title="Gone", detail="the person's data was erased"))
