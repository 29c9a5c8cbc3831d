"""The CII complex example of seed 000 section 9, through the HTTP APIs of the running services:
announcement (signalement) -> tandem ORP-CMS -> TRO -> medical mandate (SMR) -> case management ->
closure with its letter. Every measures event and alert on the way is checked on Kafka; the
procuration (procuration service) expires and is renewed while the case manager works.

Dates are in 2026; the measures and procuration services run with today fixed at 2026-09-30.
"""

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from measures_helpers import MEASURES, call, client, events_of, request_when_known, wait_until

from cii_platform.contracts import internal_measures as ev
from cii_platform.contracts.avs import format_avs
from cii_platform.documents import human_reference
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.pdf import pdf_text
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e
CM = "cm-cms-sion-scenario"


def announcement(avs: str) -> dict[str, Any]:
    return {"external_ref": f"scenario-{uuid.uuid4().hex[:10]}", "announced_on": "2026-03-02",
            "announcer": {"collaborator": "C. Favre", "respondent": "R. Roh"},
            "person": {"avs_number": avs, "last_name": "Tesfay", "first_name": "Selam", "birth_date": "1982-01-15",
                       "sex": "F", "region": "SION", "education_level": "NONE", "residence_permit": "B",
                       "language": "fr", "address": {"street": "Avenue de la Gare 5", "postcode": "1950",
                                                     "locality": "Sion"}},
            "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE", "SOCIAL_ISOLATION", "FAMILY"],
            "employment_gap": "UNDER_1_YEAR", "follow_up_started_on": "2025-11-03", "co_following": ["CMS"],
            "requested_measure": "COACHING_ORP_CMS", "summary": "Contrôleuse de bus à 25 %, isolée, douleurs."}


def procuration(avs: str, valid_until: str) -> dict[str, Any]:
    return {"procuration_id": f"proc-{uuid.uuid4().hex[:10]}", "signed_on": "2026-03-01", "valid_from": "2026-03-01",
            "valid_until": valid_until, "person": {"avs_number": avs, "last_name": "Tesfay", "first_name": "Selam",
                                                   "birth_date": "1982-01-15"},
            "parties": ["ORP", "CMS", "OAI"], "categories": ["IDENTITY", "SOCIAL", "HEALTH", "EMPLOYMENT"],
            "purposes": ["CII_COORDINATION", "TRO", "CASE_MANAGEMENT", "MEDICAL_MANDATE", "COACHING"],
            "document_sha256": "cd" * 32}


async def announce_and_triage(platform: LocalPlatform, avs: str) -> str:
    orp = platform.client("signalement", platform.token("ORP", "field_worker"))
    created = await call(orp, "POST", "/api/v1/signalements", announcement(avs))
    assert created.status_code == 201, created.text
    situation_id = str(created.json()["id"])
    coordinator = platform.client("signalement", platform.token("BUREAU", "coordinator", region="SION"))
    triaged = await call(coordinator, "POST", f"/api/v1/signalements/{situation_id}/triage",
                         {"decision": "ACCEPT_COMPLEX", "reason": "cumul de difficultés, potentiel identifié"})
    assert triaged.status_code == 200, triaged.text
    return situation_id


async def sign_procuration(platform: LocalPlatform, avs: str, valid_until: str) -> None:
    orp = platform.client("procuration", platform.token("ORP", "institution_system"))
    response = await call(orp, "POST", "/api/v1/procurations", procuration(avs, valid_until))
    assert response.status_code == 201, response.text


@dataclass
class Network:
    """The people working on the situation, each with their own token."""

    platform: LocalPlatform
    events: TopicReader
    situation_id: str
    avs: str
    orp: httpx.Client
    coordinator: httpx.Client
    smr: httpx.Client
    case_manager: httpx.Client
    signalement: httpx.Client


