"""HTTP intake, reads, triage and authorization against the service running as a process."""

import pytest
from signalement_process import announcement, store, token

from cii_platform.contracts.internal_signalement import SITUATION_TRIAGE_NOTIFIED, SITUATION_TRIAGED
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, outbound
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration
API = "/api/v1/signalements"


def post(platform: LocalPlatform, institution: str, body: dict, *roles: str, **claims: str | None):  # type: ignore[no-untyped-def]
    with platform.client("signalement", token(platform, institution, *(roles or ("field_worker",)),
                                               **claims)) as http:
        return http.post(API, json=body)


def test_http_announcement_takes_the_same_path_as_kafka(signalement_platform: LocalPlatform) -> None:
    data = announcement()
    created = post(signalement_platform, "ORP", data)
    assert created.status_code == 201, created.text
    again = post(signalement_platform, "ORP", {**data, "risk_factors": []})
    assert again.json()["id"] == created.json()["id"]
    stored = store(signalement_platform).situations.find_one({"_id": created.json()["id"]})
    assert (stored["version"], stored["gravity_index"]) == (2, 1.5)


def test_http_validation_names_every_field_without_prefix(signalement_platform: LocalPlatform) -> None:
    data = announcement(situation_type="HUGE", employment_gap=None)
    data["person"]["avs_number"] = "756.1234.5678.90"
    answer = post(signalement_platform, "ORP", data)
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in answer.json()["errors"]} == {"person.avs_number", "situation_type", "employment_gap"}
    business = post(signalement_platform, "SPPA", announcement(follow_up_started_on="2099-01-01"))
    assert [e["field"] for e in business.json()["errors"]] == ["follow_up_started_on", "situation_type"]


def test_private_announcements_only_by_t1_or_the_bureau_for_young_persons(
        signalement_platform: LocalPlatform) -> None:
    private = {"collaborator": "T1 staff", "respondent": "T1 staff", "private_person": True}
    young = announcement(announcer=private, person={"birth_date": "2007-02-01"})
    created = post(signalement_platform, "T1", young)
    assert created.status_code == 201
    stored = store(signalement_platform).situations.find_one({"_id": created.json()["id"]})
    assert (stored["institution"], stored["public"]) == ("PRIVATE", "YOUNG")
    by_orp = post(signalement_platform, "ORP", young)
    assert [e["field"] for e in by_orp.json()["errors"]] == ["announcer.private_person"]
    adult = post(signalement_platform, "BUREAU", announcement(announcer=private), "secretariat")
    assert [e["field"] for e in adult.json()["errors"]] == ["public"]
    assert post(signalement_platform, "BUREAU", announcement(), "secretariat").status_code == 403


async def test_triage_by_the_coordinator_is_published_and_notified(signalement_platform: LocalPlatform) -> None:
    situation_id = post(signalement_platform, "CMS", announcement(person={"region": "MARTIGNY"})).json()["id"]
    coordinator = token(signalement_platform, "BUREAU", "coordinator", region="MARTIGNY")
    bootstrap = signalement_platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, SIGNALEMENT_EVENTS, outbound("CMS")) as reader:
        with signalement_platform.client("signalement", coordinator) as http:
            done = http.post(f"{API}/{situation_id}/triage", json={"decision": "ACCEPT_COMPLEX", "reason": "TRO"})
            assert done.status_code == 200 and done.json()["status"] == "TRIAGED"
            twice = http.post(f"{API}/{situation_id}/triage", json={"decision": "REJECT", "reason": "no"})
            assert twice.status_code == 409 and twice.json()["current_state"] == "TRIAGED"
        await reader.wait_for(lambda r: r["value"]["type"] == SITUATION_TRIAGED
                              and r["value"]["data"]["situation_id"] == situation_id)
        await reader.wait_for(lambda r: r["value"]["type"] == SITUATION_TRIAGE_NOTIFIED
                              and r["value"]["data"]["situation_id"] == situation_id)
    with signalement_platform.client("signalement", token(signalement_platform, "CMS", "respondent")) as http:
        read = http.get(f"{API}/{situation_id}").json()
    # the reason is the bureau's text, sealed under the bureau's key: the announcer reads it only under a
    # procuration naming it (issue 12); the decision is a pseudonymised fact
    assert read["triage"]["decision"] == "ACCEPT_COMPLEX" and read["triage"]["reason"] is None


