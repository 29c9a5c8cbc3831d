"""The policy decision point through the running process: the permit and every kind of deny."""

from datetime import date, timedelta

import httpx
import pytest

from procuration.testing import (
    ask_decision,
    institution_headers,
    new_avs,
    procuration_payload,
    record_procuration,
    service_headers,
)

pytestmark = pytest.mark.integration
TODAY = date.today()


def _person_with(platform, **period) -> tuple[str, str]:
    avs = new_avs()
    payload = procuration_payload(avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT", "SOCIAL"],
                                  purposes=["TRO", "COACHING"], **period)
    return avs, record_procuration(platform, payload)


@pytest.mark.parametrize(("requester", "category", "purpose", "period", "decision", "reason"), [
    ("CMS", "EMPLOYMENT", "TRO", {}, "PERMIT", "permitted"),
    ("OAI", "EMPLOYMENT", "TRO", {}, "DENY", "no_procuration"),
    ("CMS", "HEALTH", "TRO", {}, "DENY", "category_not_covered"),
    ("CMS", "EMPLOYMENT", "MEDICAL_MANDATE", {}, "DENY", "purpose_not_covered"),
    ("CMS", "EMPLOYMENT", "TRO", {"valid_from": TODAY - timedelta(days=400),
                                   "valid_until": TODAY - timedelta(days=1)}, "DENY", "expired"),
    ("CMS", "EMPLOYMENT", "TRO", {"valid_from": TODAY + timedelta(days=5)}, "DENY", "not_yet_valid"),
])
def test_decision_rules(procuration_platform, requester, category, purpose, period, decision, reason):
    avs, procuration_id = _person_with(procuration_platform, **period)
    answer = ask_decision(procuration_platform, requester, avs, category, purpose)
    expected_id = None if reason == "no_procuration" else procuration_id  # a non-party learns nothing
    assert answer == {"decision": decision, "reason": reason, "procuration_id": expected_id}


def test_no_procuration_denies(procuration_platform):
    answer = ask_decision(procuration_platform, "CMS", new_avs(), "EMPLOYMENT", "TRO")
    assert answer == {"decision": "DENY", "reason": "no_procuration", "procuration_id": None}


def test_renewal_supersedes_from_the_new_valid_from(procuration_platform):
    avs = new_avs()
    old = record_procuration(procuration_platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT"], purposes=["TRO"]))
    later = record_procuration(procuration_platform, procuration_payload(
        avs, parties=["ORP", "CMS", "OAI"], categories=["SOCIAL"], purposes=["TRO"],
        valid_from=TODAY + timedelta(days=10)))
    # The old one holds until the renewal starts.
    assert ask_decision(procuration_platform, "CMS", avs, "EMPLOYMENT", "TRO")["procuration_id"] == old
    renewal = record_procuration(procuration_platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["SOCIAL"], purposes=["TRO"], valid_from=TODAY))
    answer = ask_decision(procuration_platform, "CMS", avs, "EMPLOYMENT", "TRO")
    assert answer == {"decision": "DENY", "reason": "category_not_covered", "procuration_id": renewal}
    with procuration_platform.client("procuration", procuration_platform.token("BUREAU", "secretariat")) as http:
        old_state = http.get(f"/api/v1/procurations/{old}").json()
        later_state = http.get(f"/api/v1/procurations/{later}").json()
    assert old_state["status"] == "SUPERSEDED" and old_state["superseded_by"] in (renewal, later)
    assert later_state["status"] == "ACTIVE"


def test_institution_systems_ask_only_for_themselves(procuration_platform):
    avs, procuration_id = _person_with(procuration_platform)
    own = ask_decision(procuration_platform, "CMS", avs, "SOCIAL", "COACHING",
                       headers=institution_headers(procuration_platform, "CMS"))
    assert own == {"decision": "PERMIT", "reason": "permitted", "procuration_id": procuration_id}
    with httpx.Client(base_url=procuration_platform.url("procuration")) as http:
        other = http.post("/api/v1/decisions", headers=institution_headers(procuration_platform, "OAI"), json={
            "requester": "CMS", "person": {"avs_number": avs}, "category": "SOCIAL", "purpose": "COACHING"})
        bad = http.post("/api/v1/decisions", headers=service_headers(procuration_platform), json={
            "requester": "XYZ", "person": {"avs_number": "756.0000.0000.01"}, "category": "SOCIAL",
            "purpose": "COACHING"})
    assert other.status_code == 403
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"requester", "person.avs_number"}