async def test_the_complex_example_from_tandem_to_closure_letter(
        measures_platform: LocalPlatform, measures_events: TopicReader) -> None:
    avs = format_avs(f"7569{uuid.uuid4().int % 10**8:08d}")
    situation_id = await announce_and_triage(measures_platform, avs)
    net = Network(measures_platform, measures_events, situation_id, avs,
                  client(measures_platform, "ORP", "field_worker"),
                  client(measures_platform, "BUREAU", "coordinator", region="SION"),
                  client(measures_platform, "SMR", "field_worker"),
                  client(measures_platform, "CMS", "case_manager", subject=CM),
                  measures_platform.client("signalement", measures_platform.token("ORP", "field_worker")))
    tandem = await the_tandem_starts(net)
    await the_round_table_mandates_a_doctor(net)
    await the_smr_clarifies_the_medical_situation(net)
    cm = await request_when_known(net.coordinator, {"situation_id": situation_id, "type": "CASE_MANAGEMENT",
                                                    "requested_on": "2026-06-20", "requested_by": "ORP"})
    await the_case_manager_is_designated_and_starts(net, cm)
    first_objective = await the_objectives_contract_is_signed(net, cm)
    await meetings_and_the_procuration_renewal(net, cm)
    await the_coordinator_reviews_and_objectives_are_met(net, cm, first_objective)
    await closure_with_the_letter(net, tandem, cm)


async def the_tandem_starts(net: Network) -> str:
    tandem = await request_when_known(net.orp, {"situation_id": net.situation_id, "type": "COACHING_ORP_CMS",
                                                "requested_on": "2026-03-10"})
    assert (await call(net.orp, "POST", f"{MEASURES}/{tandem}/start", {"started_on": "2026-03-16"})).status_code == 200
    started = (await events_of(net.events, ev.MEASURE_STARTED, measure_id=tandem))[0]
    assert (started["type"], started["started_on"], started["requested_by"]) == (
        "COACHING_ORP_CMS", "2026-03-16", "ORP")
    await wait_until(lambda: _status_is(net.signalement, net.situation_id, "OPEN"))
    return tandem


async def the_round_table_mandates_a_doctor(net: Network) -> None:
    tro = await request_when_known(net.orp, {"situation_id": net.situation_id, "type": "TRO",
                                             "requested_on": "2026-04-20"})
    participants = [{"institution": i} for i in ("ORP", "CMS", "OAI", "SMR")]
    assert (await call(net.coordinator, "POST", f"{MEASURES}/{tro}/schedule",
                       {"date": "2026-05-04", "participants": participants})).status_code == 200
    held = await call(net.coordinator, "POST", f"{MEASURES}/{tro}/hold", {"held_on": "2026-05-04", "outcome": {
        "recommended_measure": "MEDICAL_MANDATE", "notes": "Vérifier l'employabilité, clarification médicale"}})
    assert held.status_code == 200, held.text
    assert held.json()["follow_up_measure_id"] is None
    held_event = (await events_of(net.events, ev.MEASURE_HELD, measure_id=tro))[0]
    assert (held_event["held_on"], held_event["recommended_measure"]) == ("2026-05-04", "MEDICAL_MANDATE")
    scheduled = await events_of(net.events, ev.MEASURE_SCHEDULED, measure_id=tro)
    assert scheduled[0]["participants"] == ["CMS", "OAI", "ORP", "SMR"]
    invitation = await call(net.coordinator, "GET", f"{MEASURES}/{tro}/invitation.pdf?language=de")
    assert invitation.status_code == 200 and invitation.headers["content-language"] == "de"
    text = pdf_text(invitation.content)
    assert "Einladung: Runder Tisch (TRO)" in text and "4. Mai 2026" in text and "Sitten" in text
    assert "Regionales Arbeitsvermittlungszentrum (RAV)" in text and "Kantonale IV-Stelle (IVST)" in text
    assert human_reference(net.situation_id) in text and net.situation_id not in text and "Tesfay" not in text


async def the_smr_clarifies_the_medical_situation(net: Network) -> None:
    mandate = await request_when_known(net.coordinator, {"situation_id": net.situation_id, "type": "MEDICAL_MANDATE",
                                                         "requested_on": "2026-05-05", "requested_by": "ORP"})
    assert (await call(net.smr, "POST", f"{MEASURES}/{mandate}/start", {"started_on": "2026-05-11"})).status_code == 200
    closed = await call(net.smr, "POST", f"{MEASURES}/{mandate}/close", {
        "closed_on": "2026-06-15", "reinsertion": False, "final_report": "Pas de raison objective d'incapacité"})
    assert closed.status_code == 200
    closed_event = (await events_of(net.events, ev.MEASURE_CLOSED, measure_id=mandate))[0]
    assert (closed_event["type"], closed_event["requested_by"]) == ("MEDICAL_MANDATE", "ORP")


