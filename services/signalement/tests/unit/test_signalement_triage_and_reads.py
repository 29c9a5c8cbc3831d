"""Triage, status changes from measures, and who reads what (object-level authorization, audit)."""

from datetime import UTC, date, datetime

import pytest
from signalement_fakes import Fixture, payload, principal

from cii_platform.contracts.codes import TriageDecision
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.internal_procuration import (
    PROCURATION_RECORDED,
    PROCURATION_SUPERSEDED,
    ProcurationRecorded,
    ProcurationStatusEvent,
)
from cii_platform.contracts.internal_signalement import (
    SITUATION_STATUS_CHANGED,
    SITUATION_TRIAGE_NOTIFIED,
    SITUATION_TRIAGED,
)
from cii_platform.validation import DomainValidationError
from signalement.domain.status import InvalidTransition
from signalement.entrypoints.kafka.subscribers import procuration_handlers
from signalement.service_layer.access import NotAllowed, SituationNotFound
from signalement.service_layer.announcement_checks import Announcer
from signalement.service_layer.intake import SubmitSignalement
from signalement.service_layer.triage import TriageSituation
from signalement.service_layer.views import SituationFilter

pytestmark = pytest.mark.unit
SION_COORDINATOR = principal("BUREAU", "coordinator", region="SION")
AT = datetime(2026, 3, 18, tzinfo=UTC)


async def announced(fixture: Fixture, **overrides: object) -> str:
    return await fixture.service.intake.submit(SubmitSignalement(
        payload=payload(**overrides), announcer=Announcer("ORP"), event_id=str(overrides)))


def triage(situation_id: str, who: object = SION_COORDINATOR, decision: TriageDecision = TriageDecision.ACCEPT_COMPLEX,
           reason: str | None = "enough risk factors") -> TriageSituation:
    return TriageSituation(situation_id=situation_id, decision=decision, reason=reason, principal=who)  # type: ignore[arg-type]


async def test_the_regions_coordinator_triages_once_and_the_announcer_is_notified() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    updated = await fixture.service.triage.triage(triage(situation_id))
    assert (updated["status"], updated["decision"]) == ("TRIAGED", "ACCEPT_COMPLEX")
    assert "enough" not in str(updated["triage"]["reason"])  # the free text is sealed
    [notice] = fixture.situations.events(SITUATION_TRIAGE_NOTIFIED)
    assert notice["topic"] == "cii.outbound.orp" and notice["event"]["data"]["decision"] == "ACCEPT_COMPLEX"
    assert len(fixture.situations.events(SITUATION_TRIAGED)) == 1
    with pytest.raises(InvalidTransition) as raised:
        await fixture.service.triage.triage(triage(situation_id))
    assert raised.value.current == "TRIAGED"


async def test_who_may_triage() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    with pytest.raises(SituationNotFound):
        await fixture.service.triage.triage(triage(situation_id, principal("BUREAU", "coordinator", region="SIERRE")))
    with pytest.raises(NotAllowed):
        await fixture.service.triage.triage(triage(situation_id, principal("ORP", "respondent")))
    with pytest.raises(DomainValidationError):
        await fixture.service.triage.triage(triage(situation_id, decision=TriageDecision.REJECT, reason=None))
    officer = principal("BUREAU", "cantonal_officer")
    assert (await fixture.service.triage.triage(triage(situation_id, officer)))["status"] == "TRIAGED"


async def test_the_theme_coordinator_triages_a_young_persons_situation() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture, person={"birth_date": "2006-01-01", "region": "MONTHEY"})
    young = principal("BUREAU", "coordinator", theme="YOUNG")
    assert (await fixture.service.triage.triage(triage(situation_id, young)))["status"] == "TRIAGED"


async def test_measures_open_and_close_the_situation_once() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    await fixture.service.lifecycle.measure_running(situation_id, "m1", AT)
    await fixture.service.lifecycle.measure_running(situation_id, "m1", AT)
    await fixture.service.lifecycle.measure_running(situation_id, "m2", AT)
    assert fixture.situations.documents[situation_id]["status"] == "OPEN"
    await fixture.service.lifecycle.situation_closed(situation_id, "c1", AT)
    await fixture.service.lifecycle.measure_running(situation_id, "m3", AT)
    assert fixture.situations.documents[situation_id]["status"] == "CLOSED"
    changes = [e["event"]["data"]["status"] for e in fixture.situations.events(SITUATION_STATUS_CHANGED)]
    assert changes == ["OPEN", "CLOSED"]


