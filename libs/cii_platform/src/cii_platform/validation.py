"""Turn validation failures into the per-field errors that docs/contract.md answers with."""

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from .contracts.outbound import FieldError


class DomainValidationError(Exception):
    """Business rules broken by an otherwise well-formed payload; names every offending field."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


def error(field: str, message: str) -> FieldError:
    return FieldError(field=field, message=message)


def field_path(location: Sequence[int | str], prefix: str = "") -> str:
    # A path parameter is named alone ("year"); query parameters keep their "query." prefix.
    location = list(location[1:]) if location[:1] == ["path"] or tuple(location[:1]) == ("path",) else location
    parts = [str(p) for p in location if p not in ("body",)]
    path = ".".join(parts)
    return f"{prefix}.{path}" if prefix and path else (prefix or path)


def field_errors(exc: ValidationError, prefix: str = "") -> list[FieldError]:
    return errors_from_details(exc.errors(include_url=False), prefix)


def errors_from_details(details: Sequence[Any], prefix: str = "") -> list[FieldError]:
    """Pydantic error details (also FastAPI's request validation errors) -> one FieldError each."""
    errors = []
    for detail in details:
        message = str(detail["msg"]).removeprefix("Value error, ")
        location = list(detail["loc"])
        # Model-level checks name their field in the message: "valid_until: must be after valid_from".
        if ": " in message and not location:
            name, message = message.split(": ", 1)
            location = [name]
        elif ": " in message and message.split(": ", 1)[0].isidentifier():
            name, message = message.split(": ", 1)
            location = [*location, name]
        errors.append(error(field_path(location, prefix), message))
    return errors