async def the_case_manager_is_designated_and_starts(net: Network, cm: str) -> None:
    assert (await call(net.coordinator, "POST", f"{MEASURES}/{cm}/case-manager", {
        "institution": "CMS", "subject": CM, "designated_on": "2026-06-21"})).status_code == 200
    await events_of(net.events, ev.CASE_MANAGER_DESIGNATED, measure_id=cm)
    started = await call(net.case_manager, "POST", f"{MEASURES}/{cm}/start", {"started_on": "2026-06-22"})
    assert started.status_code == 200 and started.json()["contract_due_on"] == "2026-05-18"  # TRO + 14 days
    await events_of(net.events, ev.MEASURE_STARTED, measure_id=cm)
    raised = await events_of(net.events, ev.ALERT_RAISED, count=3, measure_id=cm)
    assert sorted(a["kind"] for a in raised) == ["CONTRACT_OVERDUE", "NO_MEETING", "REVIEW_DUE"]


async def the_objectives_contract_is_signed(net: Network, cm: str) -> str:
    signed = await call(net.case_manager, "POST", f"{MEASURES}/{cm}/contract", {"signed_on": "2026-06-29",
        "objectives": [
            {"text": "Garder l'emploi de contrôleuse", "responsible_institution": "ORP", "deadline": "2026-08-31"},
            {"text": "Consultations au CIO", "responsible_institution": "CMS", "deadline": "2026-12-31"}]})
    assert signed.status_code == 200
    first_objective = str(signed.json()["contract"]["objectives"][0]["id"])
    await events_of(net.events, ev.OBJECTIVES_CONTRACT_SIGNED, measure_id=cm)
    await events_of(net.events, ev.ALERT_CLEARED, alert_id=f"CONTRACT_OVERDUE:{cm}")
    await events_of(net.events, ev.ALERT_RAISED, alert_id=f"OBJECTIVE_OVERDUE:{cm}:{first_objective}")
    return first_objective


async def meetings_and_the_procuration_renewal(net: Network, cm: str) -> None:
    meeting = await call(net.case_manager, "POST", f"{MEASURES}/{cm}/meetings",
                         {"held_on": "2026-09-25", "minutes": "Procédure de divorce entreprise"})
    assert meeting.status_code == 201
    await events_of(net.events, ev.MEETING_LOGGED, measure_id=cm)
    await events_of(net.events, ev.ALERT_CLEARED, alert_id=f"NO_MEETING:{cm}")
    minutes = f"{MEASURES}/{cm}/meetings/{meeting.json()['id']}/minutes"
    assert (await call(net.case_manager, "GET", minutes)).json() == {"minutes": "Procédure de divorce entreprise"}
    assert (await call(net.orp, "GET", minutes)).status_code == 403  # CMS wrote them: ORP needs the procuration
    await sign_procuration(net.platform, net.avs, "2026-10-15")  # expires within 30 days of today
    alert_id = f"PROCURATION_EXPIRING:{net.situation_id}"
    expiring = await events_of(net.events, ev.ALERT_RAISED, alert_id=alert_id, timeout=60)
    assert expiring[0]["case_manager"] == CM and expiring[0]["due_on"] == "2026-10-15"
    assert (await call(net.orp, "GET", minutes)).json() == {"minutes": "Procédure de divorce entreprise"}
    assert (await call(net.coordinator, "GET", minutes)).status_code == 403  # the bureau is no party of it
    await sign_procuration(net.platform, net.avs, "2027-09-30")  # the case manager has it renewed
    await events_of(net.events, ev.ALERT_CLEARED, alert_id=alert_id, timeout=60)


