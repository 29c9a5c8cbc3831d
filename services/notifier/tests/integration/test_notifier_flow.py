"""Issue 17 through the real platform: a situation from its announcement to its closure, and the e-mails
read back from Mailpit's API (recipients, language, nothing personal, one per event and person), with
the notifier killed mid-flow, a mail-server outage, and the internal topics replayed from the start.
"""

import asyncio
import re
import time
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from icalendar import Calendar
from pymongo import MongoClient

from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import MEASURES_EVENTS, SIGNALEMENT_EVENTS, outbound
from cii_platform.contracts.types import SITUATION_CLOSED
from cii_platform.messaging.topics_admin import partitions_of
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.mailpit import Mail, MailpitClient, addressed_to
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(2400)]  # a loaded machine starts processes slowly

MEASURES = "/api/v1/measures"
GROUP = "cii-notifier"
LAST_NAME, FIRST_NAME = "Tesfay", "Selam"
SUMMARY = "Contrôleuse de bus à 25 %, isolée"


def announcement(avs: str) -> dict[str, Any]:
    return {"external_ref": f"notif-{uuid.uuid4().hex[:10]}", "announced_on": "2026-03-02",
            "announcer": {"collaborator": "C. Favre", "respondent": "R. Roh"},
            "person": {"avs_number": avs, "last_name": LAST_NAME, "first_name": FIRST_NAME,
                       "birth_date": "1982-01-15", "sex": "F", "region": "SION", "education_level": "NONE",
                       "residence_permit": "B"},
            "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE", "SOCIAL_ISOLATION"],
            "employment_gap": "UNDER_1_YEAR", "follow_up_started_on": "2025-11-03", "co_following": ["ORP"],
            "summary": SUMMARY}


