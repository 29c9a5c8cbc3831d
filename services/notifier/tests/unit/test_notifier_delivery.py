"""Deliveries with in-memory adapters: never twice, never lost, in the person's language, nothing personal."""

from datetime import date, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from notifier_fakes import WORKSPACE, Fixture, event, recorded, scheduled

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.references import human_reference
from notifier.domain.people import Preferences
from notifier.service_layer.notify import MAIL_DIGEST, MAIL_PENDING, MAIL_SENT

pytestmark = pytest.mark.unit


async def test_a_redelivered_event_sends_no_second_mail() -> None:
    f = Fixture()
    announced = event(signalement.SITUATION_RECORDED, recorded(), "e-1", source="/cii/signalement")
    assert await f.service.notifier.situation_recorded(announced) == 1
    assert await f.service.mailer.send_due() == 1
    assert await f.service.notifier.situation_recorded(announced) == 0
    assert await f.service.mailer.send_due() == 0
    [mail] = f.transport.sent
    assert mail.to == "coord.sion@cii.local"
    assert human_reference("sit-1") in mail.subject
    assert f"{WORKSPACE}/situations/sit-1" in mail.text
    assert "Nouveau signalement" in mail.subject and "Sion" in mail.text


async def test_a_mail_outage_delays_and_loses_nothing() -> None:
    f = Fixture()
    f.transport.down = True
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded(), "e-1"))
    await f.service.notifier.measure_scheduled(event(measures.MEASURE_SCHEDULED, scheduled(date(2026, 3, 20)), "e-2"))
    assert await f.service.mailer.send_due() == 0
    [postponed] = [d for d in f.deliveries.documents.values() if d["attempts"] == 1]
    assert postponed["next_attempt_at"] > f.clock.now()
    f.transport.down = False
    assert await f.service.mailer.send_due() == 3  # the postponed one is not due yet
    f.clock.current += timedelta(minutes=10)
    assert await f.service.mailer.send_due() == 1
    assert len(f.transport.sent) == 4 and not f.deliveries.mails(MAIL_PENDING)


async def test_mails_are_in_the_recipients_language_without_codes() -> None:
    f = Fixture()
    await f.preferences.put("coord.sion", Preferences(language="de"))
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded(), "e-1"))
    await f.service.mailer.send_due()
    [mail] = f.transport.sent
    assert mail.subject.startswith("[CII] Neue Meldung zur Triage")
    assert "13. März 2026" in mail.text and "Guten Tag" in mail.text


async def test_an_invitation_carries_a_calendar_file_and_a_move_updates_it() -> None:
    f = Fixture()
    await f.service.notifier.measure_scheduled(event(measures.MEASURE_SCHEDULED, scheduled(date(2026, 3, 20)), "e-1"))
    await f.service.notifier.measure_scheduled(event(measures.MEASURE_SCHEDULED, scheduled(date(2026, 3, 27)), "e-2"))
    await f.service.mailer.send_due()
    to_cms = [m for m in f.transport.sent if m.to == "respondent.cms@cii.local"]
    assert [m.subject.split(" — ")[0] for m in to_cms] == [
        "[CII] Invitation : table ronde (TRO) le 20 mars 2026",
        "[CII] Déplacé : table ronde (TRO) désormais le 27 mars 2026"]
    calendars = [Calendar.from_ical(m.attachments[0][2]) for m in to_cms]
    entries = [next(iter(c.walk("VEVENT"))) for c in calendars]
    assert {str(e["uid"]) for e in entries} == {"m-1@cii-valais"}
    assert [int(e["sequence"]) for e in entries] == [0, 1]
    assert entries[1].decoded("dtstart") == date(2026, 3, 27)
    assert to_cms[0].attachments[0][:2] == ("invitation.ics", "text/calendar")


async def test_the_digest_gathers_a_days_notices_in_one_mail_once() -> None:
    f = Fixture()
    await f.preferences.put("coord.sion", Preferences(digest=True))
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded("sit-1"), "e-1"))
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded("sit-2"), "e-2"))
    assert await f.service.mailer.send_due() == 0
    assert len(f.deliveries.mails(MAIL_DIGEST)) == 2
    assert await f.service.digests.run_once() == 1
    assert await f.service.mailer.send_due() == 1
    [digest] = f.transport.sent
    assert human_reference("sit-1") in digest.text and human_reference("sit-2") in digest.text
    # later the same day: the next notice waits for tomorrow's digest
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded("sit-3"), "e-3"))
    assert await f.service.digests.run_once() == 0
    f.clock.current += timedelta(days=1)
    assert await f.service.digests.run_once() == 1
    await f.service.mailer.send_due()
    assert len(f.transport.sent) == 2 and human_reference("sit-3") in f.transport.sent[1].text
    # the inbox shows every notice, not the digest itself
    items, total = await f.deliveries.inbox("coord.sion", unread_only=False, offset=0, limit=10)
    assert total == 3 and {i["kind"] for i in items} == {"ANNOUNCEMENT_RECEIVED"}


