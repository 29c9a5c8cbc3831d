"""Object-level authorization, costs (billing, prefinancing) and disagreements through the running service."""

import csv
import io
from datetime import date
from typing import Any

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
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


async def test_only_the_network_and_the_bureau_see_a_measure(
        measures_platform: LocalPlatform, upstream: InstitutionClient) -> None:
    situation = situation_recorded(institution="OAI", region="MARTIGNY")
    await publish_situation(upstream, situation)
    oai = client(measures_platform, "OAI", "respondent")
    tro = await request_when_known(oai, {"situation_id": situation.situation_id, "type": "TRO",
                                         "requested_on": "2026-04-01"})
    coordinator = client(measures_platform, "BUREAU", "coordinator", region="MARTIGNY")
    await call(coordinator, "POST", f"{MEASURES}/{tro}/schedule", {"date": "2026-04-15", "participants": [
        {"institution": "CMS"}]})
    allowed = [oai, client(measures_platform, "CMS", "field_worker"),
               client(measures_platform, "BUREAU", "coordinator", region="MARTIGNY"),
               client(measures_platform, "BUREAU", "cantonal_officer")]
    refused = [client(measures_platform, "ORP", "field_worker"),
               client(measures_platform, "BUREAU", "coordinator", region="SION"),
               client(measures_platform, "BUREAU", "reporting_reader"),
               client(measures_platform, "CMS", "reporting_reader")]
    for http in allowed:
        assert (await call(http, "GET", f"{MEASURES}/{tro}")).status_code == 200
    for http in refused:
        answer = await call(http, "GET", f"{MEASURES}/{tro}")
        assert answer.status_code == 404 and answer.headers["content-type"] == "application/problem+json"
        assert (await call(http, "POST", f"{MEASURES}/{tro}/hold", {"held_on": "2026-04-15"})).status_code == 404
    stranger = await call(refused[0], "POST", MEASURES, {"situation_id": situation.situation_id, "type": "TRO",
                                                         "requested_on": "2026-04-01"})
    assert stranger.status_code == 422 and stranger.json()["errors"][0]["field"] == "situation_id"
    listed = (await call(refused[0], "GET", f"{MEASURES}?situation_id={situation.situation_id}")).json()
    assert listed == {"items": [], "total": 0}
    assert (await call(oai, "GET", f"{MEASURES}?situation_id={situation.situation_id}")).json()["total"] == 1
    no_token = measures_platform.client("measures")
    assert (await call(no_token, "GET", f"{MEASURES}/{tro}")).status_code == 401


