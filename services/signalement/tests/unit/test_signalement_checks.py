"""Business validation of an announcement: every wrong field named, all at once."""

import pytest
from pydantic import ValidationError
from signalement_fakes import REFERENCE, TODAY, announcement, avs, payload

from cii_platform.contracts.inbound import SignalementSubmitted
from signalement.service_layer.announcement_checks import Announcer, announcement_errors

pytestmark = pytest.mark.unit
ORP = Announcer("ORP")


def fields(submitted: SignalementSubmitted, announcer: Announcer = ORP) -> list[str]:
    return [e.field for e in announcement_errors(submitted, announcer, REFERENCE, TODAY)]


def test_a_valid_announcement_passes() -> None:
    assert fields(payload()) == []


def test_every_broken_date_rule_is_named_at_once() -> None:
    broken = payload(announced_on="2026-03-20", follow_up_started_on="2026-03-21",
                     person={"birth_date": "2027-01-01"})
    assert fields(broken) == ["announced_on", "follow_up_started_on", "person.birth_date"]


def test_young_public_outside_15_to_25() -> None:
    assert fields(payload(public="YOUNG", person={"birth_date": "1990-01-01"})) == ["public"]
    assert fields(payload(person={"birth_date": "2015-01-01"})) == ["person.birth_date"]


def test_second_circle_may_not_announce_an_adult_complex_situation() -> None:
    assert fields(payload(), Announcer("SPPA")) == ["situation_type"]
    assert fields(payload(situation_type="NETWORK"), Announcer("SPPA")) == []
    young = payload(person={"birth_date": "2008-01-01"})
    assert fields(young, Announcer("SPPA")) == []


def test_unit_must_be_one_of_the_institutions_units() -> None:
    assert fields(payload(announcer={"collaborator": "a", "respondent": "b", "unit": "BIP"}), Announcer("OASI")) == []
    assert fields(payload(announcer={"collaborator": "a", "respondent": "b", "unit": "XYZ"}),
                  Announcer("OASI")) == ["announcer.unit"]


def test_private_person_only_through_http_for_a_young_person() -> None:
    private = {"collaborator": "a", "respondent": "b", "private_person": True}
    young = payload(announcer=private, person={"birth_date": "2008-01-01"})
    assert fields(young, Announcer("ORP")) == ["announcer.private_person"]
    assert fields(young, Announcer("T1", private_allowed=True)) == []
    adult = payload(announcer=private)
    assert fields(adult, Announcer("BUREAU", private_allowed=True)) == ["public"]


def test_unknown_co_following_institution() -> None:
    assert fields(payload(co_following=["CMS", "NOPE"])) == ["co_following.1"]


def test_schema_rejects_wrong_avs_check_digit_duplicates_and_unknown_codes() -> None:
    wrong_digit = avs(1)[:-1] + str((int(avs(1)[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as raised:
        SignalementSubmitted.model_validate(announcement(
            person={"avs_number": wrong_digit, "region": "GENEVA"}, risk_factors=["HEALTH", "HEALTH"],
            employment_gap="SOMETIMES"))
    located = {".".join(str(p) for p in e["loc"]) for e in raised.value.errors()}
    assert located == {"person.avs_number", "person.region", "risk_factors", "employment_gap"}
