"""Case management through the running services: designation, objectives contract, meetings with sealed
minutes, quarterly review, alerts raised and cleared (fixed today: 2026-09-30), closure and its letter."""

from dataclasses import dataclass

import httpx
import pytest
from measures_helpers import (
    MEASURES,
    call,
    client,
    events_of,
    publish_situation,
    request_when_known,
    situation_recorded,
)

from cii_platform.contracts import internal_measures as ev
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.pdf import pdf_text
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration
CM_SUBJECT = "cm-cms-sion-1"


async def held_tro_creating_case_management(platform: LocalPlatform, upstream: InstitutionClient) -> tuple[str, str]:
    situation = situation_recorded(region="SION")
    await publish_situation(upstream, situation)
    orp = client(platform, "ORP", "field_worker")
    tro = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "TRO",
                                         "requested_on": "2026-04-20"})
    coordinator = client(platform, "BUREAU", "coordinator", region="SION")
    await call(coordinator, "POST", f"{MEASURES}/{tro}/schedule", {"date": "2026-05-04", "participants": [
        {"institution": "ORP"}, {"institution": "CMS"}]})
    held = await call(coordinator, "POST", f"{MEASURES}/{tro}/hold",
                      {"held_on": "2026-05-04", "outcome": {"recommended_measure": "CASE_MANAGEMENT"}})
    return situation.situation_id, held.json()["follow_up_measure_id"]


async def alert_kinds(http: httpx.Client, measure_id: str) -> list[str]:
    response = await call(http, "GET", f"/api/v1/alerts?measure_id={measure_id}")
    assert response.status_code == 200
    return sorted(a["kind"] for a in response.json()["items"])


@dataclass
class Case:
    """One case management under test, with the clients of the people who work on it."""

    platform: LocalPlatform
    events: TopicReader
    situation_id: str
    measure_id: str
    coordinator: httpx.Client
    case_manager: httpx.Client

    @property
    def path(self) -> str:
        return f"{MEASURES}/{self.measure_id}"


