"""Sending the recorded deliveries: each e-mail sent, then marked; retried with backoff while the mail
server is away (an outage delays the e-mails, loses none); a daily digest for who asked for one.

Between "sent" and "marked" a crash of the process would send that one e-mail again at the restart:
the window is one store write, and the message keeps its Message-ID so a second copy is recognisable.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from cii_platform.clock import Clock

from ..domain import rules
from ..domain.invitation import invitation_ics
from ..domain.people import NAMESPACE
from .compose import WORDS, Composer
from .notify import MAIL_PENDING
from .ports import Deliveries, Document, MailTransport, MailUnavailable, OutgoingMail

log = logging.getLogger(__name__)

DIGEST = "DIGEST"
INVITATIONS = (rules.MEASURE_SCHEDULED, rules.MEASURE_RESCHEDULED)


def retry_delay(attempts: int, *, cap_seconds: float = 300.0) -> timedelta:
    return timedelta(seconds=min(cap_seconds, 2.0 * 2 ** min(attempts - 1, 10)))


def message_id(delivery_id: str, domain: str) -> str:
    return f"<{delivery_id}@{domain}>"


class Mailer:
    def __init__(self, *, deliveries: Deliveries, transport: MailTransport, composer: Composer, clock: Clock,
                 sender: str, batch: int = 50, idle_seconds: float = 5.0) -> None:
        self._deliveries = deliveries
        self._transport = transport
        self._composer = composer
        self._clock = clock
        self._sender = sender
        self._domain = sender.rpartition("@")[2] or "cii.local"
        self._batch = batch
        self._idle_seconds = idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """The background loop: send what is due, then sleep until woken or the next retry."""
        while True:
            try:
                await self.send_due()
            except Exception:  # the store away: try again at the next round
                log.exception("mail round failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_seconds)

    async def send_due(self) -> int:
        """Sends every due delivery; returns how many were sent. Stops at the first outage."""
        sent = 0
        while True:
            due = await self._deliveries.due_mails(self._clock.now(), self._batch)
            if not due:
                return sent
            for delivery in due:
                try:
                    await self._transport.send(self.mail_of(delivery))
                except MailUnavailable as exc:
                    attempts = delivery.get("attempts", 0) + 1
                    await self._deliveries.postpone(delivery["_id"], attempts,
                                                    self._clock.now() + retry_delay(attempts), str(exc)[:500])
                    log.warning("mail server unavailable, %s retried later (attempt %s): %s",
                                delivery["_id"], attempts, exc)
                    return sent
                await self._deliveries.mark_sent(delivery["_id"], self._clock.now())
                sent += 1

    def mail_of(self, delivery: Document) -> OutgoingMail:
        language = delivery["language"]
        if delivery["kind"] == DIGEST:
            items = delivery["items"]
            return OutgoingMail(message_id(delivery["_id"], self._domain), delivery["email"],
                                self._composer.digest_subject(len(items), language),
                                self._composer.digest_text(items, language))
        details = delivery.get("details") or {}
        attachments = []
        if delivery["kind"] in INVITATIONS:
            attachments.append(("invitation.ics", "text/calendar", self._invitation(delivery)))
        return OutgoingMail(
            message_id(delivery["_id"], self._domain), delivery["email"],
            self._composer.subject(delivery["kind"], details, language, delivery["reference"]),
            self._composer.notice_text(delivery["kind"], delivery["situation_id"], details, language), attachments)

    def _invitation(self, delivery: Document) -> bytes:
        details = delivery["details"]
        language = delivery["language"]
        summary = self._composer.gettext(language)(WORDS.get(details["measure_type"], details["measure_type"]))
        return invitation_ics(
            measure_id=details["measure_id"], summary=f"CII {summary} — {delivery['reference']}",
            day=date.fromisoformat(details["date"]), sequence=int(details.get("sequence") or 0),
            url=self._composer.link(delivery["situation_id"]), organizer=self._sender,
            attendees=[delivery["email"]], stamp=delivery["created_at"])


class DigestBuilder:
    """Once a day per person (after `hour` UTC): the waiting items become one e-mail.

    Items are first claimed under the day's digest id, then the digest delivery is recorded under that
    id: a crash in between claims them again under the same id at the next round, nothing is lost or
    sent twice. Items arriving after the day's digest wait for the next day's.
    """

    def __init__(self, *, deliveries: Deliveries, clock: Clock, hour: int, wake_mailer: Callable[[], None]) -> None:
        self._deliveries = deliveries
        self._clock = clock
        self._hour = hour
        self._wake_mailer = wake_mailer

    async def run_once(self) -> int:
        now = self._clock.now()
        if now.hour < self._hour:
            return 0
        built = 0
        for username in await self._deliveries.digest_pending_people():
            if await self.build(username, now):
                built += 1
        if built:
            self._wake_mailer()
        return built

    async def build(self, username: str, now: datetime) -> bool:
        digest_id = str(uuid.uuid5(NAMESPACE, f"digest|{username}|{now.date().isoformat()}"))
        if await self._deliveries.exists(digest_id):
            return False  # today's digest is out: the rest waits for tomorrow's
        items = await self._deliveries.claim_for_digest(username, digest_id)
        if not items:
            return False
        first = items[0]
        return await self._deliveries.add({
            "_id": digest_id, "kind": DIGEST, "username": username, "email": first["email"],
            "language": items[-1]["language"], "inbox": False, "created_at": now, "read_at": None,
            "items": [{"kind": i["kind"], "situation_id": i["situation_id"], "details": i.get("details") or {}}
                      for i in items],
            "mail": MAIL_PENDING, "attempts": 0, "next_attempt_at": now, "sent_at": None})

    async def run(self, every_seconds: float = 60.0) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("digest round failed")
            await asyncio.sleep(every_seconds)

