"""AVS numbers: checked by python-stdnum, written 756.XXXX.XXXX.XX, the pattern published in the schemas."""

import pytest
from pydantic import BaseModel, ValidationError
from stdnum.ch import ssn

from cii_platform.contracts.avs import AVS_PATTERN, AvsNumber, format_avs, normalise_avs, validate_avs
from cii_platform.contracts.inbound import AnnouncedPerson

pytestmark = pytest.mark.unit


class Holder(BaseModel):
    avs_number: AvsNumber


def test_a_valid_number_is_accepted_and_agrees_with_stdnum() -> None:
    for twelve in ("756921707698", "756100000001", "756123456789"):
        number = format_avs(twelve)
        assert ssn.is_valid(number) and validate_avs(number) == number
        assert normalise_avs(number) == ssn.compact(number)


@pytest.mark.parametrize(("number", "message"), [
    ("756.9217.0769.84", "wrong check digit"),
    ("7569217076985", "must be written 756.XXXX.XXXX.XX"),
    ("757.9217.0769.85", "must be written 756.XXXX.XXXX.XX"),
])
def test_an_invalid_number_is_refused_with_a_clear_message(number: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Holder(avs_number=number)
    assert message in str(caught.value)


def test_the_json_schema_publishes_the_written_form() -> None:
    schema = AnnouncedPerson.model_json_schema()
    assert schema["properties"]["avs_number"]["pattern"] == AVS_PATTERN