async def test_case_management_duties_raise_and_clear_alerts(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    situation_id, cm_id = await held_tro_creating_case_management(measures_platform, upstream)
    case = Case(measures_platform, measures_events, situation_id, cm_id,
                client(measures_platform, "BUREAU", "coordinator", region="SION"),
                client(measures_platform, "CMS", "case_manager", subject=CM_SUBJECT))
    await designate_and_start(case)
    await alerts_are_listed_for_the_case_manager_and_the_coordinator(case)
    first_objective = await sign_the_objectives_contract(case)
    await log_a_meeting_with_sealed_minutes(case)
    await review_and_achieve(case, first_objective)
    await close_with_report_and_letter(case)


async def designate_and_start(case: Case) -> None:
    assert (await call(case.case_manager, "GET", case.path)).status_code == 404  # not designated yet
    designation = {"institution": "CMS", "subject": CM_SUBJECT, "name": "R. Répondant", "designated_on": "2026-05-05"}
    field_worker = client(case.platform, "ORP", "field_worker")
    assert (await call(field_worker, "POST", f"{case.path}/case-manager", designation)).status_code == 403
    assert (await call(case.coordinator, "POST", f"{case.path}/case-manager", designation)).status_code == 200
    designated = await events_of(case.events, ev.CASE_MANAGER_DESIGNATED, measure_id=case.measure_id)
    assert designated[0]["case_manager_institution"] == "CMS" and designated[0]["case_manager"] == CM_SUBJECT
    started = await call(case.case_manager, "POST", f"{case.path}/start", {"started_on": "2026-05-06"})
    assert started.status_code == 200 and started.json()["contract_due_on"] == "2026-05-18"  # TRO + 14 days
    raised = await events_of(case.events, ev.ALERT_RAISED, count=3, measure_id=case.measure_id)
    assert sorted(a["kind"] for a in raised) == ["CONTRACT_OVERDUE", "NO_MEETING", "REVIEW_DUE"]
    assert {a["case_manager"] for a in raised} == {CM_SUBJECT} and {a["region"] for a in raised} == {"SION"}


async def alerts_are_listed_for_the_case_manager_and_the_coordinator(case: Case) -> None:
    expected = ["CONTRACT_OVERDUE", "NO_MEETING", "REVIEW_DUE"]
    assert await alert_kinds(case.case_manager, case.measure_id) == expected
    assert await alert_kinds(case.coordinator, case.measure_id) == expected
    other_region = client(case.platform, "BUREAU", "coordinator", region="SIERRE")
    other_manager = client(case.platform, "CMS", "case_manager", subject="other")
    assert await alert_kinds(other_region, case.measure_id) == []
    assert await alert_kinds(other_manager, case.measure_id) == []


async def sign_the_objectives_contract(case: Case) -> str:
    bad_deadline = await call(case.case_manager, "POST", f"{case.path}/contract", {
        "signed_on": "2026-09-20", "objectives": [{"responsible_institution": "ORP", "deadline": "2026-09-01"}]})
    assert bad_deadline.status_code == 422 and bad_deadline.json()["errors"][0]["field"] == "objectives.0.deadline"
    signed = await call(case.case_manager, "POST", f"{case.path}/contract", {"signed_on": "2026-09-20", "objectives": [
        {"text": "Clarifier l'employabilité", "responsible_institution": "ORP", "deadline": "2026-09-25"},
        {"text": "Stabiliser les finances", "responsible_institution": "CMS", "deadline": "2026-12-31"}]})
    assert signed.status_code == 200
    first = str(signed.json()["contract"]["objectives"][0]["id"])
    contract = (await events_of(case.events, ev.OBJECTIVES_CONTRACT_SIGNED, measure_id=case.measure_id))[0]
    assert contract["due_on"] == "2026-05-18" and contract["responsible_institutions"] == ["CMS", "ORP"]
    await events_of(case.events, ev.ALERT_CLEARED, alert_id=f"CONTRACT_OVERDUE:{case.measure_id}")
    await events_of(case.events, ev.ALERT_RAISED, alert_id=f"OBJECTIVE_OVERDUE:{case.measure_id}:{first}")
    await the_contract_prints_for_whoever_reads_the_measure(case)
    return first


async def the_contract_prints_for_whoever_reads_the_measure(case: Case) -> None:
    printed = await call(case.case_manager, "GET", f"{case.path}/contract.pdf?language=de")
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    text = pdf_text(printed.content)
    for expected in ("Zielvereinbarung", "Clarifier l'employabilité", "Stabiliser les finances", "25.09.2026",
                     "Regionales Arbeitsvermittlungszentrum (RAV)", "Sozialmedizinisches Zentrum (SMZ)",
                     "Ort, Datum, Unterschrift", "R. Répondant"):
        assert expected in text, (expected, text)
    assert case.measure_id not in text and "CASE_MANAGEMENT" not in text
    by_bureau = pdf_text((await call(case.coordinator, "GET", f"{case.path}/contract.pdf")).content)
    assert "Contrat d'objectifs" in by_bureau and "Clarifier" not in by_bureau and "texte scellé" in by_bureau
    outsider = client(case.platform, "OAI", "field_worker")
    assert (await call(outsider, "GET", f"{case.path}/contract.pdf")).status_code == 404
    bad = await call(case.case_manager, "GET", f"{case.path}/contract.pdf?language=it")
    assert bad.status_code == 422 and "language" in str(bad.json())


async def log_a_meeting_with_sealed_minutes(case: Case) -> None:
    minutes_text = "Entretien: divorce envisagé, suivi médical"
    meeting = await call(case.case_manager, "POST", f"{case.path}/meetings",
                         {"held_on": "2026-09-22", "minutes": minutes_text})
    assert meeting.status_code == 201
    meeting_id = meeting.json()["id"]
    logged = await events_of(case.events, ev.MEETING_LOGGED, measure_id=case.measure_id)
    assert logged[0]["meeting_id"] == meeting_id and "minutes" not in logged[0]
    await events_of(case.events, ev.ALERT_CLEARED, alert_id=f"NO_MEETING:{case.measure_id}")
    minutes = f"{case.path}/meetings/{meeting_id}/minutes"
    assert (await call(case.case_manager, "GET", minutes)).json() == {"minutes": minutes_text}  # CMS wrote them
    assert (await call(case.coordinator, "GET", minutes)).status_code == 403  # the bureau: only under a procuration


async def review_and_achieve(case: Case, objective_id: str) -> None:
    review = {"reviewed_on": "2026-09-28"}
    assert (await call(case.case_manager, "POST", f"{case.path}/reviews", review)).status_code == 403
    reviewed = await call(case.coordinator, "POST", f"{case.path}/reviews", review)
    assert reviewed.status_code == 200 and reviewed.json()["next_review_due_on"] == "2026-12-28"
    await events_of(case.events, ev.REVIEW_RECORDED, measure_id=case.measure_id)
    await events_of(case.events, ev.ALERT_CLEARED, alert_id=f"REVIEW_DUE:{case.measure_id}")
    achieved = await call(case.case_manager, "POST", f"{case.path}/contract/objectives/{objective_id}/achieve",
                          {"achieved_on": "2026-09-29"})
    assert achieved.status_code == 200
    await events_of(case.events, ev.ALERT_CLEARED, alert_id=f"OBJECTIVE_OVERDUE:{case.measure_id}:{objective_id}")
    assert await alert_kinds(case.case_manager, case.measure_id) == []


async def close_with_report_and_letter(case: Case) -> None:
    closed = await call(case.case_manager, "POST", f"{case.path}/close", {
        "closed_on": "2026-09-29", "reinsertion": False, "final_report": "Objectifs atteints en partie.",
        "language": "fr"})
    assert closed.status_code == 200 and closed.json()["final_report_recorded"] is True
    await events_of(case.events, ev.SITUATION_CLOSED, situation_id=case.situation_id)
    report = await call(case.case_manager, "GET", f"{case.path}/final-report")
    assert report.json() == {"final_report": "Objectifs atteints en partie."}
    assert (await call(case.coordinator, "GET", f"{case.path}/final-report")).status_code == 403  # no procuration
    letter = await call(case.case_manager, "GET", f"{case.path}/closure-letter")
    # this situation came without a sealed identity the case manager may read: no addressee, no letter
    assert letter.status_code == 403 and "identity" in letter.json()["detail"]
