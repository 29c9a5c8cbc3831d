"""The OpenAPI document every service serves tells the truth about errors (docs/contract.md 7).

FastAPI documents only its own `{detail: [...]}` 422. The servers answer every error as RFC 9457 problem
details (`application/problem+json`, `cii_platform.http.Problem`), and can answer:
- 400 when a body cannot be decoded (not UTF-8, not JSON);
- 401 with `WWW-Authenticate: Bearer` on every route that takes a token, 403 when the role does not allow it;
- 404 for a resource that does not exist or belongs to another institution (routes with a path parameter,
  and writes that name another resource in their body);
- 409 when a write does not fit the resource's current state;
- 422 for invalid fields and unknown query parameters, naming each;
- 503 when the store (or, for writes, Kafka) is unreachable.
Done once here, from each route's shape, so that every service (and every future one) documents the same.
A route that documents more (its own `responses=`) keeps it.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .http import HTTP_TITLES, PROBLEM_JSON, UNAUTHORIZED_HEADERS, Problem

REF = "#/components/schemas/{model}"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WRITES = {"post", "put", "patch", "delete"}
FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")

# A route whose body is validated by hand (for context-dependent rules) documents its model here:
# `openapi_extra=documented_body(Model)`; the document then shows the model, not a free object.
BODY_MODEL_KEY = "x-cii-body-model"
_body_models: dict[str, type[BaseModel]] = {}


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    _body_models[model.__name__] = model
    return {BODY_MODEL_KEY: model.__name__}


def _problem(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or HTTP_TITLES[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": REF.format(model="Problem")}}}}
    if status == 401:
        response["headers"] = {name: {"description": "the scheme to use: a bearer token", "required": True,
                                      "schema": {"type": "string", "pattern": "^Bearer"}}
                               for name in UNAUTHORIZED_HEADERS}
    return response


def problem_responses(**descriptions: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a status only some routes answer: `problem_responses(status_410="...")`."""
    return {int(name.removeprefix("status_")): _problem(int(name.removeprefix("status_")), text)
            for name, text in descriptions.items()}


def _error_statuses(path: str, method: str, operation: dict[str, Any]) -> dict[int, str]:
    protected = bool(operation.get("security"))
    statuses = {422: "invalid fields or unknown query parameters, each named in `errors`"}
    if "requestBody" in operation:
        statuses[400] = "the body cannot be decoded (not UTF-8 or not JSON)"
    if protected:
        statuses[401] = "no token, or an invalid or expired one"
        statuses[403] = "the token's institution or role does not allow this"
        if "{" in path or method in WRITES:
            statuses[404] = "no such resource (or another institution's)"
    if method in WRITES:
        statuses[409] = "the resource's current state does not allow this (`current_state`)"
    if path.startswith(("/api/", "/internal/")):
        statuses[503] = "the store or Kafka is unreachable; retry later"
    return statuses


# A `format` query parameter chooses the success answer's media type: each value it takes is documented.
FORMAT_MEDIA_TYPES = {"json": "application/json", "csv": "text/csv", "xlsx": XLSX_MEDIA_TYPE, "html": "text/html",
                      "pdf": "application/pdf", "fhir": "application/fhir+json"}


def _document_formats(operation: dict[str, Any]) -> None:
    formats: list[str] = []
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "query" and parameter.get("name") == "format":
            schema = parameter.get("schema", {})
            formats = schema.get("enum") or [s.get("const") for s in schema.get("anyOf", []) if "const" in s] or \
                [v for s in schema.get("anyOf", []) for v in s.get("enum", [])]
    for status, response in operation.get("responses", {}).items():
        if formats and status.startswith("2"):
            content = response.setdefault("content", {})
            for name in formats:
                content.setdefault(FORMAT_MEDIA_TYPES.get(name, "application/octet-stream"), {})


def _component_schemas(models: list[type[BaseModel]]) -> dict[str, Any]:
    _, definitions = models_json_schema([(model, "validation") for model in models], ref_template=REF)
    schemas: dict[str, Any] = definitions.get("$defs", {})
    return schemas


def correct(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_ERROR_SCHEMAS:
        schemas.pop(name, None)
    schemas.update(_component_schemas([Problem]))
    body_models: list[type[BaseModel]] = []
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if "422" in responses and "HTTPValidationError" in str(responses["422"]):
                del responses["422"]
            for status, description in _error_statuses(path, method, operation).items():
                responses.setdefault(str(status), _problem(status, description))
            _document_formats(operation)
            model_name = operation.pop(BODY_MODEL_KEY, None)
            if model_name:
                body_models.append(_body_models[model_name])
                operation["requestBody"] = {"required": True, "content": {
                    "application/json": {"schema": {"$ref": REF.format(model=model_name)}}}}
    if body_models:
        schemas.update(_component_schemas(body_models))
    return document


def install_truthful_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = correct(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes,
                servers=app.servers))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
