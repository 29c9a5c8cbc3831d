"""Field types shared by the contract models."""

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo

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
# A party of a procuration: an institution, or the CII bureau, which the CII's procuration names (seed 001
# section 6: the case manager has the procuration renewed; seed 002 5.12: exchanges under the procuration).
PROCURATION_BODIES = frozenset({"BUREAU"})


def _check_party(code: str, info: ValidationInfo) -> str:
    return code if code in PROCURATION_BODIES else _check_institution(code, info)


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


IsoDate = date
