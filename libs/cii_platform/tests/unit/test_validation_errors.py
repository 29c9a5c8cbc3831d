"""Every invalid field is named, including the ones a model-level check reports."""

import pytest
from pydantic import ValidationError

from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.inbound import Announcer, ProcurationSigned
from cii_platform.validation import errors_from_details, field_errors

pytestmark = pytest.mark.unit


def signed(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "procuration_id": "p-1", "person": {"avs_number": format_avs("756123456789"), "last_name": "A",
                                            "first_name": "B", "birth_date": "1980-01-01"},
        "signed_on": "2024-01-01", "valid_from": "2024-01-01", "valid_until": "2025-01-01",
        "parties": ["ORP"], "categories": ["SOCIAL"], "purposes": ["CII_COORDINATION"], "document_sha256": "a" * 64}
    body.update(changes)
    return body


def test_model_level_checks_name_their_field_under_the_prefix() -> None:
    with pytest.raises(ValidationError) as caught:
        ProcurationSigned.model_validate(signed(valid_until="2023-01-01"))
    assert [(e.field, e.message) for e in field_errors(caught.value, "data")] == [
        ("data.valid_until", "must be after valid_from")]


def test_each_wrong_field_is_named_once() -> None:
    with pytest.raises(ValidationError) as caught:
        ProcurationSigned.model_validate(signed(parties=["ORP", "ORP"], document_sha256="nope",
                                                person={"avs_number": "756.1234.5678.90", "last_name": "A",
                                                        "first_name": "B", "birth_date": "1980-01-01"}))
    fields = sorted(e.field for e in field_errors(caught.value))
    assert fields == ["document_sha256", "parties", "person.avs_number"]


def test_request_validation_details_drop_the_body_location() -> None:
    details = [{"loc": ("body",), "msg": "Value error, valid_until: must be after valid_from"},
               {"loc": ("body", "person", "avs_number"), "msg": "Value error, wrong check digit (EAN-13)"}]
    assert [(e.field, e.message) for e in errors_from_details(details)] == [
        ("valid_until", "must be after valid_from"), ("person.avs_number", "wrong check digit (EAN-13)")]


def test_a_yes_no_field_takes_only_true_or_false() -> None:
    for guess in ("yes", 0, "true"):
        with pytest.raises(ValidationError) as caught:
            Announcer.model_validate({"collaborator": "a", "respondent": "b", "private_person": guess})
        assert [e.field for e in field_errors(caught.value, "announcer")] == ["announcer.private_person"]
    assert Announcer.model_validate({"collaborator": "a", "respondent": "b", "private_person": True}).private_person
