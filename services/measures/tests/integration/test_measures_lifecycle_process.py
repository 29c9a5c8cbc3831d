"""The measure lifecycle through HTTP, with situations from Kafka and events on Kafka (real services)."""

from datetime import date

import httpx
import pytest
from measures_helpers import (
    MEASURES,
    call,
    client,
    events_of,
    publish_procuration_status,
    publish_situation,
    publish_triage,
    request_when_known,
    situation_recorded,
)

from cii_platform.contracts import internal_measures as ev
from cii_platform.contracts.internal_procuration import PROCURATION_EXPIRED as EXPIRED
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


async def test_a_tro_is_scheduled_held_and_its_outcome_creates_case_management(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    """Seed 001, sections 5.3 and 5.4: only the coordinator of the region (or theme), or the cantonal
    officer, schedules and holds a TRO; the announcer who requested it gets 403."""
    situation = situation_recorded()
    await publish_situation(upstream, situation)
    orp = client(measures_platform, "ORP", "field_worker")
    tro_id = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "TRO",
                                            "requested_on": "2026-04-01"})
    requested = await events_of(measures_events, ev.MEASURE_REQUESTED, measure_id=tro_id)
    assert requested[0]["requested_by"] == "ORP" and requested[0]["type"] == "TRO"
    assert requested[0]["situation_id"] == situation.situation_id and requested[0]["region"] == "SION"
    # Seed 001, sections 5.3 and 5.4: the region's (or theme's) coordinator organises and conducts the TRO.
    coordinator = client(measures_platform, "BUREAU", "coordinator", region="SION")
    for outsider in (orp, client(measures_platform, "BUREAU", "coordinator", region="MONTHEY")):
        refused = await call(outsider, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-04-10"})
        assert refused.status_code in (403, 404)
    assert (await call(orp, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-04-10"})).status_code == 403
    await wrong_steps_change_nothing(coordinator, tro_id)
    await schedule_with_participants(coordinator, measures_events, tro_id)
    assert (await call(orp, "POST", f"{MEASURES}/{tro_id}/hold", {"held_on": "2026-04-10"})).status_code == 403
    follow_up_id = await hold_recommending_case_management(coordinator, measures_events, tro_id)
    follow_up = (await call(orp, "GET", f"{MEASURES}/{follow_up_id}")).json()
    assert follow_up["status"] == "requested" and follow_up["requested_on"] == "2026-04-10"
    assert follow_up["origin_measure_id"] == tro_id
    closing_tro = await call(orp, "POST", f"{MEASURES}/{tro_id}/close",
                             {"closed_on": "2026-04-11", "reinsertion": False})
    assert closing_tro.status_code == 409 and closing_tro.json()["current_state"] == "held"


async def wrong_steps_change_nothing(orp: httpx.Client, tro_id: str) -> None:
    wrong = await call(orp, "POST", f"{MEASURES}/{tro_id}/start", {"started_on": "2026-04-02"})
    assert wrong.status_code == 409 and wrong.json()["current_state"] == "requested"
    early = await call(orp, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-03-01", "participants": []})
    assert early.status_code == 422 and [e["field"] for e in early.json()["errors"]] == ["date"]
    unknown = await call(orp, "POST", f"{MEASURES}/{tro_id}/schedule",
                         {"date": "2026-04-10", "participants": [{"institution": "NOPE"}]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "participants.0.institution"
    assert (await call(orp, "GET", f"{MEASURES}/{tro_id}")).json()["status"] == "requested"


async def schedule_with_participants(orp: httpx.Client, events: TopicReader, tro_id: str) -> None:
    scheduled = await call(orp, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-04-08", "participants": [
        {"institution": "ORP", "person_name": "A. Conseiller", "role": "conseiller"}, {"institution": "CMS"}]})
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    assert (await events_of(events, ev.MEASURE_SCHEDULED, measure_id=tro_id))[0]["participants"] == ["CMS", "ORP"]
    moved = await call(orp, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-04-10"})  # keeps the participants
    assert moved.status_code == 200 and moved.json()["status"] == "scheduled"
    schedules = await events_of(events, ev.MEASURE_SCHEDULED, count=2, measure_id=tro_id)
    assert [(s["date"], s["participants"]) for s in schedules] == [
        ("2026-04-08", ["CMS", "ORP"]), ("2026-04-10", ["CMS", "ORP"])]
    too_early = await call(orp, "POST", f"{MEASURES}/{tro_id}/hold", {"held_on": "2026-04-09"})
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["field"] == "held_on"


async def hold_recommending_case_management(orp: httpx.Client, events: TopicReader, tro_id: str) -> str:
    held = await call(orp, "POST", f"{MEASURES}/{tro_id}/hold", {"held_on": "2026-04-10", "outcome": {
        "recommended_measure": "CASE_MANAGEMENT", "notes": "Situation complexe, suivi coordonné"}})
    assert held.status_code == 200
    view = held.json()
    assert view["status"] == "held"
    assert view["outcome"] == {"recommended_measure": "CASE_MANAGEMENT", "notes_recorded": True}
    held_event = (await events_of(events, ev.MEASURE_HELD, measure_id=tro_id))[0]
    assert held_event["held_on"] == "2026-04-10" and held_event["recommended_measure"] == "CASE_MANAGEMENT"
    assert "suivi coordonné" not in str(held_event)  # free text never travels
    created = await events_of(events, ev.MEASURE_REQUESTED, measure_id=view["follow_up_measure_id"])
    assert created[0]["type"] == "CASE_MANAGEMENT" and created[0]["origin_measure_id"] == tro_id
    return str(view["follow_up_measure_id"])


async def test_a_measure_for_an_unknown_or_rejected_situation_is_refused(
        measures_platform: LocalPlatform, upstream: InstitutionClient) -> None:
    orp = client(measures_platform, "ORP", "field_worker")
    unknown = await call(orp, "POST", MEASURES, {"situation_id": "s-nope", "type": "TRO",
                                                 "requested_on": "2026-04-01"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "situation_id"
    bad = await call(orp, "POST", MEASURES, {"situation_id": "s-nope", "type": "LUNCH", "requested_on": "x"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"type", "requested_on"}

    situation = situation_recorded()
    await publish_situation(upstream, situation)
    await request_when_known(orp, {"situation_id": situation.situation_id, "type": "COACHING_ORP_CMS",
                                   "requested_on": "2026-03-05"})
    await publish_triage(upstream, situation.situation_id, "REJECT")
    for _ in range(100):
        rejected = await call(orp, "POST", MEASURES, {"situation_id": situation.situation_id, "type": "TRO",
                                                      "requested_on": "2026-04-01"})
        if rejected.status_code == 422:
            break
    assert rejected.status_code == 422 and rejected.json()["errors"][0]["field"] == "situation_id"
    assert "rejected" in rejected.json()["errors"][0]["message"]


async def test_a_coaching_closed_as_last_measure_closes_the_situation(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    situation = situation_recorded(region="HAUT_VALAIS")
    await publish_situation(upstream, situation)
    cms = client(measures_platform, "CMS", "field_worker")
    orp = client(measures_platform, "ORP", "field_worker")
    coaching = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "COACHING_ORP_CMS",
                                              "requested_on": "2026-03-05"})
    assert (await call(cms, "GET", f"{MEASURES}/{coaching}")).status_code == 404  # not a participant
    started = await call(orp, "POST", f"{MEASURES}/{coaching}/start", {"started_on": "2026-03-06"})
    assert started.status_code == 200
    assert (await events_of(measures_events, ev.MEASURE_STARTED, measure_id=coaching))[0]["started_on"] == "2026-03-06"
    before_start = await call(orp, "POST", f"{MEASURES}/{coaching}/close",
                              {"closed_on": "2026-03-01", "reinsertion": True})
    assert before_start.status_code == 422 and before_start.json()["errors"][0]["field"] == "closed_on"
    not_bool = await call(orp, "POST", f"{MEASURES}/{coaching}/close", {"closed_on": "2026-06-30",
                                                                        "reinsertion": "maybe"})
    assert not_bool.status_code == 422 and not_bool.json()["errors"][0]["field"] == "reinsertion"
    await close_the_last_measure(orp, measures_events, coaching, situation.situation_id)


async def close_the_last_measure(orp: httpx.Client, events: TopicReader, coaching: str, situation_id: str) -> None:
    closed = await call(orp, "POST", f"{MEASURES}/{coaching}/close", {"closed_on": "2026-06-30", "reinsertion": True})
    assert closed.status_code == 200 and closed.json()["reinsertion"] is True
    closed_event = (await events_of(events, ev.MEASURE_CLOSED, measure_id=coaching))[0]
    assert (closed_event["closed_on"], closed_event["reinsertion"], closed_event["type"]) == (
        "2026-06-30", True, "COACHING_ORP_CMS")
    situation_closed = await events_of(events, ev.SITUATION_CLOSED, situation_id=situation_id)
    assert situation_closed[0]["closed_on"] == "2026-06-30"
    assert set(situation_closed[0]["network"]) >= {"ORP", "CMS", "BUREAU"}
    letter = await call(orp, "GET", f"{MEASURES}/{coaching}/closure-letter")
    assert letter.status_code == 403  # no sealed identity came with this situation: the letter has no addressee
    after = await call(orp, "POST", MEASURES, {"situation_id": situation_id, "type": "TRO",
                                               "requested_on": date(2026, 7, 1).isoformat()})
    assert after.status_code == 422 and "closed" in after.json()["errors"][0]["message"]


async def test_an_expired_procuration_raises_an_alert_on_each_open_situation_of_the_person(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    first = situation_recorded(region="SIERRE")
    second = situation_recorded(region="MONTHEY", person_pseudonym=first.person_pseudonym)
    for situation in (first, second):
        await publish_situation(upstream, situation)
    orp = client(measures_platform, "ORP", "field_worker")
    await request_when_known(orp, {"situation_id": second.situation_id, "type": "TRO", "requested_on": "2026-04-01"})
    await publish_procuration_status(upstream, EXPIRED, first.person_pseudonym, date(2026, 9, 1))
    for situation in (first, second):
        alert_id = f"PROCURATION_EXPIRED:{situation.situation_id}"
        raised = await events_of(measures_events, ev.ALERT_RAISED, alert_id=alert_id)
        assert raised[0]["kind"] == "PROCURATION_EXPIRED" and raised[0]["due_on"] == "2026-09-01"
        assert raised[0]["region"] == situation.region
    monthey = client(measures_platform, "BUREAU", "coordinator", region="MONTHEY")
    query = f"/api/v1/alerts?kind=PROCURATION_EXPIRED&situation_id={second.situation_id}"
    listed = (await call(monthey, "GET", query)).json()
    assert listed["total"] == 1 and listed["items"][0]["situation_id"] == second.situation_id
    assert (await call(monthey, "GET", f"/api/v1/alerts?situation_id={first.situation_id}")).json()["total"] == 0


async def test_the_situation_projection_keeps_the_newest_announcement(
        measures_platform: LocalPlatform, upstream: InstitutionClient) -> None:
    first = situation_recorded(region="SION")
    second = first.model_copy(update={"version": 2, "region": "MONTHEY"})
    for version in (first, second, first):  # a redelivered older version changes nothing
        await publish_situation(upstream, version)
    coordinator = client(measures_platform, "BUREAU", "coordinator", region="MONTHEY")
    measure_id = await request_when_known(coordinator, {"situation_id": first.situation_id, "type": "TRO",
                                                        "requested_on": "2026-04-01", "requested_by": "ORP"})
    view = (await call(coordinator, "GET", f"{MEASURES}/{measure_id}")).json()
    assert view["region"] == "MONTHEY" and view["requested_by"] == "ORP"
    sion = client(measures_platform, "BUREAU", "coordinator", region="SION")
    assert (await call(sion, "GET", f"{MEASURES}/{measure_id}")).status_code == 404
