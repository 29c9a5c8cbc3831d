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


def command(event_id: str, institution: str = "ORP", **overrides: object) -> SubmitSignalement:
    return SubmitSignalement(payload=payload(**overrides), announcer=Announcer(institution), event_id=event_id,
                             field_prefix="data")


def comparable(document: dict[str, object]) -> str:
    """A stored situation without what differs between two recordings (sealed ciphertexts, times)."""
    stripped = {k: v for k, v in document.items() if k not in ("sealed", "versions", "outbox", "created_at",
                                                                "updated_at")}
    return json.dumps(stripped, default=str, sort_keys=True)


async def test_a_batch_records_what_one_by_one_records_in_one_insert() -> None:
    """Valid, invalid, a second situation of the same person, a resubmission and a duplicate in one batch:
    the same situations, links, versions and refusals as the one-by-one path, the new ones in one insert."""
    commands = [command("e1"), command("e2", external_ref="ORP-2"), command("e3", public="YOUNG"),
                command("e4", risk_factors=["HEALTH"]), command("e1"),
                command("e5", external_ref="ORP-9", person={"avs_number": avs(2)})]
    batched, single = Fixture(), Fixture()
    outcomes = await batched.service.intake.submit_many(commands)
    expected: list[object] = []
    for each in commands:
        try:
            expected.append(await single.service.intake.submit(each))
        except DomainValidationError as exc:
            expected.append([e.field for e in exc.errors])
    assert [[e.field for e in o.errors] if isinstance(o, DomainValidationError) else o for o in outcomes] == expected
    assert batched.situations.insert_many_calls == 1
    assert sorted(batched.situations.documents) == sorted(single.situations.documents)
    for situation_id, document in single.situations.documents.items():
        assert comparable(batched.situations.documents[situation_id]) == comparable(document)
    first, second = expected[0], expected[1]
    assert batched.situations.documents[str(second)]["linked_at_recording"] == [first]
    assert batched.situations.documents[str(first)]["version"] == 2  # e4 resubmitted ORP-1
    assert len(batched.situations.events(SITUATION_RECORDED)) == len(single.situations.events(SITUATION_RECORDED)) == 4


async def test_a_batch_refuses_an_erased_person_and_records_the_others() -> None:
    fixture = Fixture()
    fixture.custody.erased.add(fixture.pseudonymizer.person(avs(1)))
    erased, other = await fixture.service.intake.submit_many([
        command("e1"), command("e2", external_ref="ORP-2", person={"avs_number": avs(2)})])
    assert isinstance(erased, DomainValidationError) and erased.errors[0].field == "data.person"
    assert list(fixture.situations.documents) == [other]
