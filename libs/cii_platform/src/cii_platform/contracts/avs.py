"""Swiss social security numbers (AHVN13): `756.XXXX.XXXX.XX` with an EAN-13 check digit.

The check itself is python-stdnum's (`stdnum.ch.ssn`): a maintained library that knows the number's rules
(length, the 756 country prefix, the EAN-13 check digit) and is used by other Swiss registers, rather than
our own arithmetic. The contract additionally requires the written form with dots (docs/contract.md 5),
which stdnum accepts among others, so the pattern is checked first.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, Field
from stdnum import ean
from stdnum.ch import ssn
from stdnum.exceptions import InvalidChecksum, ValidationError

AVS_PATTERN = r"^756\.\d{4}\.\d{4}\.\d{2}$"
_AVS_PATTERN = re.compile(AVS_PATTERN)


def normalise_avs(avs_number: str) -> str:
    """The 13 digits alone: the form that pseudonyms are computed on."""
    return ssn.compact(avs_number)


def validate_avs(avs_number: str) -> str:
    if not _AVS_PATTERN.match(avs_number):
        raise ValueError("must be written 756.XXXX.XXXX.XX")
    try:
        ssn.validate(avs_number)
    except InvalidChecksum as exc:
        raise ValueError("wrong check digit (EAN-13)") from exc
    except ValidationError as exc:
        raise ValueError(f"not a valid AVS number: {exc}") from exc
    return avs_number


def format_avs(first_twelve_digits: str) -> str:
    """Complete 12 digits starting with 756 into a valid, formatted AVS number (tests, demo data)."""
    return str(ssn.format(first_twelve_digits + ean.calc_check_digit(first_twelve_digits)))


# The pattern is published in the JSON Schema (OpenAPI, AsyncAPI) but checked by validate_avs, whose
# messages say what is wrong.
AvsNumber = Annotated[str, AfterValidator(validate_avs), Field(json_schema_extra={"pattern": AVS_PATTERN})]
