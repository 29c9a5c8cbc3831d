"""Load figures of issues 8 and 19, in one run on one broker:

1. the baseline: a bare aiokafka loop doing what an efficient consumer does (`getmany` up to 500 records,
   parse each JSON value, `send` each answer without awaiting it, acks=all with idempotence, one `flush`
   and one `commit` per batch), answering a burst of announcements published as fast as a producer goes;
2. the signalement intake answering the same burst on the outbound topics (throughput, p50/p99 of
   published -> answer seen);
3. the sustained rate signalement -> reporting and the latency to the annual report at half that rate;
4. each service's memory.

    .venv/bin/python bench/platform_load.py [--burst 3000] [--events 2000]
"""

import argparse
import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from benchkit import INSTITUTIONS, PeakMemory, latency_line, percentile, rss_mib, watch_report
from e2e_latency import measure

from cii_platform.contracts import types
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.testing.generator_basic import announcement_payload
from cii_platform.testing.kafka_client import inbound_event
from cii_platform.testing.platform import LocalPlatform

BATCH = 500
AnswerId = Callable[[bytes], str]  # the inbound event id an answer record answers


def announcements(events: int, year: int) -> list[tuple[str, str, bytes]]:
    """(institution, event id, record value) of `events` valid announcements, encoded before the clock runs."""
    burst = []
    for index in range(events):
        institution = INSTITUTIONS[index % len(INSTITUTIONS)]
        data = announcement_payload(index, year=year, ref=f"burst-{uuid.uuid4()}")
        event = inbound_event(institution, types.SIGNALEMENT_SUBMITTED, data)
        burst.append((institution, event["id"], json.dumps(event).encode()))
    return burst


class Burst:
    """Publishes records as fast as the producer goes (send without awaiting each) and times their answers."""

    def __init__(self, bootstrap: str, answer_topics: list[str]) -> None:
        self.bootstrap = bootstrap
        self.answer_topics = answer_topics
        self.sent_at: dict[str, float] = {}
        self.answered_at: dict[str, float] = {}

    async def run(self, records: list[tuple[str, str, bytes]], answer_id: AnswerId, timeout: float) -> None:
        reader = AIOKafkaConsumer(*self.answer_topics, bootstrap_servers=self.bootstrap, group_id=None,
                                  auto_offset_reset="latest", enable_auto_commit=False)
        await reader.start()
        await reader.getmany(timeout_ms=500)  # assigned and positioned at the end before the burst
        for tp in reader.assignment():
            await reader.position(tp)
        producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True,
                                    linger_ms=5)
        await producer.start()
        try:
            watcher = asyncio.create_task(self._watch(reader, answer_id, len(records), timeout))
            for topic, key, value in records:
                self.sent_at[key] = time.monotonic()
                await producer.send(topic, value, key=key.encode())
            await producer.flush()
            await watcher
        finally:
            await producer.stop()
            await reader.stop()

    async def _watch(self, reader: AIOKafkaConsumer, answer_id: AnswerId, expected: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.answered_at) < expected and time.monotonic() < deadline:
            for messages in (await reader.getmany(timeout_ms=200, max_records=BATCH)).values():
                now = time.monotonic()
                for message in messages:
                    key = answer_id(message.value or b"")
                    if key in self.sent_at:
                        self.answered_at.setdefault(key, now)

    def figures(self) -> tuple[float, list[float]]:
        if not self.answered_at:
            return 0.0, [float("inf")]
        rate = len(self.answered_at) / (max(self.answered_at.values()) - min(self.sent_at.values()))
        return rate, [(self.answered_at[k] - self.sent_at[k]) * 1000 for k in self.answered_at]


def accepted_event_id(value: bytes) -> str:
    return str(json.loads(value).get("data", {}).get("event_id"))