def test_only_the_regions_coordinator_triages_and_others_get_404(signalement_platform: LocalPlatform) -> None:
    situation_id = post(signalement_platform, "ORP", announcement(person={"region": "SIERRE"})).json()["id"]
    body = {"decision": "REDIRECT_NETWORK"}
    elsewhere = token(signalement_platform, "BUREAU", "coordinator", region="SION")
    with signalement_platform.client("signalement", elsewhere) as http:
        assert http.post(f"{API}/{situation_id}/triage", json=body).status_code == 404
        assert http.get(f"{API}/{situation_id}").status_code == 404
    with signalement_platform.client("signalement", token(signalement_platform, "OAI", "respondent")) as http:
        assert http.get(f"{API}/{situation_id}").status_code == 404
    with signalement_platform.client("signalement", token(signalement_platform, "ORP", "respondent")) as http:
        assert http.post(f"{API}/{situation_id}/triage", json=body).status_code == 403
    with signalement_platform.client("signalement", token(signalement_platform, "BUREAU", "reporting_reader")) as http:
        assert http.get(f"{API}/{situation_id}").status_code == 404


def test_lists_filter_page_and_show_only_what_the_caller_may_see(signalement_platform: LocalPlatform) -> None:
    ids = [post(signalement_platform, "OSP", announcement(person={"region": "HAUT_VALAIS"})).json()["id"]
           for _ in range(3)]
    officer = token(signalement_platform, "BUREAU", "cantonal_officer")
    with signalement_platform.client("signalement", officer) as http:
        page = http.get(API, params={"institution": "OSP", "region": "HAUT_VALAIS", "limit": 2}).json()
        assert page["total"] >= 3 and len(page["items"]) == 2
        assert "person" not in page["items"][0]
    with signalement_platform.client("signalement", token(signalement_platform, "OSP", "respondent")) as http:
        mine = http.get(API, params={"status": "SUBMITTED", "limit": 500}).json()
        assert set(ids) <= {i["id"] for i in mine["items"]}
        assert {i["institution"] for i in mine["items"]} == {"OSP"}
    with signalement_platform.client("signalement", token(signalement_platform, "OCPS", "respondent")) as http:
        assert set(ids).isdisjoint(i["id"] for i in http.get(API, params={"limit": 500}).json()["items"])


def test_search_by_avs_number_goes_through_the_pseudonym_and_by_reference(signalement_platform: LocalPlatform) -> None:
    data = announcement()
    created = post(signalement_platform, "ORP", data).json()["id"]
    other = post(signalement_platform, "ORP", announcement()).json()["id"]
    with signalement_platform.client("signalement", token(signalement_platform, "ORP", "field_worker")) as http:
        by_avs = http.get(API, params={"avs_number": data["person"]["avs_number"]}).json()
        by_ref = http.get(API, params={"reference": data["external_ref"]}).json()
        wrong = http.get(API, params={"avs_number": "756.1234.5678.90"})
    with signalement_platform.client("signalement", token(signalement_platform, "CMS", "field_worker")) as http:
        elsewhere = http.get(API, params={"avs_number": data["person"]["avs_number"]}).json()
    assert [i["id"] for i in by_avs["items"]] == [created] and other not in {i["id"] for i in by_avs["items"]}
    assert [i["id"] for i in by_ref["items"]] == [created]
    assert wrong.status_code == 422 and [e["field"] for e in wrong.json()["errors"]] == ["avs_number"]
    assert elsewhere["total"] == 0  # another institution finds nothing it may not see


def test_overdue_triage_is_listed_for_the_coordinator(signalement_platform: LocalPlatform) -> None:
    old = announcement(announced_on="2026-01-05", follow_up_started_on="2025-12-01", person={"region": "MONTHEY"})
    situation_id = post(signalement_platform, "ORP", old).json()["id"]
    fresh = post(signalement_platform, "ORP", announcement(person={"region": "MONTHEY"})).json()["id"]
    coordinator = token(signalement_platform, "BUREAU", "coordinator", region="MONTHEY")
    with signalement_platform.client("signalement", coordinator) as http:
        overdue = {i["id"] for i in http.get(f"{API}/overdue-triage", params={"limit": 500}).json()["items"]}
        assert situation_id in overdue and fresh not in overdue
        assert http.get(f"{API}/{situation_id}").json()["triage_due_on"] == "2026-01-19"


async def test_a_young_persons_situation_is_notified_to_t1_which_sees_it_without_the_person(
        signalement_platform: LocalPlatform) -> None:
    async with TopicReader(signalement_platform.infra.kafka_bootstrap, outbound("T1")) as reader:
        situation_id = post(signalement_platform, "OSP", announcement(person={"birth_date": "2007-03-01"})).json()["id"]
        [notice] = await reader.wait_for(lambda r: r["value"]["data"].get("situation_id") == situation_id)
    assert notice["value"]["type"] == "ch.vs.cii.signalement.routed.v1"
    assert notice["value"]["data"]["coordinator_id"] == "coord-jeunes"
    with signalement_platform.client("signalement", token(signalement_platform, "T1", "respondent")) as http:
        read = http.get(f"{API}/{situation_id}").json()
    assert read["public"] == "YOUNG" and read["person"] is None and read["person_access"] == "DENIED"
