"""A mixed inbound workload with its expected outcome, and the checks that every event had exactly one effect."""

import asyncio
import hashlib
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiokafka.errors import KafkaError

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.testing.generator_basic import announcement_payload
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform

INSTITUTIONS = ("ORP", "CMS", "OAI", "OSP")
FULL = os.environ.get("CII_FAULTS_FULL") == "1"
ANNOUNCEMENTS = 5000 if FULL else 400
# The platform answers about 10 events/s on this machine: the full volume needs its time to drain.
DRAIN_SECONDS = 2400 if FULL else 240


@dataclass
class Workload:
    year: int
    events: list[tuple[str, dict[str, Any] | bytes, str]] = field(default_factory=list)  # (institution, event, key)
    valid_announcements: set[str] = field(default_factory=set)
    accepted: set[str] = field(default_factory=set)  # event ids expecting event.accepted
    rejected: set[str] = field(default_factory=set)  # event ids expecting event.rejected
    procurations: dict[str, str] = field(default_factory=dict)  # procuration_id -> expected status
    measured: set[str] = field(default_factory=set)  # announcement event ids whose situation gets a TRO
    round_tables: dict[str, str] = field(default_factory=dict)  # situation id -> held TRO id (measures_load)

    @property
    def expected_ids(self) -> set[str]:
        return self.accepted | self.rejected


def procuration(procuration_id: str, index: int, year: int) -> dict[str, Any]:
    return {"procuration_id": procuration_id,
            "person": {"avs_number": format_avs(f"7568{index:08d}"), "last_name": f"Nom{index}",
                       "first_name": f"Prénom{index}", "birth_date": "1980-01-01"},
            "signed_on": f"{year - 1}-12-01", "valid_from": f"{year - 1}-12-01", "valid_until": "2099-12-31",
            "parties": ["ORP", "CMS"], "categories": ["EMPLOYMENT", "SOCIAL"], "purposes": ["CII_COORDINATION"],
            "document_sha256": hashlib.sha256(f"{procuration_id}".encode()).hexdigest()}


def build_workload(year: int, announcements: int = ANNOUNCEMENTS) -> Workload:
    """Announcements (one in ten invalid), procurations for one in ten, a revocation for one in three of those,
    and a round table (TRO, see measures_load) for one valid announcement in 25."""
    work = Workload(year=year)
    run = uuid.uuid4().hex[:8]
    for index in range(announcements):
        institution = INSTITUTIONS[index % len(INSTITUTIONS)]
        data = announcement_payload(index, year=year, ref=f"fault-{run}-{index}")
        if index % 10 == 7:
            data["person"]["avs_number"] = "756.0000.0000.00"  # wrong check digit
        event = inbound_event(institution, types.SIGNALEMENT_SUBMITTED, data)
        work.events.append((institution, event, data["external_ref"]))
        (work.rejected if index % 10 == 7 else work.accepted).add(event["id"])
        if index % 10 != 7:
            work.valid_announcements.add(data["external_ref"])
        if index % 25 == 1:  # never 7 modulo 10: a valid announcement
            work.measured.add(event["id"])
        if index % 10 == 3:
            add_procuration(work, run, index)
    return work


def add_procuration(work: Workload, run: str, index: int) -> None:
    procuration_id = f"proc-{run}-{index}"
    signed = inbound_event("ORP", types.PROCURATION_SIGNED, procuration(procuration_id, index, work.year))
    work.events.append(("ORP", signed, procuration_id))
    work.accepted.add(signed["id"])
    work.procurations[procuration_id] = "ACTIVE"
    if index % 30 == 3:
        revoked = inbound_event("ORP", types.PROCURATION_REVOKED, {
            "procuration_id": procuration_id, "revoked_on": f"{work.year}-01-15", "reason": "retrait du consentement"})
        work.events.append(("ORP", revoked, procuration_id))
        work.accepted.add(revoked["id"])
        work.procurations[procuration_id] = "REVOKED"


async def publish(platform: LocalPlatform, work: Workload, *, pause_every: int = 50, pause: float = 0.05) -> None:
    """Publish like an institution's system does: a send that fails during an outage is sent again."""
    async with InstitutionClient(platform.infra.kafka_bootstrap) as client:
        for position, (institution, event, key) in enumerate(work.events):
            await send_until_accepted(client, inbound(institution), event, key)
            if position % pause_every == 0:
                await asyncio.sleep(pause)


async def send_until_accepted(client: InstitutionClient, topic: str, event: dict[str, Any] | bytes, key: str,
                              *, give_up_after: float = 180) -> None:
    deadline = asyncio.get_running_loop().time() + give_up_after
    while True:
        try:
            await client.send(topic, event, key=key)
            return
        except KafkaError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(1.0)


def answers_by_event(answers: TopicReader, work: Workload) -> dict[str, set[tuple[str, str]]]:
    """(answer id, answer type) pairs received for each event of the workload."""
    expected = work.expected_ids
    by_event: dict[str, set[tuple[str, str]]] = {}
    for record in answers.records:
        value = record["value"]
        event_id = value.get("data", {}).get("event_id") if isinstance(value, dict) else None
        if event_id in expected:
            by_event.setdefault(event_id, set()).add((value["id"], value["type"]))
    return by_event


async def wait_for_answers(answers: TopicReader, work: Workload, timeout: float) -> None:
    """Until every event of the workload has an answer, reading only the records that are new at each poll
    (the full volume reads some 6,000 answers, a few at a time)."""
    deadline = time.monotonic() + timeout
    unanswered = set(work.expected_ids)
    while unanswered and time.monotonic() < deadline:
        for record in await answers.poll(1.0):
            value = record["value"]
            if isinstance(value, dict):
                unanswered.discard(value.get("data", {}).get("event_id"))


def answer_readers(platform: LocalPlatform, *, from_beginning: bool = False) -> TopicReader:
    return TopicReader(platform.infra.kafka_bootstrap, *(outbound(code) for code in INSTITUTIONS),
                       from_beginning=from_beginning)


async def assert_one_answer_each(answers: TopicReader, work: Workload,
                                 timeout: float = DRAIN_SECONDS) -> None:
    """Every event has answers with exactly one distinct id, of the expected kind (redeliveries repeat the id).

    Waits for every event to be answered, counting events, not answer records: after an outage a
    redelivered event is answered twice (same answer id), which must not stand for one still unanswered."""
    await wait_for_answers(answers, work, timeout)
    by_event = answers_by_event(answers, work)
    missing = work.expected_ids - set(by_event)
    assert not missing, f"{len(missing)} events never answered within {timeout} s: {sorted(missing)[:5]}"
    several = {e: a for e, a in by_event.items() if len(a) != 1}
    assert not several, f"events answered with several distinct answers: {list(several.items())[:3]}"
    wrong = [e for e, a in by_event.items()
             if next(iter(a))[1] != (types.EVENT_ACCEPTED if e in work.accepted else types.EVENT_REJECTED)]
    assert not wrong, f"{len(wrong)} events got the wrong kind of answer"
