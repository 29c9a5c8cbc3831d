"""`create_app(settings)`: the FastAPI app; its lifespan runs the Kafka consumer, the mailer and the digests."""

from fastapi import FastAPI

from cii_platform.service_app import build_app

from ...bootstrap import NotifierService, bootstrap
from ...config import Settings
from .routes import router

DESCRIPTION = """Who is told what: from the platform's internal events, an inbox per person and e-mails
(SMTP; locally Mailpit) in the person's language, with a reference and a link into the workspace and
nothing personal. One delivery per event and person: a redelivered event sends no second e-mail."""


def create_app(settings: Settings, service: NotifierService | None = None) -> FastAPI:
    service = service or bootstrap(settings)
    assert service.runtime is not None
    app = build_app(service.runtime, title="CII notifier", description=DESCRIPTION, routers=[router])
    app.state.service = service
    return app
