"""Who is told what (issue 17): the pure rules, then resolved against the demo roster."""

from datetime import date

import pytest
from notifier_fakes import recorded, scheduled

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.references import human_reference
from notifier.adapters.directory import RosterFileDirectory
from notifier.domain import rules
from notifier.service_layer.notify import AudienceResolver

pytestmark = pytest.mark.unit


async def told(notice: rules.Notice) -> list[str]:
    return sorted(p.username for p in await AudienceResolver(RosterFileDirectory()).resolve(notice.audience))


async def test_a_new_announcement_tells_the_coordinator_of_its_region() -> None:
    [notice] = rules.on_situation_recorded(signalement.SituationRecorded.model_validate(recorded()))
    assert notice.kind == rules.ANNOUNCEMENT_RECEIVED
    assert await told(notice) == ["coord.sion"]


async def test_a_young_persons_announcement_tells_the_thematic_coordinator() -> None:
    fact = signalement.SituationRecorded.model_validate(recorded(region="MONTHEY", theme="YOUNG"))
    [notice] = rules.on_situation_recorded(fact)
    assert await told(notice) == ["coord.monthey", "coord.young"]


def test_a_re_announcement_is_no_new_announcement() -> None:
    assert rules.on_situation_recorded(signalement.SituationRecorded.model_validate(recorded(version=2))) == []


async def test_a_triage_decision_tells_the_announcing_institutions_respondent() -> None:
    fact = signalement.SituationTriaged.model_validate({
        "situation_id": "sit-1", "decision": "ACCEPT_COMPLEX", "triaged_at": "2026-03-02T09:00:00Z",
        "triaged_by": "coord.sion", "status": "TRIAGED"})
    situation = rules.SituationFacts("sit-1", "CMS", "SION", None)
    [notice] = rules.on_situation_triaged(fact, situation)
    assert await told(notice) == ["respondent.cms"]
    # an institution without a CII respondent: its people are told rather than nobody
    [orp] = rules.on_situation_triaged(fact, rules.SituationFacts("sit-1", "ORP", "SION", None))
    assert await told(orp) == ["worker.orp"]
    # a private person's announcement recorded by the bureau: the bureau is told
    [private] = rules.on_situation_triaged(fact, rules.SituationFacts("sit-1", "PRIVATE", "SION", None, "BUREAU"))
    assert await told(private) == ["officer", "secretariat"]
    assert rules.on_situation_triaged(fact, None) == []


async def test_a_round_table_invites_every_participant_and_a_move_is_a_new_sequence() -> None:
    fact = measures.MeasureScheduled.model_validate(scheduled(date(2026, 3, 20)))
    [notice] = rules.on_measure_scheduled(fact, None)
    assert notice.kind == rules.MEASURE_SCHEDULED and notice.details["sequence"] == 0
    assert await told(notice) == ["coord.sion", "respondent.cms", "worker.orp"]
    again = rules.on_measure_scheduled(fact, rules.ScheduleFacts(date(2026, 3, 20), 0))
    assert again == []
    moved = measures.MeasureScheduled.model_validate(scheduled(date(2026, 3, 27)))
    [notice] = rules.on_measure_scheduled(moved, rules.ScheduleFacts(date(2026, 3, 20), 0))
    assert notice.kind == rules.MEASURE_RESCHEDULED
    assert notice.details["sequence"] == 1 and notice.details["previous_date"] == "2026-03-20"


def test_only_round_tables_and_assessments_are_invitations() -> None:
    fact = measures.MeasureScheduled.model_validate(scheduled(date(2026, 3, 20), type_="ASSESSMENT"))
    assert len(rules.on_measure_scheduled(fact, None)) == 1
    coaching = measures.MeasureScheduled.model_validate(scheduled(date(2026, 3, 20), type_="COACHING_ORP_CMS"))
    assert rules.on_measure_scheduled(coaching, None) == []


@pytest.mark.parametrize("kind", sorted(rules.ALERT_KINDS))
async def test_alerts_tell_the_case_manager_and_the_coordinator(kind: str) -> None:
    fact = measures.AlertRaised.model_validate({
        "alert_id": f"{kind}:m-2", "kind": kind, "situation_id": "sit-1", "measure_id": "m-2", "region": "SION",
        "due_on": "2026-03-01", "raised_at": "2026-03-02T06:00:00Z", "case_manager": "respondent.cms"})
    [notice] = rules.on_alert_raised(fact)
    assert notice.kind == rules.ALERT_PREFIX + kind
    assert await told(notice) == ["coord.sion", "respondent.cms"]


def test_an_alert_of_an_unknown_kind_tells_nobody() -> None:
    fact = measures.AlertRaised.model_validate({"alert_id": "x", "kind": "SOMETHING", "situation_id": "sit-1",
                                                "raised_at": "2026-03-02T06:00:00Z"})
    assert rules.on_alert_raised(fact) == []


async def test_a_designated_case_manager_is_told_the_contract_is_due() -> None:
    fact = measures.CaseManagerDesignated.model_validate({
        "measure_id": "m-2", "situation_id": "sit-1", "type": "CASE_MANAGEMENT", "region": "SION",
        "case_manager_institution": "CMS", "case_manager": None, "designated_on": "2026-03-05"})
    [notice] = rules.on_case_manager_designated(fact)
    assert notice.kind == rules.CONTRACT_DUE
    assert await told(notice) == ["coord.sion", "respondent.cms"]


async def test_a_closure_tells_the_network_and_the_bureau() -> None:
    fact = measures.SituationClosed.model_validate({"situation_id": "sit-1", "closed_on": "2026-06-30",
                                                    "region": "SION", "network": ["CMS", "ORP", "BUREAU"]})
    [notice] = rules.on_situation_closed(fact)
    assert await told(notice) == ["coord.sion", "officer", "respondent.cms", "secretariat", "worker.orp"]


def test_the_human_reference_is_short_and_stable() -> None:
    assert human_reference("sit-1") == human_reference("sit-1")
    assert human_reference("sit-1") != human_reference("sit-2")
    assert len(human_reference("sit-1")) == len("CII-0000-0000")
