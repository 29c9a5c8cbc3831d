"""What the shared HTTP layer answers and documents, on a service's app in process (no infrastructure):
every error as problem+json, 401 with WWW-Authenticate, unknown query parameters refused, the documents
listing each of those (the same code serves every service; schemathesis checks the real ones in tests/api)."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cii_platform.security.keys import init_local_keys

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("keys")
    init_local_keys(home / "keys")
    monkeypatch_module.setenv("CII_DATA_DIR", str(home))
    from signalement.config import Settings
    from signalement.entrypoints.http.app import create_app

    app = create_app(Settings())
    app.state.runtime.health.store_up = app.state.runtime.health.kafka_up = True  # no outage answer (503)
    yield TestClient(app)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict = response.json()  # type: ignore[type-arg]
    assert body["status"] == status and body["title"] and isinstance(body["errors"], list)
    return body


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/nowhere"), 404)
    wrong_method = client.delete("/api/v1/signalements")
    assert_problem(wrong_method, 405)
    assert wrong_method.headers["allow"] == "GET, POST"


def test_a_401_names_the_bearer_scheme(client: TestClient) -> None:
    answer = client.get("/api/v1/signalements")
    assert_problem(answer, 401)
    assert answer.headers["www-authenticate"].startswith("Bearer")


def test_a_body_that_is_not_utf8_is_a_400_problem(client: TestClient) -> None:
    answer = client.post("/api/v1/signalements", content=b"\xff\xfe{\"a\": 1}",
                         headers={"content-type": "application/json"})
    assert_problem(answer, 400)


def test_an_unknown_query_parameter_is_a_422_naming_it(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/signalements", params={"q": "Rey"}), 422)
    assert body["errors"][0]["field"] == "query.q"


def test_every_document_lists_the_problems_each_route_can_answer() -> None:
    for service in ("signalement", "measures", "procuration", "reporting"):
        document = json.loads((ROOT / "docs" / "openapi" / f"{service}.json").read_text())
        assert "HTTPValidationError" not in json.dumps(document)
        problem = document["components"]["schemas"]["Problem"]
        assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                responses = operation["responses"]
                where = f"{service} {method.upper()} {path}"
                assert "422" in responses, where
                for status, response in responses.items():
                    if status[0] in "45":
                        assert list(response["content"]) == ["application/problem+json"], where
                if operation.get("security"):
                    assert "WWW-Authenticate" in responses["401"]["headers"], where
                    assert "403" in responses, where
                if "{" in path and operation.get("security"):
                    assert "404" in responses, where
                if "requestBody" in operation:
                    assert "400" in responses, where
                    content = operation["requestBody"]["content"]
                    if "application/json" in content:
                        assert content["application/json"]["schema"].get("$ref"), where
                    else:  # a file as is (procuration's signed form): binary, nothing else
                        assert all(c["schema"] == {"type": "string", "format": "binary"} for c in content.values())


def test_typed_bodies_and_parameters() -> None:
    procuration = json.loads((ROOT / "docs" / "openapi" / "procuration.json").read_text())
    for path, model in (("/api/v1/procurations", "ProcurationSigned"), ("/api/v1/decisions", "DecisionRequest")):
        body = procuration["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": f"#/components/schemas/{model}"}
        assert model in procuration["components"]["schemas"]
    signalement = json.loads((ROOT / "docs" / "openapi" / "signalement.json").read_text())
    person = signalement["components"]["schemas"]["AnnouncedPerson"]["properties"]["avs_number"]
    assert person["pattern"] == r"^756\.\d{4}\.\d{4}\.\d{2}$"
    reporting = json.loads((ROOT / "docs" / "openapi" / "reporting.json").read_text())
    year = next(p for p in reporting["paths"]["/api/v1/reports/annual/{year}"]["get"]["parameters"]
                if p["name"] == "year")
    assert year["schema"]["type"] == "integer"