async def test_a_rejected_situation_is_not_opened_by_a_measure() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    await fixture.service.triage.triage(triage(situation_id, decision=TriageDecision.REJECT))
    await fixture.service.lifecycle.measure_running(situation_id, "m1", AT)
    assert fixture.situations.documents[situation_id]["status"] == "TRIAGED"


async def test_the_announcer_reads_the_person_the_coordinator_only_under_a_procuration() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    read = await fixture.service.views.get(principal("ORP", "respondent"), situation_id)
    assert read.opened.access == "GRANTED"
    assert read.opened.sections["IDENTITY"]["last_name"] == "Rey-Zufferey"
    assert read.opened.sections["SOCIAL"]["summary"] == "lives alone"
    without = await fixture.service.views.get(SION_COORDINATOR, situation_id)
    assert without.opened.access == "DENIED" and without.opened.sections == {}
    assert without.situation["region"] == "SION"  # the bureau triages on the pseudonymised facts
    for section in fixture.situations.documents[situation_id]["sealed"].values():
        fixture.custody.permitted.add((section["key_id"], "BUREAU"))  # the CII procuration names the bureau
    granted = await fixture.service.views.get(SION_COORDINATOR, situation_id)
    assert granted.opened.access == "GRANTED" and granted.opened.sections["SOCIAL"]["summary"] == "lives alone"
    assert [e["institution"] for e in fixture.read_log.entries] == ["ORP", "BUREAU", "BUREAU"]
    assert {r.institution for r in fixture.custody.releases} == {"ORP", "BUREAU"}


async def test_others_get_not_found_and_co_followers_need_a_procuration() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    for stranger in (principal("OAI", "respondent"), principal("BUREAU", "coordinator", region="SIERRE"),
                     principal("BUREAU", "reporting_reader"), principal("CMS", "respondent")):
        with pytest.raises(SituationNotFound):
            await fixture.service.views.get(stranger, situation_id)
    identity_key = fixture.situations.documents[situation_id]["sealed"]["IDENTITY"]["key_id"]
    fixture.custody.permitted.add((identity_key, "CMS"))  # a procuration for IDENTITY, not SOCIAL
    read = await fixture.service.views.get(principal("CMS", "respondent"), situation_id)
    assert read.opened.access == "GRANTED" and set(read.opened.sections) == {"IDENTITY"}
    assert [e["outcome"] for e in fixture.read_log.entries if e["institution"] == "CMS"] == ["DENIED", "GRANTED"]


async def test_after_erasure_the_person_is_gone() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    fixture.custody.erased.add(fixture.situations.documents[situation_id]["person_pseudonym"])
    read = await fixture.service.views.get(principal("ORP", "respondent"), situation_id)
    assert read.opened.access == "ERASED" and read.opened.sections == {}


async def test_lists_show_only_what_the_caller_may_see_with_filters() -> None:
    fixture = Fixture()
    sion = await announced(fixture)
    await announced(fixture, external_ref="ORP-2", person={"region": "SIERRE"}, co_following=[])
    orp = principal("ORP", "respondent")
    items, total = await fixture.service.views.list(orp, SituationFilter(), offset=0, limit=10)
    assert total == 2
    items, total = await fixture.service.views.list(orp, SituationFilter(region="SIERRE"), offset=0, limit=10)
    assert total == 1 and items[0]["region"] == "SIERRE"
    items, total = await fixture.service.views.list(SION_COORDINATOR, SituationFilter(), offset=0, limit=10)
    assert [i["_id"] for i in items] == [sion]
    assert (await fixture.service.views.list(principal("OAI", "respondent"), SituationFilter(),
                                             offset=0, limit=10))[1] == 0


