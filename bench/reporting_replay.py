"""Reporting at scale: replay rate, annual report time, peak memory.

    .venv/bin/python bench/reporting_replay.py            # quick: 10,000 situations, 100,000 events
    .venv/bin/python bench/reporting_replay.py --full     # 100,000 situations, 1,000,000 events

Starts its own Kafka and FerretDB (ports from CII_TEST_PORT_BASE, default 23000), publishes a generated
history (ten years of situations, measures, transitions, procurations, alerts, caseloads, plus the
re-announcements that correct situations) onto the internal topics, then:
1. `rebuild` (in this process): replay of every internal topic into the projection log: events/s;
2. the reporting service as a process: time to fold the projection at start, then the annual report's
   answer time over HTTP (median of 5), and the service's peak memory (VmHWM).
Targets (issue 6): replay > 5,000 events/s; annual report < 1 s.
"""

import argparse
import asyncio
import hashlib
import json
import os
import resource
import statistics
import time
from pathlib import Path

from aiokafka import AIOKafkaProducer

from cii_platform.contracts.internal_signalement import SITUATION_RECORDED
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, topic_specs
from cii_platform.messaging.topics_admin import ensure_topics
from cii_platform.reference import load_reference_data
from cii_platform.testing.generator import History, HistoryGenerator, emit, internal_events, situation_recorded
from cii_platform.testing.platform import LocalPlatform

YEARS = tuple(range(2015, 2025))
SITUATIONS_PER_SCALE_UNIT = 582  # one year at scale 1.0 (the 2024 report's volumes)


def pseudonym(avs: str) -> str:
    return "p_" + hashlib.sha256(b"bench|" + avs.encode()).hexdigest()[:40]


def generate(situations: int) -> History:
    scale = situations / SITUATIONS_PER_SCALE_UNIT / len(YEARS)
    history = History()
    for year in YEARS:
        history.extend(HistoryGenerator(seed=year, prefix=f"b{year}").year(year, scale=scale))
    return history


def records(history: History, events: int) -> list[tuple[str, str, bytes]]:
    """The history's events, then re-announcements (version 2, 3...) until the target count."""
    out = [(topic, key, event.model_dump_json(exclude_none=True).encode())
           for topic, key, event in internal_events(history, pseudonym)]
    version = 2
    while len(out) < events:
        for s in history.situations:
            if len(out) >= events:
                break
            _, key, event = emit(SIGNALEMENT_EVENTS, s.situation_id, SITUATION_RECORDED, "signalement",
                                 situation_recorded(s, pseudonym, version=version), s.situation_id, str(version))
            out.append((SIGNALEMENT_EVENTS, key, event.model_dump_json(exclude_none=True).encode()))
        version += 1
    return out


async def publish(bootstrap: str, batch: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    institutions = sorted(load_reference_data().institution_codes)
    await ensure_topics(bootstrap, topic_specs(institutions))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                                max_batch_size=512 * 1024, compression_type=None)
    await producer.start()
    try:
        pending = []
        for topic, key, value in batch:
            pending.append(await producer.send(topic, value, key=key.encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


def peak_memory_mib(pid: int | None = None) -> float:
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def replay(platform: LocalPlatform) -> str:
    os.environ.update({k: v for k, v in platform.service_env("reporting").items() if k.isupper()})
    from reporting.config import Settings
    from reporting.entrypoints.cli.rebuild import run_rebuild

    summary = await run_rebuild(Settings())
    return summary.describe()


def report_times(platform: LocalPlatform, year: int) -> tuple[list[float], dict[str, object]]:
    token = platform.token("BUREAU", "reporting_reader")
    times, report = [], {}
    with platform.client("reporting", token) as http:
        for _ in range(5):
            started = time.perf_counter()
            report = http.get(f"/api/v1/reports/annual/{year}").raise_for_status().json()
            times.append(time.perf_counter() - started)
    return times, report


def measure_service(platform: LocalPlatform) -> None:
    started = time.perf_counter()
    service = platform.start_service("reporting", wait=False)
    service.wait_ready(timeout=1800)
    print(f"service ready (projection folded from the store) in {time.perf_counter() - started:.1f} s")
    times, report = report_times(platform, 2024)
    assert service.process is not None
    print(f"annual report 2024: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
          f"(adult complex {report['adult_complex']['total']}, young {report['young']['total']})")  # type: ignore[index]
    print(f"reporting service peak memory: {peak_memory_mib(service.process.pid):.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="100,000 situations and 1,000,000 events")
    parser.add_argument("--situations", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    situations, events = (100_000, 1_000_000) if args.full else (args.situations, args.events)

    started = time.perf_counter()
    history = generate(situations)
    batch = records(history, events)
    print(f"generated {len(history.situations)} situations, {len(batch)} events "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    platform = LocalPlatform.for_tests()
    platform.start(names=())
    try:
        print(f"published in {asyncio.run(publish(platform.infra.kafka_bootstrap, batch)):.1f} s", flush=True)
        del batch
        print(f"rebuild: {asyncio.run(replay(platform))}; peak memory of the replay process "
              f"{peak_memory_mib():.0f} MiB (generator included)", flush=True)
        measure_service(platform)
        print(json.dumps({"situations": len(history.situations), "events": events}))
    finally:
        platform.stop()


if __name__ == "__main__":
    main()
