"""Swiss social security numbers (AHVN13): `756.XXXX.XXXX.XX` with an EAN-13 check digit."""

import re
from typing import Annotated

from pydantic import AfterValidator

_AVS_PATTERN = re.compile(r"^756\.\d{4}\.\d{4}\.\d{2}$")


def ean13_check_digit(first_twelve_digits: str) -> int:
    weighted = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve_digits))
    return (10 - weighted % 10) % 10


def normalise_avs(avs_number: str) -> str:
    """The 13 digits alone: the form that pseudonyms are computed on."""
    return avs_number.replace(".", "").strip()


def validate_avs(avs_number: str) -> str:
    if not _AVS_PATTERN.match(avs_number):
        raise ValueError("must be written 756.XXXX.XXXX.XX")
    digits = normalise_avs(avs_number)
    if ean13_check_digit(digits[:12]) != int(digits[12]):
        raise ValueError("wrong check digit (EAN-13)")
    return avs_number


def format_avs(first_twelve_digits: str) -> str:
    """Complete 12 digits starting with 756 into a valid, formatted AVS number (tests, demo data)."""
    digits = first_twelve_digits + str(ean13_check_digit(first_twelve_digits))
    return f"{digits[:3]}.{digits[3:7]}.{digits[7:11]}.{digits[11:]}"


AvsNumber = Annotated[str, AfterValidator(validate_avs)]