async def the_coordinator_reviews_and_objectives_are_met(net: Network, cm: str, objective_id: str) -> None:
    reviewed = await call(net.coordinator, "POST", f"{MEASURES}/{cm}/reviews", {"reviewed_on": "2026-09-28"})
    assert reviewed.status_code == 200
    await events_of(net.events, ev.REVIEW_RECORDED, measure_id=cm)
    await events_of(net.events, ev.ALERT_CLEARED, alert_id=f"REVIEW_DUE:{cm}")
    assert (await call(net.case_manager, "POST", f"{MEASURES}/{cm}/contract/objectives/{objective_id}/achieve",
                       {"achieved_on": "2026-09-28"})).status_code == 200
    await events_of(net.events, ev.ALERT_CLEARED, alert_id=f"OBJECTIVE_OVERDUE:{cm}:{objective_id}")
    assert (await call(net.case_manager, "GET", f"/api/v1/alerts?measure_id={cm}")).json()["total"] == 0


async def closure_with_the_letter(net: Network, tandem: str, cm: str) -> None:
    assert (await call(net.orp, "POST", f"{MEASURES}/{tandem}/close",
                       {"closed_on": "2026-09-15", "reinsertion": True})).status_code == 200
    tandem_closed = (await events_of(net.events, ev.MEASURE_CLOSED, measure_id=tandem))[0]
    assert (tandem_closed["reinsertion"], tandem_closed["closed_on"]) == (True, "2026-09-15")
    assert not [r for r in net.events.records if r["value"].get("type") == ev.SITUATION_CLOSED
                and r["value"]["data"]["situation_id"] == net.situation_id]  # case management still runs
    closed = await call(net.case_manager, "POST", f"{MEASURES}/{cm}/close", {
        "closed_on": "2026-09-29", "reinsertion": False, "final_report": "Emploi conservé, aide sociale en complément",
        "language": "fr"})
    assert closed.status_code == 200
    closure = (await events_of(net.events, ev.SITUATION_CLOSED, situation_id=net.situation_id))[0]
    assert closure["closed_on"] == "2026-09-29" and closure["closing_measure_id"] == cm
    assert {"ORP", "CMS", "OAI", "SMR", "BUREAU"} <= set(closure["network"])
    await the_letter_and_the_contract_are_printed(net, cm)
    await wait_until(lambda: _status_is(net.signalement, net.situation_id, "CLOSED"))
    assert (await call(net.case_manager, "GET", f"/api/v1/alerts?situation_id={net.situation_id}")).json()["total"] == 0


async def the_letter_and_the_contract_are_printed(net: Network, cm: str) -> None:
    """The case manager (CMS) reads the identity under the person's procuration: the letter is addressed."""
    letter = await call(net.case_manager, "GET", f"{MEASURES}/{cm}/closure-letter")
    assert letter.status_code == 200 and letter.headers["content-language"] == "fr"
    text = pdf_text(letter.content)
    for expected in ("Clôture de votre prise en charge CII", "Selam Tesfay", "Avenue de la Gare 5", "1950 Sion",
                     "clôturée en date du 29 septembre 2026", "Centre médico-social (CMS)",
                     f"Référence: {human_reference(net.situation_id)}"):
        assert expected in text, (expected, text)
    for secret in (net.avs, net.avs.replace(".", ""), net.situation_id, cm, "1982"):
        assert secret not in text, secret
    contract = await call(net.case_manager, "GET", f"{MEASURES}/{cm}/contract.pdf")
    assert contract.status_code == 200
    text = pdf_text(contract.content)
    for expected in ("Contrat d'objectifs", "Selam Tesfay", "Garder l'emploi de contrôleuse", "Consultations au CIO",
                     "Office régional de placement (ORP)", "31.08.2026", "Lieu, date, signature"):
        assert expected in text, (expected, text)
    assert net.avs not in text and cm not in text
    smr_letter = await call(net.smr, "GET", f"{MEASURES}/{cm}/closure-letter")
    assert smr_letter.status_code == 404  # the SMR does not see the case management at all


async def _status_is(http: Any, situation_id: str, status: str) -> bool:
    response = await call(http, "GET", f"/api/v1/signalements/{situation_id}")
    return response.status_code == 200 and response.json().get("status") == status