async def test_variable_costs_prefinancing_and_the_billing_statement(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    """Seed 002: 7.2 (user pays; structural costs in equal parts among the parties of section 2), 7.4
    (the fund prefinances, then the liable partner is charged); seed 000 section 3 (CHF 434'206.70)."""
    situation = situation_recorded(institution="OCPS", region="MONTHEY", announced_on=date(2025, 1, 6))
    await publish_situation(upstream, situation)
    ocps = client(measures_platform, "OCPS", "respondent")
    officer = client(measures_platform, "BUREAU", "cantonal_officer")
    before = (await call(officer, "GET", "/api/v1/billing/2025")).json()
    await hold_an_assessment_and_prefinance_a_mandate(measures_platform, measures_events, situation.situation_id)
    after = (await call(officer, "GET", "/api/v1/billing/2025")).json()
    assert variable(after, "OCPS") - variable(before, "OCPS") == 1800.0  # the assessment: user pays
    assert variable(after, "FONDS_CANTONAL_EMPLOI") - variable(before, "FONDS_CANTONAL_EMPLOI") == 2500.0
    structural = {s["institution"]: s["structural_costs"] for s in after["statements"] if s["structural_costs"]}
    assert set(structural) == {"SICT", "SAS", "SFOP", "SHE", "OAI"}
    assert set(structural.values()) == {round(434206.70 / 5, 2)}
    own = (await call(ocps, "GET", "/api/v1/billing/2025")).json()
    # a partner sees its own statement and its contracting party's (OCPS takes part through the SAS)
    assert [s["institution"] for s in own["statements"]] == ["OCPS", "SAS"]
    mandate = next(i for s in after["statements"] for i in s["variable_items"] if i["type"] == "MEDICAL_MANDATE")
    assert mandate["advance"] is True
    settled = await call(officer, "POST", f"{MEASURES}/{mandate['measure_id']}/prefinancing/settlement",
                         {"settled_on": "2025-06-01", "charged_to": "OAI"})
    assert settled.status_code == 200, settled.text
    assert (await events_of(measures_events, ev.PREFINANCING_SETTLED, measure_id=mandate["measure_id"]))[0][
        "charged_to"] == "OAI"
    charged = (await call(officer, "GET", "/api/v1/billing/2025")).json()
    assert variable(charged, "OAI") - variable(after, "OAI") == 2500.0
    assert variable(charged, "FONDS_CANTONAL_EMPLOI") == variable(before, "FONDS_CANTONAL_EMPLOI")
    exported = await call(officer, "GET", "/api/v1/billing/2025?format=csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = {r["institution"]: r for r in csv.DictReader(io.StringIO(exported.text))}
    assert float(rows["OCPS"]["variable_costs"]) == variable(after, "OCPS")
    assert float(rows["OCPS"]["total"]) == next(s["total"] for s in after["statements"] if s["institution"] == "OCPS")


def variable(billing: dict[str, Any], institution: str) -> float:
    return float(next((s["variable_costs"] for s in billing["statements"] if s["institution"] == institution), 0.0))


async def hold_an_assessment_and_prefinance_a_mandate(platform: LocalPlatform, events: TopicReader,
                                                      situation_id: str) -> None:
    ocps = client(platform, "OCPS", "respondent")
    officer = client(platform, "BUREAU", "cantonal_officer")
    assessment = await request_when_known(ocps, {"situation_id": situation_id, "type": "ASSESSMENT",
                                                 "requested_on": "2025-02-03"})
    coordinator = client(platform, "BUREAU", "coordinator", region="MONTHEY")
    await call(coordinator, "POST", f"{MEASURES}/{assessment}/schedule", {"date": "2025-02-20", "participants": [
        {"institution": "SMR", "role": "médecin"}]})
    await call(coordinator, "POST", f"{MEASURES}/{assessment}/hold", {"held_on": "2025-02-20"})
    mandate = await request_when_known(ocps, {"situation_id": situation_id, "type": "MEDICAL_MANDATE",
                                              "requested_on": "2025-03-01"})
    refused = await call(ocps, "POST", f"{MEASURES}/{mandate}/prefinancing",
                         {"decision": "PREFINANCED", "decided_on": "2025-03-05"})
    assert refused.status_code == 403  # the bureau records the Commission droit's decisions
    decided = await call(officer, "POST", f"{MEASURES}/{mandate}/prefinancing",
                         {"decision": "PREFINANCED", "decided_on": "2025-03-05"})
    assert decided.status_code == 200 and decided.json()["prefinancing"]["decided_by"] == "COMMISSION_DROIT"
    prefinancing = await events_of(events, ev.PREFINANCING_DECIDED, measure_id=mandate)
    assert prefinancing[0]["decision"] == "PREFINANCED"
    await call(ocps, "POST", f"{MEASURES}/{mandate}/start", {"started_on": "2025-03-10"})


async def test_a_disagreement_is_escalated_to_the_cantonal_officer_who_decides(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    situation = situation_recorded(institution="ORP", region="SIERRE")
    await publish_situation(upstream, situation)
    orp = client(measures_platform, "ORP", "field_worker")
    coaching = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "COACHING_ORP_CMS",
                                              "requested_on": "2026-04-01"})
    empty = await call(orp, "POST", f"{MEASURES}/{coaching}/disagreements", {"raised_on": "2026-04-02", "reason": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    flagged = await call(orp, "POST", f"{MEASURES}/{coaching}/disagreements",
                         {"raised_on": "2026-04-02", "reason": "Le CMS refuse la prise en charge financière"})
    assert flagged.status_code == 201 and flagged.json()["reason_recorded"] is True
    disagreement = str(flagged.json()["id"])
    await the_officer_decides(measures_platform, measures_events, disagreement)
    shown = (await call(orp, "GET", f"{MEASURES}/{coaching}")).json()["disagreements"]
    assert shown == [{"id": disagreement, "status": "DECIDED", "raised_by": "ORP"}]


async def the_officer_decides(platform: LocalPlatform, measures_events: TopicReader, disagreement: str) -> None:
    orp = client(platform, "ORP", "field_worker")
    officer = client(platform, "BUREAU", "cantonal_officer")
    raised = (await events_of(measures_events, ev.DISAGREEMENT_RAISED, disagreement_id=disagreement))[0]
    assert raised["escalated_to"] == "CANTONAL_OFFICER" and "reason" not in raised
    open_list = (await call(officer, "GET", "/api/v1/disagreements?status=OPEN")).json()
    assert disagreement in [d["id"] for d in open_list["items"]]
    assert disagreement not in [d["id"] for d in (await call(client(platform, "CMS", "field_worker"), "GET",
                                                             "/api/v1/disagreements")).json()["items"]]
    assert (await call(orp, "POST", f"/api/v1/disagreements/{disagreement}/decision",
                       {"decided_on": "2026-04-10", "decision": "x"})).status_code == 403
    decided = await call(officer, "POST", f"/api/v1/disagreements/{disagreement}/decision",
                         {"decided_on": "2026-04-10", "decision": "Financement par l'ORP (art. 59 LACI)"})
    assert decided.status_code == 200 and decided.json()["status"] == "DECIDED"
    assert (await events_of(measures_events, ev.DISAGREEMENT_DECIDED, disagreement_id=disagreement))[0][
        "decided_on"] == "2026-04-10"
    again = await call(officer, "POST", f"/api/v1/disagreements/{disagreement}/decision",
                       {"decided_on": "2026-04-11", "decision": "autre"})
    assert again.status_code == 409 and again.json()["current_state"] == "DECIDED"


async def test_the_service_documents_itself(measures_platform: LocalPlatform) -> None:
    http = measures_platform.client("measures")
    spec = (await call(http, "GET", "/openapi.json")).json()
    for path in ("/api/v1/measures", "/api/v1/measures/{measure_id}/close", "/api/v1/alerts",
                 "/api/v1/billing/{year}", "/api/v1/measures/{measure_id}/closure-letter",
                 "/api/v1/measures/{measure_id}/contract.pdf", "/api/v1/measures/{measure_id}/invitation.pdf"):
        assert path in spec["paths"]
    assert (await call(http, "GET", "/readyz")).json()["ready"] is True