async def batched_loop(bootstrap: str, source: str, sink: str, group: str, stop: asyncio.Event) -> None:
    """The baseline consumer: getmany (500), parse, send without awaiting, one flush and one commit a batch."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await producer.start()
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=100, max_records=BATCH)
            if not batches:
                continue
            for messages in batches.values():
                for record in messages:
                    event = json.loads(record.value or b"{}")
                    answer = {"type": types.EVENT_ACCEPTED, "data": {"event_id": event["id"]}}
                    await producer.send(sink, json.dumps(answer).encode(), key=record.key)
            await producer.flush()
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def baseline(bootstrap: str, burst: list[tuple[str, str, bytes]], timeout: float) -> tuple[float, list[float]]:
    source, sink = f"bench.source.{uuid.uuid4().hex[:6]}", f"bench.sink.{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(source, 3, 1), NewTopic(sink, 3, 1)])
    await admin.close()
    stop = asyncio.Event()
    loop = asyncio.create_task(batched_loop(bootstrap, source, sink, f"bench-{uuid.uuid4().hex[:6]}", stop))
    await asyncio.sleep(3.0)  # the loop has joined its group
    timer = Burst(bootstrap, [sink])
    await timer.run([(source, event_id, value) for _, event_id, value in burst], accepted_event_id, timeout)
    stop.set()
    await loop
    return timer.figures()


async def intake(platform: LocalPlatform, burst: list[tuple[str, str, bytes]],
                 timeout: float) -> tuple[float, list[float]]:
    timer = Burst(platform.infra.kafka_bootstrap, [outbound(code) for code in INSTITUTIONS])
    await timer.run([(inbound(institution), event_id, value) for institution, event_id, value in burst],
                    accepted_event_id, timeout)
    return timer.figures()


async def throughput(platform: LocalPlatform, events: int, timeout: float, year: int = 2018) -> float:
    report_url = f"{platform.url('reporting')}/api/v1/reports/annual/{year}"
    watcher = asyncio.create_task(watch_report(report_url, platform.token("BUREAU", "reporting_reader"),
                                               events, timeout))
    records = [(inbound(institution), event_id, value) for institution, event_id, value in announcements(events, year)]
    started = time.monotonic()
    await Burst(platform.infra.kafka_bootstrap, [outbound(code) for code in INSTITUTIONS]).run(
        records, accepted_event_id, timeout)
    seen_at = await watcher
    return len(seen_at) / (seen_at[-1] - started) if seen_at else 0.0


def load_average() -> str:
    return " ".join(open("/proc/loadavg").read().split()[:3])


def figures_line(rate: float, latencies: list[float], count: int) -> str:
    return (f"{rate:.0f}/s ({len(latencies)} of {count} answered), p50 {percentile(latencies, 0.5):.0f} ms, "
            f"p99 {percentile(latencies, 0.99):.0f} ms")


async def run(args: argparse.Namespace) -> None:
    platform = LocalPlatform.for_tests(base=args.port_base)
    platform.start()
    try:
        pids = {name: service.process.pid for name, service in platform.services.items() if service.process}
        at_rest = {name: rss_mib(pid) for name, pid in pids.items()}
        print(f"load average before: {load_average()}")
        base_rate, base_latencies = await baseline(platform.infra.kafka_bootstrap, announcements(args.burst, 2017),
                                                   args.timeout)
        print(f"baseline batched aiokafka loop, burst of {args.burst}: "
              f"{figures_line(base_rate, base_latencies, args.burst)}  [load {load_average()}]")
        with PeakMemory(pids) as memory:
            rate, latencies = await intake(platform, announcements(args.burst, 2016), args.timeout)
            print(f"signalement intake, same burst: {figures_line(rate, latencies, args.burst)}  "
                  f"[load {load_average()}]")
            print(f"intake/baseline throughput = {rate / base_rate:.3f} (target >= 0.05, aim 0.25); "
                  f"p99 ratio = {percentile(latencies, 0.99) / percentile(base_latencies, 0.99):.1f} "
                  f"(target <= 10)")
            sustained = await throughput(platform, args.events, args.timeout)
            print(f"platform sustained throughput: {sustained:.0f} announcements/s "
                  f"(signalement -> reporting, {args.events} events)  [load {load_average()}]")
            if sustained < 2:  # the burst's backlog was not worked off within the timeout: nothing to halve
                print("announcement -> annual report: not measured (no sustained rate within the timeout)")
            else:
                report_latencies, _ = await measure(platform, max(200, args.events // 2), sustained / 2,
                                                    args.timeout)
                print(f"announcement -> annual report at {sustained / 2:.0f}/s: "
                      f"{latency_line(report_latencies)}  [load {load_average()}]")
    finally:
        platform.stop()
    for name in pids:
        print(f"memory {name:<12} at rest {at_rest[name]:.0f} MiB, peak under load {memory.peak[name]:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--burst", type=int, default=3000, help="announcements of the answered burst")
    parser.add_argument("--events", type=int, default=2000, help="announcements of the report throughput run")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("CII_BENCH_PORT_BASE", "25000")))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
