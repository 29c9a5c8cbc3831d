"""Recording announcements and transitions through the service layer, with in-memory adapters."""

import json

import pytest
from signalement_fakes import TODAY, Fixture, avs, payload

from cii_platform.contracts.internal_signalement import (
    SITUATION_RECORDED,
    TRANSITION_NOTIFIED,
    TRANSITION_RECORDED,
)
from cii_platform.validation import DomainValidationError
from signalement.service_layer.announcement_checks import Announcer
from signalement.service_layer.intake import SubmitSignalement
from signalement.service_layer.transitions import SignalTransition

pytestmark = pytest.mark.unit


async def record(fixture: Fixture, event_id: str = "e1", institution: str = "ORP", prefix: str = "data",
                 **overrides: object) -> str:
    return await fixture.service.intake.submit(SubmitSignalement(
        payload=payload(**overrides), announcer=Announcer(institution), event_id=event_id, field_prefix=prefix))


async def test_an_announcement_is_stored_with_computed_fields_and_sealed_identity() -> None:
    fixture = Fixture()
    situation_id = await record(fixture)
    stored = fixture.situations.documents[situation_id]
    assert (stored["status"], stored["version"], stored["public"], stored["age"]) == ("SUBMITTED", 1, "ADULT", 40)
    assert (stored["gravity_index"], stored["gravity_policy"]) == (2.5, "v1")
    assert stored["routing"]["coordinator_id"] == "coord-sion"
    assert stored["triage_due_on"] == "2026-03-24"
    assert set(stored["sealed"]) == {"IDENTITY", "SOCIAL"}
    clear = json.dumps(stored, default=str)
    # Hyphenated names: base64 ciphertext can never contain them by chance.
    for secret in ("Rey-Zufferey", "Anne-Lise", avs(1), "lives alone", "1985-04-02"):
        assert secret not in clear
    assert stored["sealed"]["IDENTITY"]["key_id"].endswith("/IDENTITY/ORP")  # the announcer's own key
    [event] = fixture.situations.events(SITUATION_RECORDED)
    assert event["event"]["data"]["situation_id"] == situation_id and event["key"] == situation_id


async def test_resubmission_is_a_new_version_and_redelivery_changes_nothing() -> None:
    fixture = Fixture()
    first = await record(fixture, "e1")
    assert await record(fixture, "e1") == first
    second = await record(fixture, "e2", risk_factors=["HEALTH"], situation_type="NETWORK")
    assert second == first and len(fixture.situations.documents) == 1
    stored = fixture.situations.documents[first]
    assert stored["version"] == 2 and stored["situation_type"] == "NETWORK"
    assert [v["situation_type"] for v in stored["versions"]] == ["COMPLEX", "NETWORK"]
    assert len(fixture.situations.events(SITUATION_RECORDED)) == 2


async def test_a_rejected_announcement_stores_nothing_and_names_every_field() -> None:
    fixture = Fixture()
    with pytest.raises(DomainValidationError) as raised:
        await record(fixture, follow_up_started_on="2026-04-01", public="YOUNG")
    assert [e.field for e in raised.value.errors] == ["data.follow_up_started_on", "data.public"]
    assert fixture.situations.documents == {} and fixture.custody.keys == {}


async def test_http_errors_are_named_without_prefix() -> None:
    fixture = Fixture()
    with pytest.raises(DomainValidationError) as raised:
        await record(fixture, prefix="", follow_up_started_on="2026-04-01")
    assert [e.field for e in raised.value.errors] == ["follow_up_started_on"]


async def test_a_second_open_situation_of_the_same_person_is_linked_not_merged() -> None:
    fixture = Fixture()
    first = await record(fixture, "e1")
    second = await record(fixture, "e2", institution="CMS", external_ref="CMS-9", co_following=[])
    assert first != second
    assert fixture.situations.documents[second]["linked_at_recording"] == [first]


async def test_private_announcement_is_counted_as_private() -> None:
    fixture = Fixture()
    command = SubmitSignalement(
        payload=payload(announcer={"collaborator": "a", "respondent": "b", "private_person": True},
                        person={"birth_date": "2008-05-01"}),
        announcer=Announcer("T1", private_allowed=True), event_id="h1")
    stored = fixture.situations.documents[await fixture.service.intake.submit(command)]
    assert (stored["institution"], stored["recorded_by"], stored["public"]) == ("PRIVATE", "T1", "YOUNG")
    assert stored["routing"]["coordinator_id"] == "coord-jeunes" and stored["themes"] == ["YOUNG"]


async def test_an_erased_person_cannot_be_announced_again() -> None:
    fixture = Fixture()
    fixture.custody.erased.add(fixture.pseudonymizer.person(avs(1)))
    with pytest.raises(DomainValidationError) as raised:
        await record(fixture)
    assert [e.field for e in raised.value.errors] == ["data.person"]


async def test_a_transition_is_pseudonymised_published_and_notified_once() -> None:
    fixture = Fixture()
    command = SignalTransition(from_institution="OASI", from_unit="BIP", transition_id="t-1",
                               to_institution="ORP", signaled_on=TODAY, avs_number=avs(7))
    first = await fixture.service.transitions.signal(command)
    assert await fixture.service.transitions.signal(command) == first
    [stored] = fixture.transitions.documents.values()
    types = [(e["topic"], e["event"]["type"]) for e in stored["outbox"]]
    assert types == [("cii.internal.signalement.v1", TRANSITION_RECORDED), ("cii.outbound.orp", TRANSITION_NOTIFIED)]
    assert avs(7) not in json.dumps(stored, default=str)
    assert stored["outbox"][1]["event"]["data"]["person_pseudonym"] == fixture.pseudonymizer.person(avs(7))


async def test_a_transition_to_oneself_or_in_the_future_is_rejected() -> None:
    fixture = Fixture()
    command = SignalTransition(from_institution="ORP", from_unit="X", transition_id="t-2", to_institution="ORP",
                               signaled_on=TODAY.replace(year=2027), avs_number=avs(7))
    with pytest.raises(DomainValidationError) as raised:
        await fixture.service.transitions.signal(command)
    assert [e.field for e in raised.value.errors] == ["data.to_institution", "data.signaled_on", "data.unit"]
    assert fixture.transitions.documents == {}
