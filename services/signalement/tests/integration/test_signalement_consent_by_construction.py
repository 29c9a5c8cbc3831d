"""Issue 12, finding 1, through the real processes (procuration and signalement on real Kafka and store):
announcing a person again gives nothing of what another institution sent; the bureau reads identity and
free text only under the procuration; sections sealed under a former shared key are re-sealed at start."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient
from signalement_process import announcement, send_and_answer, store, token

from cii_platform.contracts.topics import dead_letter, inbound, outbound
from cii_platform.contracts.types import EVENT_ACCEPTED, EVENT_REJECTED
from cii_platform.security.crypto import SealedSection, new_data_key, seal, unseal, wrap_key
from cii_platform.security.keys import read_hex_key
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration
API = "/api/v1/signalements"


async def announced(platform: LocalPlatform, institution: str, data: dict[str, Any]) -> str:
    answer = await send_and_answer(platform, institution, data)
    assert answer["type"] == EVENT_ACCEPTED, answer
    return str(answer["data"]["resource_id"])


def procuration(avs: str, parties: list[str]) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    return {"procuration_id": f"pr-{time.monotonic_ns()}", "parties": parties,
            "person": {"avs_number": avs, "last_name": "Rey-Zufferey", "first_name": "Anne-Lise",
                       "birth_date": "1985-04-02"},
            "signed_on": today.isoformat(), "valid_from": today.isoformat(),
            "valid_until": today.replace(year=today.year + 1).isoformat(),
            "categories": ["IDENTITY", "SOCIAL"], "purposes": ["CII_COORDINATION"], "document_sha256": "ab" * 32}


def releases_to(platform: LocalPlatform, institution: str, key_suffix: str) -> list[dict[str, Any]]:
    with MongoClient(platform.infra.mongodb_url) as client:
        return list(client["cii_procuration"]["audit_log"].find({
            "action": "key.release", "details.institution": institution, "outcome": "RELEASED",
            "details.key_id": {"$regex": f"{key_suffix}$"}}))


async def test_announcing_the_same_person_again_gives_nothing_of_what_another_institution_sent(
        signalement_platform: LocalPlatform) -> None:
    platform = signalement_platform
    orp_data = announcement(summary="ORP-secret-summary", co_following=["CMS"],
                            announcer={"collaborator": "ORP-Staff-Favre", "respondent": "ORP-Staff-Roh"})
    avs = orp_data["person"]["avs_number"]
    orp_situation = await announced(platform, "ORP", orp_data)
    with platform.client("procuration", token(platform, "ORP", "respondent")) as http:
        assert http.post("/api/v1/procurations", json=procuration(avs, ["ORP", "OAI"])).status_code == 201
    cms = token(platform, "CMS", "field_worker")
    with platform.client("signalement", cms) as http:
        assert http.get(f"{API}/{orp_situation}").status_code == 404
    cms_data = announcement(person={"avs_number": avs, "last_name": "Other-Name"}, summary="CMS-own-summary",
                            co_following=["ORP"])
    cms_situation = await announced(platform, "CMS", cms_data)
    with platform.client("signalement", cms) as http:
        again = http.get(f"{API}/{orp_situation}")
        own = http.get(f"{API}/{cms_situation}").json()
    assert again.status_code == 404, again.text  # today's code: 200, GRANTED, ORP's identity and summary
    assert own["person_access"] == "GRANTED" and own["person"]["last_name"] == "Other-Name"
    assert own["summary"] == "CMS-own-summary" and "ORP-secret" not in str(own) and "ORP-Staff" not in str(own)
    assert releases_to(platform, "CMS", "/ORP") == []  # no key of ORP's ever left the custodian for CMS


async def test_the_bureau_triages_on_facts_and_reads_the_person_only_under_the_procuration(
        signalement_platform: LocalPlatform) -> None:
    platform = signalement_platform
    data = announcement(summary="ORP-summary-for-bureau")
    situation = await announced(platform, "ORP", data)
    coordinator = token(platform, "BUREAU", "coordinator", region="SION")
    with platform.client("signalement", coordinator) as http:
        await eventually(lambda: http.get(f"{API}/{situation}").status_code == 200)  # the store under load
        facts = http.get(f"{API}/{situation}").json()
        triaged = http.post(f"{API}/{situation}/triage", json={"decision": "ACCEPT_COMPLEX", "reason": "BUREAU-reason"})
    assert facts.get("person_access") == "DENIED", facts
    assert facts["person"] is None and facts["summary"] is None
    assert facts["region"] == "SION" and facts["gravity_index"] >= 0 and facts["risk_factors"]
    assert triaged.status_code == 200, triaged.text
    secretariat = token(platform, "BUREAU", "secretariat")
    with platform.client("signalement", secretariat) as http:
        before = http.get(f"{API}/{situation}").json()
    assert before["person"] is None and before["person_access"] != "GRANTED", before
    with platform.client("procuration", token(platform, "ORP", "respondent")) as http:
        signed = procuration(data["person"]["avs_number"], ["ORP", "BUREAU"])
        assert http.post("/api/v1/procurations", json=signed).status_code == 201
    with platform.client("signalement", coordinator) as http:
        granted = http.get(f"{API}/{situation}").json()
    assert granted["person_access"] == "GRANTED" and granted["summary"] == "ORP-summary-for-bureau"
    # the secretariat invites the person to the round table: the same procuration lets it read the identity
    with platform.client("signalement", secretariat) as http:
        invited = http.get(f"{API}/{situation}").json()
    assert invited["person_access"] == "GRANTED", invited
    assert invited["person"]["last_name"] == data["person"]["last_name"]
    stored = store(platform).situations.find_one({"_id": situation})
    assert stored["triage"]["reason"]["key_id"].endswith("/SOCIAL/BUREAU")  # the bureau seals what it writes


async def eventually(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.5)


def legacy_key(platform: LocalPlatform, person: str, category: str, controllers: list[str]) -> tuple[str, bytes]:
    """A shared key as the former layout stored it (person/category, several controllers)."""
    master = read_hex_key(platform.infra.data_dir / "keys" / "master.key", "master key")
    key_id, key = f"{person}/{category}", new_data_key()
    with MongoClient(platform.infra.mongodb_url) as client:
        client["cii_procuration"]["data_keys"].insert_one({
            "_id": key_id, "person_pseudonym": person, "category": category, "controllers": controllers,
            "wrapped": wrap_key(key, master, key_id=key_id), "created_at": datetime.now(UTC)})
    return key_id, key


async def test_sections_under_a_former_shared_key_are_resealed_per_controller_at_start(
        signalement_platform: LocalPlatform) -> None:
    platform = signalement_platform
    orp_data = announcement(summary="legacy-ORP-summary", co_following=["CMS"])
    avs = orp_data["person"]["avs_number"]
    orp_situation = await announced(platform, "ORP", orp_data)
    cms_situation = await announced(platform, "CMS", announcement(
        person={"avs_number": avs, "last_name": "Legacy-Cms"}, summary="legacy-CMS-summary"))
    situations = store(platform).situations
    person = situations.find_one({"_id": orp_situation})["person_pseudonym"]
    keys = {c: legacy_key(platform, person, c, ["ORP", "CMS"]) for c in ("IDENTITY", "SOCIAL")}
    plain = {situation_id: {"IDENTITY": {"last_name": name, "first_name": "Anne-Lise", "birth_date": "1985-04-02",
                                          "sex": "F", "avs_number": avs},
                            "SOCIAL": {"summary": summary}}
             for situation_id, name, summary in ((orp_situation, "Legacy-Orp", "legacy-ORP-summary"),
                                                 (cms_situation, "Legacy-Cms", "legacy-CMS-summary"))}
    for situation_id, sections in plain.items():
        sealed = {c: seal(p, keys[c][1], keys[c][0], context=situation_id).model_dump() for c, p in sections.items()}
        situations.update_one({"_id": situation_id}, {"$set": {"sealed": sealed, "versions.0.sealed": sealed}})
    cms = token(platform, "CMS", "respondent")
    with platform.client("signalement", cms) as http:
        assert http.get(f"{API}/{orp_situation}").status_code == 404  # a shared key: only under a PERMIT

    platform.services["signalement"].stop()
    await asyncio.to_thread(platform.start_service, "signalement")

    def migrated() -> bool:
        found = [situations.find_one({"_id": s}) for s in plain]
        return all(s is not None and all(v["key_id"].count("/") == 2 for v in s["sealed"].values()) for s in found)

    await eventually(migrated)
    orp_stored, cms_stored = situations.find_one({"_id": orp_situation}), situations.find_one({"_id": cms_situation})
    assert {v["key_id"].rsplit("/", 1)[1] for v in orp_stored["sealed"].values()} == {"ORP"}
    assert {v["key_id"].rsplit("/", 1)[1] for v in cms_stored["sealed"].values()} == {"CMS"}
    assert orp_stored["versions"][0]["sealed"]["IDENTITY"]["key_id"].endswith("/IDENTITY/ORP")
    with platform.client("signalement", token(platform, "ORP", "respondent")) as http:
        orp_read = http.get(f"{API}/{orp_situation}").json()
    with platform.client("signalement", cms) as http:
        cms_on_orp = http.get(f"{API}/{orp_situation}")
        cms_read = http.get(f"{API}/{cms_situation}").json()
    assert orp_read["person_access"] == "GRANTED" and orp_read["person"]["last_name"] == "Legacy-Orp"
    assert orp_read["summary"] == "legacy-ORP-summary"
    assert cms_on_orp.status_code == 404
    assert cms_read["person"]["last_name"] == "Legacy-Cms" and cms_read["summary"] == "legacy-CMS-summary"
    # the re-sealed section opens only with the controller's own key, never with the shared one
    with pytest.raises(Exception):  # noqa: B017 - AES-GCM's InvalidTag, whichever key id is claimed
        unseal(SealedSection.model_validate({**orp_stored["sealed"]["SOCIAL"], "key_id": keys["SOCIAL"][0]}),
               keys["SOCIAL"][1], context=orp_situation)


async def test_deeply_nested_json_gets_one_rejection_and_no_dead_letter(signalement_platform: LocalPlatform) -> None:
    """Issue 12, finding 6: 2,000 levels in 4 KB made json.loads raise RecursionError; the record went to
    every consuming service's dead letters after retries and the sender never got an answer."""
    platform = signalement_platform
    key = f"nested-{time.monotonic_ns()}"
    nested = b"[" * 2000 + b"]" * 2000
    bootstrap = platform.infra.kafka_bootstrap
    dead_letters = [dead_letter(service) for service in ("signalement", "procuration")]
    async with TopicReader(bootstrap, outbound("LMMT"), *dead_letters) as reader, InstitutionClient(bootstrap) as kafka:
        await kafka.send(inbound("LMMT"), nested, key=key)
        [answer] = await reader.wait_for(lambda r: r["key"] == key.encode() and r["topic"] == outbound("LMMT"))
        deadline = time.monotonic() + 10  # the former retries and dead-lettering took a few seconds
        while time.monotonic() < deadline:
            await reader.poll(0.5)
    mine = [r for r in reader.records if r["key"] == key.encode()]
    assert [r["topic"] for r in mine] == [outbound("LMMT")], mine
    assert answer["value"]["type"] == EVENT_REJECTED and answer["value"]["data"]["event_id"] is None
    assert "nested deeper" in answer["value"]["data"]["errors"][0]["message"]
