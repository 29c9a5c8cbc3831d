"""Field types shared by the contract models."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo

# A validation context key: the set of institution codes known to the reference data.
KNOWN_INSTITUTIONS = "known_institutions"


def _check_institution(code: str, info: ValidationInfo) -> str:
    known: Any = (info.context or {}).get(KNOWN_INSTITUTIONS)
    if known is not None and code not in known:
        raise ValueError(f"unknown institution code {code!r}")
    return code


InstitutionCode = Annotated[
    str, Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$"), AfterValidator(_check_institution)
]
# The CII bureau is a party of the CII procuration like the institutions (it reads identity and free text
# only under it): a procuration's parties are institution codes or BUREAU.
BUREAU_PARTY = "BUREAU"


def _check_party(code: str, info: ValidationInfo) -> str:
    return code if code == BUREAU_PARTY else _check_institution(code, info)


PartyCode = Annotated[
    str, Field(min_length=1, max_length=20, pattern=r"^[A-Z0-9_]+$"), AfterValidator(_check_party)
]
Text = Annotated[str, Field(min_length=1, max_length=10_000)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:/-]+$")]
Sha256Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


def no_repeats(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("must not contain the same code twice")
    return values


def not_empty(values: list[Any]) -> list[Any]:
    if not values:
        raise ValueError("must list at least one code")
    return values


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _written_as_iso_date(value: Any) -> Any:
    """Pydantic would also take a number (`0`, a Unix time) or `2024-01-01T00:00` for a date: the contract and
    the documents say YYYY-MM-DD, so that is all a date field (or query parameter) accepts."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DATE.match(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_written_as_iso_date)]
