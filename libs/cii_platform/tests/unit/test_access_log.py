"""The access log: one JSON line per API request, inside the request's span, with the route's template."""

import json
import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cii_platform.http import install_request_metrics
from cii_platform.telemetry.logs import JsonFormatter
from cii_platform.telemetry.tracing import configure_tracing, instrument_fastapi

pytestmark = pytest.mark.unit
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter("test"))
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_a_request_is_logged_with_its_trace_id_and_route_template_not_its_path() -> None:
    configure_tracing("test")
    app = FastAPI()
    install_request_metrics(app, "test")

    @app.get("/api/v1/things/{thing_id}")
    def thing(thing_id: str) -> dict[str, str]:
        return {}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {}

    instrument_fastapi(app)
    lines = Lines()
    access = logging.getLogger("cii.access")
    access.addHandler(lines)
    access.setLevel(logging.INFO)  # services run with the root at INFO; pytest leaves it at WARNING
    try:
        with TestClient(app) as client:
            client.get("/api/v1/things/756.1234.5678.97",
                       headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
            client.get("/healthz")
    finally:
        access.removeHandler(lines)
        access.setLevel(logging.NOTSET)
    assert len(lines.lines) == 1, lines.lines
    [entry] = lines.lines
    assert entry["trace_id"] == TRACE_ID
    assert entry["route"] == "/api/v1/things/{thing_id}" and entry["status"] == 200 and entry["method"] == "GET"
    assert "756.1234" not in json.dumps(entry)

