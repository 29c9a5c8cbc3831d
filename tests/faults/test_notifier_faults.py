"""Issue 17: the notifier killed (SIGKILL) during a flow loses and duplicates no e-mail.

Announcements arrive on the institutions' inbound topics while the notifier is killed and restarted; then
every situation is triaged over HTTP while it is killed again. Each event must give exactly one e-mail to
each person it concerns (the region's coordinator for the announcement, the announcing institution's
respondent for the triage), read back from Mailpit's API. The fault platform runs the notifier with the
demo roster (NOTIFIER_DIRECTORY=file). Kept short: 40 announcements.
"""

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from workload import answer_readers, assert_one_answer_each, build_workload, publish

from cii_platform.contracts import types
from cii_platform.contracts.references import human_reference
from cii_platform.testing.mailpit import MailpitClient
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(900)]

YEAR = 2008  # the other scenarios announce in 2002-2007 (test_faults.YEARS)
ANNOUNCED = "[CII] Nouveau signalement à trier"
TRIAGED = "[CII] Décision de tri sur votre signalement"
# The demo roster (services/notifier/src/notifier/people.yaml): who answers for an announcing institution.
RESPONDENTS = {"ORP": "worker.orp@cii.local", "CMS": "respondent.cms@cii.local"}  # OAI, OSP: nobody listed


def coordinator(region: str) -> str:
    return f"coord.{region.lower().replace('_', '-')}@cii.local"


async def test_killing_the_notifier_during_a_flow_sends_every_email_exactly_once(platform: LocalPlatform) -> None:
    mailpit = MailpitClient(platform.infra.mailpit_url)
    try:
        await asyncio.to_thread(mailpit.delete_all)
        work = build_workload(YEAR, announcements=40)
        notifier = platform.services["notifier"]

        # 1. the announcements flow in; the notifier is killed in the middle and comes back
        async with answer_readers(platform) as answers:
            load = asyncio.create_task(publish(platform, work, pause_every=5, pause=0.2))
            await asyncio.sleep(1.0)
            notifier.kill()
            await asyncio.sleep(1.0)
            await asyncio.to_thread(platform.start_service, "notifier")
            await load
            await assert_one_answer_each(answers, work, timeout=180)
            situations = accepted_situations(answers.records, work.events)
        assert len(situations) == len(work.valid_announcements) == 36

        # 2. every situation triaged by its coordinator; the notifier killed after the first third
        expected: Counter[tuple[str, str, str]] = Counter()
        for index, (situation_id, (institution, region)) in enumerate(sorted(situations.items())):
            if index == len(situations) // 3:
                notifier.kill()
            await asyncio.to_thread(triage, platform, situation_id, region)
            reference = human_reference(situation_id)
            expected[(coordinator(region), ANNOUNCED, reference)] += 1
            if institution in RESPONDENTS:
                expected[(RESPONDENTS[institution], TRIAGED, reference)] += 1
        await asyncio.to_thread(platform.start_service, "notifier")

        references = {reference for _, _, reference in expected}
        received = await mails_about(mailpit, references, sum(expected.values()))
        await asyncio.sleep(3)  # a late duplicate would show now
        received = await mails_about(mailpit, references, sum(expected.values()))
        assert received == expected, (f"missing {dict(expected - received)}, extra {dict(received - expected)}")
    finally:
        mailpit.close()


def accepted_situations(records: list[dict[str, Any]], events: list[tuple[str, Any, str]]
                        ) -> dict[str, tuple[str, str]]:
    """situation id -> (announcing institution, region) for every accepted announcement."""
    announcements = {event["id"]: (institution, event["data"]["person"]["region"])
                     for institution, event, _ in events
                     if isinstance(event, dict) and event["type"] == types.SIGNALEMENT_SUBMITTED}
    return {record["value"]["data"]["resource_id"]: announcements[record["value"]["data"]["event_id"]]
            for record in records
            if record["value"].get("type") == types.EVENT_ACCEPTED
            and record["value"]["data"].get("event_id") in announcements}


def triage(platform: LocalPlatform, situation_id: str, region: str) -> None:
    token = platform.token("BUREAU", "coordinator", region=region, subject=coordinator(region).split("@")[0])
    with platform.client("signalement", token) as client:
        response = client.post(f"/api/v1/signalements/{situation_id}/triage",
                               json={"decision": "ACCEPT_COMPLEX", "reason": "cumul de difficultés"})
    assert response.status_code == 200, f"triage of {situation_id}: {response.status_code} {response.text}"


async def mails_about(mailpit: MailpitClient, references: set[str], count: int,
                      timeout: float = 180.0) -> Counter[tuple[str, str, str]]:
    """(recipient, subject line, reference) -> how many e-mails, once at least `count` are there (or the
    time is up: the comparison then names what is missing)."""
    deadline = time.monotonic() + timeout
    while True:
        found: Counter[tuple[str, str, str]] = Counter()
        for summary in await asyncio.to_thread(mailpit.summaries):
            subject, _, reference = summary["Subject"].partition(" — ")
            if reference in references:
                for address in summary["To"]:
                    found[(address["Address"], subject, reference)] += 1
        if sum(found.values()) >= count or time.monotonic() > deadline:
            return found
        await asyncio.sleep(1.0)