async def test_no_personal_data_reaches_an_email() -> None:
    f = Fixture()
    data = recorded()
    data["sealed"] = {"IDENTITY": {"alg": "A256GCM", "key_id": "k", "nonce": "n", "ciphertext": "Jeanne Dupont"}}
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, data, "e-1"))
    await f.service.notifier.situation_closed(event(measures.SITUATION_CLOSED, {
        "situation_id": "sit-1", "closed_on": "2026-06-30", "region": "SION", "network": ["CMS", "ORP"]}, "e-2"))
    await f.service.mailer.send_due()
    assert len(f.transport.sent) == 6
    for mail in f.transport.sent:
        assert "Dupont" not in mail.text and "p" * 64 not in mail.text and "756." not in mail.text
    assert all(d["mail"] == MAIL_SENT for d in f.deliveries.documents.values())


async def test_read_marks_only_the_persons_own_items() -> None:
    f = Fixture()
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, recorded(), "e-1"))
    [item], _ = await f.deliveries.inbox("coord.sion", unread_only=True, offset=0, limit=10)
    assert not await f.deliveries.mark_read("coord.young", item["_id"], f.clock.now())
    assert await f.deliveries.mark_read("coord.sion", item["_id"], f.clock.now())
    assert (await f.deliveries.inbox("coord.sion", unread_only=True, offset=0, limit=10))[1] == 0


async def test_a_replayed_schedule_neither_mails_nor_moves_the_entry_back() -> None:
    f = Fixture()
    first = event(measures.MEASURE_SCHEDULED, scheduled(date(2026, 3, 20)), "e-1")
    moved = event(measures.MEASURE_SCHEDULED, scheduled(date(2026, 3, 27)), "e-2")
    assert await f.service.notifier.measure_scheduled(first) == 3
    assert await f.service.notifier.measure_scheduled(moved) == 3
    assert await f.service.notifier.measure_scheduled(first) == 0
    assert await f.service.notifier.measure_scheduled(moved) == 0
    assert f.projections.schedules["m-1"]["date"] == "2026-03-27" and f.projections.schedules["m-1"]["sequence"] == 1




def awaiting(pseudonym: str, provider: str = "ORP") -> dict[str, Any]:
    return {"request_id": "req-1", "requester": "CMS", "provider": provider, "person_pseudonym": pseudonym,
            "categories": ["EMPLOYMENT", "SOCIAL"], "purpose": "CII_COORDINATION",
            "deadline": "2026-03-09T10:00:00Z"}


async def test_an_exchange_waiting_tells_the_providers_respondent_about_the_persons_situation() -> None:
    f = Fixture()
    older, newer = recorded("sit-0"), recorded("sit-1")
    older["announced_on"] = "2025-01-10"
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, older, "e-0"))
    await f.service.notifier.situation_recorded(event(signalement.SITUATION_RECORDED, newer, "e-1"))
    f.transport.sent.clear()
    waiting = event(procuration.EXCHANGE_AWAITING, awaiting("p" * 64), "e-2", source="/cii/procuration")
    assert await f.service.notifier.exchange_awaiting(waiting) == 1
    assert await f.service.notifier.exchange_awaiting(waiting) == 0  # redelivered: nothing new
    await f.service.mailer.send_due()
    [mail] = [m for m in f.transport.sent if "échange" in m.subject]
    assert mail.to == "worker.orp@cii.local"  # ORP has no respondent in the roster: its people
    assert mail.subject == f"[CII] Demande d'échange en attente de votre réponse — {human_reference('sit-1')}"
    assert "CMS demande à votre institution des données sur cette situation (emploi, situation sociale)" in mail.text
    assert "9 mars 2026" in mail.text and f"{WORKSPACE}/situations/sit-1" in mail.text
    assert "p" * 64 not in mail.text and "req-1" not in mail.text


async def test_an_exchange_about_a_person_without_a_known_situation_tells_nobody() -> None:
    f = Fixture()
    waiting = event(procuration.EXCHANGE_AWAITING, awaiting("q" * 64), "e-1", source="/cii/procuration")
    assert await f.service.notifier.exchange_awaiting(waiting) == 0