async def test_overdue_triage_after_ten_working_days() -> None:
    fixture = Fixture()
    await announced(fixture, announced_on="2026-02-02", follow_up_started_on="2026-01-01")
    await announced(fixture, external_ref="ORP-2")
    items, total = await fixture.service.views.list(SION_COORDINATOR, SituationFilter(triage_overdue=True),
                                                    offset=0, limit=10)
    assert total == 1 and items[0]["triage_due_on"] == "2026-02-16"


async def test_a_co_follower_lists_the_situations_of_persons_under_a_procuration_in_force() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    cms = principal("CMS", "respondent")
    assert (await fixture.service.views.list(cms, SituationFilter(), offset=0, limit=10))[1] == 0
    pseudonym = fixture.situations.documents[situation_id]["person_pseudonym"]
    await fixture.grants.record("pr-1", {"person_pseudonym": pseudonym, "parties": ["ORP", "CMS"],
                                         "status": "ACTIVE", "valid_from": "2026-01-01", "valid_until": "2026-12-31"})
    items, total = await fixture.service.views.list(cms, SituationFilter(), offset=0, limit=10)
    assert total == 1 and items[0]["_id"] == situation_id
    await fixture.grants.set_status("pr-1", pseudonym, "REVOKED")
    assert (await fixture.service.views.list(cms, SituationFilter(), offset=0, limit=10))[1] == 0


async def test_a_superseded_procuration_keeps_the_co_follower_until_its_successor_starts() -> None:
    """The consent rule (cii_platform.consent.model.status_on), applied by the co-following projection."""
    fixture = Fixture()
    situation_id = await announced(fixture)
    pseudonym = fixture.situations.documents[situation_id]["person_pseudonym"]
    handlers = procuration_handlers(fixture.service)
    recorded = ProcurationRecorded(
        procuration_id="pr-1", person_pseudonym=pseudonym, parties=["ORP", "CMS"], categories=["SOCIAL"],
        purposes=["COACHING"], valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31), status="ACTIVE",
        signed_on=date(2026, 1, 1), recorded_by="ORP")
    await handlers[PROCURATION_RECORDED](new_event(PROCURATION_RECORDED, platform_source("procuration"), recorded))
    superseded = ProcurationStatusEvent(procuration_id="pr-1", person_pseudonym=pseudonym, status="SUPERSEDED",
                                        valid_until=date(2026, 12, 31), effective_on=date(2026, 4, 1))
    await handlers[PROCURATION_SUPERSEDED](new_event(PROCURATION_SUPERSEDED, platform_source("procuration"),
                                                     superseded))
    cms = principal("CMS", "respondent")
    assert fixture.clock.today() == date(2026, 3, 16)
    assert (await fixture.service.views.list(cms, SituationFilter(), offset=0, limit=10))[1] == 1
    fixture.clock.at = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)  # the successor's first day
    assert (await fixture.service.views.list(cms, SituationFilter(), offset=0, limit=10))[1] == 0


async def test_a_young_persons_situation_is_routed_to_the_theme_and_notified_to_t1() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture, person={"birth_date": "2006-01-01"})
    [notice] = fixture.situations.events("ch.vs.cii.signalement.routed.v1")
    assert notice["topic"] == "cii.outbound.t1" and notice["event"]["data"]["theme"] == "YOUNG"
    t1 = principal("T1", "respondent")
    read = await fixture.service.views.get(t1, situation_id)
    assert read.opened.access == "DENIED" and read.opened.sections == {}
    assert (await fixture.service.views.list(t1, SituationFilter(), offset=0, limit=10))[1] == 1


async def test_an_erasure_event_drops_the_sealed_copies() -> None:
    fixture = Fixture()
    situation_id = await announced(fixture)
    pseudonym = fixture.situations.documents[situation_id]["person_pseudonym"]
    assert await fixture.service.situations.mark_erased(pseudonym) == 1
    read = await fixture.service.views.get(principal("ORP", "respondent"), situation_id)
    assert read.opened.access == "ERASED" and fixture.situations.documents[situation_id]["sealed"] == {}
    assert fixture.custody.releases == []  # nothing left to open: the custodian is not even asked