async def call(http: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    return await asyncio.to_thread(http.request, method, path, json=body)


async def ok(http: httpx.Client, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await call(http, method, path, body)
    assert response.status_code in (200, 201, 204), f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else {}


async def request_when_known(http: httpx.Client, body: dict[str, Any], timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        response = await call(http, "POST", MEASURES, body)
        if response.status_code == 201:
            return str(response.json()["id"])
        assert time.monotonic() < deadline, f"measure not created: {response.status_code} {response.text}"
        await asyncio.sleep(0.3)


class People:
    """Each demo person with their own token (the subject is their user name, as preferred_username)."""

    def __init__(self, platform: LocalPlatform) -> None:
        def token(institution: str, role: str, user: str, region: str | None = None) -> str:
            return platform.token(institution, role, subject=user, region=region)

        self.cms_worker = platform.client("signalement", token("CMS", "field_worker", "worker.cms"))
        self.coordinator_signalement = platform.client(
            "signalement", token("BUREAU", "coordinator", "coord.sion", region="SION"))
        self.coordinator = platform.client("measures", token("BUREAU", "coordinator", "coord.sion", region="SION"))
        self.case_manager = platform.client("measures", token("CMS", "case_manager", "respondent.cms"))
        self.inbox = {user: platform.client("notifier", token(inst, role, user, region))
                      for user, inst, role, region in [("coord.sion", "BUREAU", "coordinator", "SION"),
                                                        ("respondent.cms", "CMS", "respondent", None)]}


def subjects_by_person(mails: list[Mail]) -> Counter[tuple[str, str]]:
    """(recipient, subject without the reference) -> how many e-mails."""
    return Counter((to, mail.subject.split(" — ")[0]) for mail in mails for to in mail.to)


async def test_a_situation_from_announcement_to_closure_tells_the_right_people_once(
        notifier_platform: LocalPlatform, mailpit: MailpitClient) -> None:
    platform = notifier_platform
    await asyncio.to_thread(mailpit.delete_all)
    people = People(platform)
    avs = format_avs(f"7569{uuid.uuid4().int % 10**8:08d}")
    # The case manager reads German; everybody else keeps French (the default).
    assert (await ok(people.inbox["respondent.cms"], "PUT", "/api/v1/preferences",
                     {"language": "de", "digest": False})) == {"language": "de", "digest": False}
    bad = await call(people.inbox["respondent.cms"], "PUT", "/api/v1/preferences", {"language": "it", "digest": False})
    assert bad.status_code == 422 and "language" in bad.text

    # 1. announcement -> the coordinator of Sion; 2. triage -> the announcing institution's respondent
    situation_id = str((await ok(people.cms_worker, "POST", "/api/v1/signalements", announcement(avs)))["id"])
    await mailpit.wait_for(addressed_to("coord.sion@cii.local", "Nouveau signalement à trier"))
    await ok(people.coordinator_signalement, "POST", f"/api/v1/signalements/{situation_id}/triage",
             {"decision": "ACCEPT_COMPLEX", "reason": "cumul de difficultés"})
    await mailpit.wait_for(addressed_to("respondent.cms@cii.local", "Triage-Entscheid zu Ihrer Meldung"))

    # 3. the notifier is killed; the round table is scheduled meanwhile, then moved once it is back
    platform.services["notifier"].kill()
    tro = await request_when_known(people.coordinator, {"situation_id": situation_id, "type": "TRO",
                                                        "requested_on": "2026-04-20", "requested_by": "CMS"})
    await ok(people.coordinator, "POST", f"{MEASURES}/{tro}/schedule",
             {"date": "2026-05-04", "participants": [{"institution": "CMS"}, {"institution": "ORP"}]})
    platform.start_service("notifier")
    await mailpit.wait_for(addressed_to("worker.orp@cii.local", "Invitation : table ronde (TRO) le 4 mai 2026"))
    await ok(people.coordinator, "POST", f"{MEASURES}/{tro}/schedule", {"date": "2026-05-06"})
    await mailpit.wait_for(addressed_to("", "Déplacé : table ronde (TRO) désormais le 6 mai 2026"), count=2)

    # 4. the round table recommends case management: designated, started late (alerts), contract, meeting
    held = await ok(people.coordinator, "POST", f"{MEASURES}/{tro}/hold", {
        "held_on": "2026-05-06", "outcome": {"recommended_measure": "CASE_MANAGEMENT", "notes": "suivi coordonné"}})
    cm = str(held["follow_up_measure_id"])
    await ok(people.coordinator, "POST", f"{MEASURES}/{cm}/case-manager",
             {"institution": "CMS", "subject": "respondent.cms", "designated_on": "2026-06-21"})
    await ok(people.case_manager, "POST", f"{MEASURES}/{cm}/start", {"started_on": "2026-06-22"})
    await mailpit.wait_for(addressed_to("respondent.cms@cii.local", "Warnung:"), count=3)
    await ok(people.case_manager, "POST", f"{MEASURES}/{cm}/contract", {"signed_on": "2026-06-29", "objectives": [
        {"text": "Garder l'emploi", "responsible_institution": "CMS", "deadline": "2026-12-31"}]})
    await ok(people.case_manager, "POST", f"{MEASURES}/{cm}/meetings", {"held_on": "2026-09-25", "minutes": "RAS"})

    # 5. a mail-server outage while the situation is closed: delayed, not lost
    platform.infra.run("stop-mail")
    await ok(people.case_manager, "POST", f"{MEASURES}/{cm}/close", {
        "closed_on": "2026-09-29", "reinsertion": True, "final_report": "Emploi conservé", "language": "fr"})
    closed = await wait_for_inbox(people.inbox["coord.sion"], "SITUATION_CLOSED")
    await asyncio.sleep(3)  # the mailer meets the outage and backs off
    platform.infra.run("start-mail")
    closure_mails = await mailpit.wait_for(addressed_to("", "Situation clôturée"), count=4, timeout=90)
    await check_the_closure_notices(platform, situation_id)

    expected = expected_mails()
    await settle(mailpit, sum(expected.values()))
    mails = await asyncio.to_thread(mailpit.mails)
    assert subjects_by_person(mails) == expected
    assert len(closure_mails) == 4
    check_nothing_personal(mails, avs, situation_id)
    check_the_invitation(mailpit, mails)

    # The inbox mirrors the e-mails, with read/unread and the link target.
    inbox = await ok(people.inbox["coord.sion"], "GET", "/api/v1/inbox?limit=50")
    assert inbox["total"] == sum(n for (to, _), n in expected.items() if to == "coord.sion@cii.local")
    assert {i["situation_id"] for i in inbox["items"]} == {situation_id}
    await ok(people.inbox["coord.sion"], "POST", f"/api/v1/inbox/{closed['id']}/read")
    unread = await ok(people.inbox["coord.sion"], "GET", "/api/v1/inbox?unread=true")
    assert unread["total"] == inbox["total"] - 1
    stranger = await call(people.inbox["respondent.cms"], "POST", f"/api/v1/inbox/{closed['id']}/read")
    assert stranger.status_code == 404

    # 6. everything delivered again: the topics replayed from the start for the notifier's group, with
    # its memory of processed events wiped; the delivery records alone keep every e-mail single.
    platform.services["notifier"].stop()
    await replay_from_start(platform)
    platform.start_service("notifier")
    await caught_up(platform)
    await asyncio.sleep(3)  # would-be duplicates have time to leave
    assert subjects_by_person(await asyncio.to_thread(mailpit.mails)) == expected


async def check_the_closure_notices(platform: LocalPlatform, situation_id: str) -> None:
    """The network's institutions also get the closure on their outbound topic (docs/contract.md 6; the
    signalement service publishes it)."""
    def closure(record: dict[str, Any]) -> bool:
        value = record["value"]
        return value.get("type") == SITUATION_CLOSED and value["data"]["situation_id"] == situation_id

    async with TopicReader(platform.infra.kafka_bootstrap, outbound("CMS"), outbound("ORP"),
                           from_beginning=True) as reader:
        found = {r["topic"]: r["value"]["data"] for r in await reader.wait_for(closure, count=2, timeout=60)}
    assert found[outbound("CMS")]["external_ref"].startswith("notif-")  # the announcer gets its reference
    assert found[outbound("ORP")].get("external_ref") is None
    assert {d["outcome"] for d in found.values()} == {"MEASURES_COMPLETED"}  # its last measure closed
    assert {d["closed_on"] for d in found.values()} == {"2026-09-29"}


def expected_mails() -> Counter[tuple[str, str]]:
    coord, cms, orp = "coord.sion@cii.local", "respondent.cms@cii.local", "worker.orp@cii.local"
    expected: Counter[tuple[str, str]] = Counter({
        (coord, "[CII] Nouveau signalement à trier"): 1,
        (cms, "[CII] Triage-Entscheid zu Ihrer Meldung"): 1,
        (coord, "[CII] Invitation : table ronde (TRO) le 4 mai 2026"): 1,
        (orp, "[CII] Invitation : table ronde (TRO) le 4 mai 2026"): 1,
        (cms, "[CII] Einladung: Runden Tisch (TRO) am 4. Mai 2026"): 1,
        (coord, "[CII] Déplacé : table ronde (TRO) désormais le 6 mai 2026"): 1,
        (orp, "[CII] Déplacé : table ronde (TRO) désormais le 6 mai 2026"): 1,
        (cms, "[CII] Verschoben: Runden Tisch (TRO) neu am 6. Mai 2026"): 1,
        (coord, "[CII] Case management : contrat d'objectifs à établir"): 1,
        (cms, "[CII] Case Management: Zielvereinbarung zu erstellen"): 1,
        (coord, "[CII] Situation clôturée"): 1,
        (orp, "[CII] Situation clôturée"): 1,
        ("secretariat@cii.local", "[CII] Situation clôturée"): 1,
        ("officer@cii.local", "[CII] Situation clôturée"): 1,
        (cms, "[CII] Situation abgeschlossen"): 1,
    })
    for fr, de in [("le contrat d'objectifs est en retard", "die Zielvereinbarung ist überfällig"),
                   ("aucun entretien depuis plus de deux semaines", "seit über zwei Wochen kein Gespräch"),
                   ("le bilan trimestriel est dû", "die Quartalsbilanz ist fällig")]:
        expected[(coord, f"[CII] Alerte : {fr}")] = 1
        expected[(cms, f"[CII] Warnung: {de}")] = 1
    return expected


def check_nothing_personal(mails: list[Mail], avs: str, situation_id: str) -> None:
    digits = avs.replace(".", "")
    for mail in mails:
        body = f"{mail.subject}\n{mail.text}"
        for secret in (LAST_NAME, FIRST_NAME, avs, digits, SUMMARY, "1982"):
            assert secret not in body, f"{secret!r} in the e-mail {mail.subject!r}"
        assert not re.search(r"756\.?\d{4}\.?\d{4}\.?\d{2}", body)
        assert f"/situations/{situation_id}" in mail.text
        assert re.search(r"CII-[0-9A-F]{4}-[0-9A-F]{4}", mail.subject)


def check_the_invitation(mailpit: MailpitClient, mails: list[Mail]) -> None:
    moved = next(m for m in mails if m.to == ("worker.orp@cii.local",) and m.subject.startswith("[CII] Déplacé"))
    [attachment] = moved.attachments
    assert attachment["FileName"] == "invitation.ics" and attachment["ContentType"].startswith("text/calendar")
    calendar = Calendar.from_ical(mailpit.attachment(moved, attachment["PartID"]))
    [entry] = list(calendar.walk("VEVENT"))
    assert str(entry.decoded("dtstart")) == "2026-05-06" and int(entry["sequence"]) == 1
    assert str(entry["uid"]).endswith("@cii-valais")


async def wait_for_inbox(inbox: httpx.Client, kind: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        items = (await ok(inbox, "GET", "/api/v1/inbox?limit=200"))["items"]
        found = [i for i in items if i["kind"] == kind]
        if found:
            return dict(found[0])
        assert time.monotonic() < deadline, f"no {kind} in the inbox"
        await asyncio.sleep(0.5)


async def settle(mailpit: MailpitClient, count: int, timeout: float = 60.0) -> None:
    await mailpit.wait_for(lambda _: True, count=count, timeout=timeout)
    await asyncio.sleep(2)  # a late duplicate would show now


async def topic_partitions(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    return [tp for topic in (SIGNALEMENT_EVENTS, MEASURES_EVENTS) for tp in await partitions_of(consumer, topic)]


async def replay_from_start(platform: LocalPlatform) -> None:
    """The notifier's group back to offset 0 on both topics, and its processed-events inbox dropped."""
    consumer = AIOKafkaConsumer(bootstrap_servers=platform.infra.kafka_bootstrap, group_id=GROUP,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer)
        consumer.assign(partitions)
        await consumer.commit({tp: 0 for tp in partitions})
    finally:
        await consumer.stop()
    with MongoClient(platform.infra.mongodb_url) as mongo:
        mongo["cii_notifier"]["inbox"].delete_many({})


async def caught_up(platform: LocalPlatform, timeout: float = 90.0) -> None:
    """The notifier's committed offsets reach the end of both topics."""
    consumer = AIOKafkaConsumer(bootstrap_servers=platform.infra.kafka_bootstrap, group_id=GROUP,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await topic_partitions(consumer)
        deadline = time.monotonic() + timeout
        while True:
            ends = await consumer.end_offsets(partitions)
            committed = {tp: await consumer.committed(tp) or 0 for tp in partitions}
            if all(committed[tp] >= ends[tp] for tp in partitions):
                return
            assert time.monotonic() < deadline, f"notifier behind: {committed} of {ends}"
            await asyncio.sleep(0.5)
    finally:
        await consumer.stop()
