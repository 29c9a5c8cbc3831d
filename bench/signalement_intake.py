"""Benchmark of the signalement intake through Kafka (issue 3).

Starts Kafka, the store and the procuration (key custody) and signalement services as processes (ports
from CII_TEST_PORT_BASE, default 22000), then:
1. sustained rate: sends --count valid announcements at once from several institutions and measures
   announcements per second from the first send to the last answer on the outbound topics;
2. latency: sends at half that rate for --seconds and reports p50 / p99 / max intake latency, from the
   send to the answer record's broker timestamp.

    .venv/bin/python bench/signalement_intake.py                      # short run (< 60 s with start-up)
    .venv/bin/python bench/signalement_intake.py --count 1000 --seconds 120
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid
from datetime import date, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from benchkit import percentile

from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.contracts.types import EVENT_ACCEPTED, SIGNALEMENT_SUBMITTED
from cii_platform.testing.kafka_client import inbound_event
from cii_platform.testing.platform import LocalPlatform

INSTITUTIONS = ["ORP", "CMS", "OASI", "OAI", "OSP", "LMMT"]
REGIONS = ["SION", "SIERRE", "MONTHEY", "MARTIGNY", "HAUT_VALAIS"]


def announcement(rng: random.Random) -> dict[str, Any]:
    announced_on = date.today() - timedelta(days=rng.randint(1, 200))
    birth = announced_on - timedelta(days=rng.randint(16 * 366, 60 * 365))
    return {
        "external_ref": f"bench-{uuid.uuid4().hex[:16]}", "announced_on": announced_on.isoformat(),
        "announcer": {"collaborator": "bench", "respondent": "bench"},
        "person": {"avs_number": format_avs(f"756{rng.randint(10**8, 10**9 - 1):09d}"), "last_name": "Bench",
                   "first_name": "Mark", "birth_date": birth.isoformat(), "sex": rng.choice("FMX"),
                   "region": rng.choice(REGIONS), "education_level": "SECONDARY_II"},
        "situation_type": rng.choice(["SIMPLE", "NETWORK", "COMPLEX"]),
        "risk_factors": rng.sample(["HEALTH", "FINANCE", "HOUSING", "FAMILY", "LANGUAGE"], rng.randint(0, 4)),
        "employment_gap": "UNDER_1_YEAR", "follow_up_started_on": (announced_on - timedelta(days=60)).isoformat(),
        "co_following": [], "summary": "benchmark situation"}


class AnswerCollector:
    """Reads the outbound topics and keeps, per answered event id, the answer's broker timestamp."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = AIOKafkaConsumer(*[outbound(c) for c in INSTITUTIONS], bootstrap_servers=bootstrap,
                                          group_id=None, auto_offset_reset="latest", enable_auto_commit=False)
        self.answered: dict[str, tuple[float, str]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        for _ in range(300):  # the subscription is assigned with the first metadata refresh
            if self._consumer.assignment():
                break
            await asyncio.sleep(0.1)
        for partition in self._consumer.assignment():  # resolve the lazy seek now: no answer is skipped
            await self._consumer.position(partition)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for record in self._consumer:
            value = json.loads(record.value)
            event_id = (value.get("data") or {}).get("event_id")
            if event_id:
                self.answered[event_id] = (record.timestamp / 1000, value["type"])

    async def wait_for(self, ids: set[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ids <= self.answered.keys():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(ids - self.answered.keys())} of {len(ids)} announcements unanswered")
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
        await self._consumer.stop()


async def send(producer: AIOKafkaProducer, rng: random.Random) -> tuple[str, float]:
    institution = rng.choice(INSTITUTIONS)
    data = announcement(rng)
    event = inbound_event(institution, SIGNALEMENT_SUBMITTED, data)
    sent_at = time.time()
    await producer.send(inbound(institution), json.dumps(event).encode(), key=data["external_ref"].encode())
    return event["id"], sent_at


async def sustained_rate(producer: AIOKafkaProducer, answers: AnswerCollector, count: int,
                         rng: random.Random) -> float:
    started = time.time()
    ids = {(await send(producer, rng))[0] for _ in range(count)}
    await producer.flush()
    await answers.wait_for(ids, timeout=max(120.0, count))
    rejected = [i for i in ids if answers.answered[i][1] != EVENT_ACCEPTED]
    assert not rejected, f"{len(rejected)} benchmark announcements were rejected"
    finished = max(answers.answered[i][0] for i in ids)
    return count / (finished - started)


async def latencies_at(producer: AIOKafkaProducer, answers: AnswerCollector, rate: float, seconds: float,
                       rng: random.Random) -> list[float]:
    sent: dict[str, float] = {}
    interval = 1.0 / rate
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        event_id, at = await send(producer, rng)
        await producer.flush()
        sent[event_id] = at
        n += 1
        await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
    await answers.wait_for(set(sent), timeout=120)
    return sorted(answers.answered[i][0] - at for i, at in sent.items())


async def run(platform: LocalPlatform, count: int, seconds: float, warmup: int) -> None:
    rng = random.Random(42)
    bootstrap = platform.infra.kafka_bootstrap
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5)
    answers = AnswerCollector(bootstrap)
    await producer.start()
    await answers.start()
    try:
        await sustained_rate(producer, answers, warmup, rng)  # connections, caches, JIT of the broker
        rate = await sustained_rate(producer, answers, count, rng)
        print(f"sustained intake: {rate:.1f} announcements/s ({count} announcements through Kafka)")
        values = await latencies_at(producer, answers, rate / 2, seconds, rng)
        print(f"latency at {rate / 2:.1f}/s over {seconds:.0f}s ({len(values)} announcements): "
              f"p50 {statistics.median(values) * 1000:.0f} ms, p99 {percentile(values, 0.99) * 1000:.0f} ms, "
              f"max {values[-1] * 1000:.0f} ms")
    finally:
        await answers.stop()
        await producer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=150, help="announcements of the sustained-rate phase")
    parser.add_argument("--seconds", type=float, default=12, help="duration of the half-rate latency phase")
    parser.add_argument("--warmup", type=int, default=20, help="announcements sent before measuring")
    parser.add_argument("--base", type=int, default=int(os.environ.get("CII_TEST_PORT_BASE", "22000")),
                        help="port base of the benchmark platform (CII_TEST_PORT_BASE)")
    args = parser.parse_args()
    platform = LocalPlatform.for_tests(args.base)
    started = time.monotonic()
    platform.start(names=("procuration", "signalement"))
    print(f"platform ready in {time.monotonic() - started:.0f}s (procuration + signalement, port base {args.base})")
    try:
        asyncio.run(run(platform, args.count, args.seconds, args.warmup))
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
