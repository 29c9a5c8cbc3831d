"""Load figures of issue 8: sustained throughput of announcements through signalement into reporting,
latency at half that rate, the same machine's plain aiokafka baseline, and each service's memory.

    .venv/bin/python bench/platform_load.py [--events 2000] [--baseline-events 20000]
"""

import argparse
import asyncio
import os
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from benchkit import PeakMemory, latency_line, publish_announcements, rss_mib, watch_report
from e2e_latency import measure

from cii_platform.testing.platform import LocalPlatform


async def baseline(bootstrap: str, messages: int) -> float:
    """Consume, produce (acks=all, idempotent) and commit per record: the platform's loop without the platform."""
    source, sink = f"bench.source.{uuid.uuid4().hex[:6]}", f"bench.sink.{uuid.uuid4().hex[:6]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(source, 3, 1), NewTopic(sink, 3, 1)])
    await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    consumer = AIOKafkaConsumer(source, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:6]}",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await producer.start()
    await consumer.start()
    try:
        payload = b'{"specversion":"1.0","data":{"x":"' + b"y" * 800 + b'"}}'
        for index in range(messages):
            await producer.send(source, payload, key=str(index).encode())
        await producer.flush()
        started = time.monotonic()
        for _ in range(messages):
            record = await consumer.getone()
            await producer.send_and_wait(sink, record.value, key=record.key)
            await consumer.commit()
        return messages / (time.monotonic() - started)
    finally:
        await consumer.stop()
        await producer.stop()


async def throughput(platform: LocalPlatform, events: int, timeout: float, year: int = 2018) -> float:
    report_url = f"{platform.url('reporting')}/api/v1/reports/annual/{year}"
    watcher = asyncio.create_task(watch_report(report_url, platform.token("BUREAU", "reporting_reader"),
                                               events, timeout))
    started = time.monotonic()
    await publish_announcements(platform.infra.kafka_bootstrap, year, events, rate=None)
    seen_at = await watcher
    return len(seen_at) / (seen_at[-1] - started) if seen_at else 0.0


async def run(args: argparse.Namespace) -> None:
    platform = LocalPlatform.for_tests(base=args.port_base)
    platform.start()
    try:
        pids = {name: service.process.pid for name, service in platform.services.items() if service.process}
        at_rest = {name: rss_mib(pid) for name, pid in pids.items()}
        with PeakMemory(pids) as memory:
            rate = await throughput(platform, args.events, args.timeout)
            latencies, _ = await measure(platform, max(200, args.events // 2), max(1.0, rate / 2), args.timeout)
        kafka_rate = await baseline(platform.infra.kafka_bootstrap, args.baseline_events)
    finally:
        platform.stop()
    print(f"platform sustained throughput: {rate:.0f} announcements/s (signalement -> reporting, {args.events} events)")
    print(f"latency at {rate / 2:.0f}/s: {latency_line(latencies)}")
    print(f"baseline aiokafka consume-produce-commit loop: {kafka_rate:.0f} records/s; "
          f"platform/baseline = {rate / kafka_rate:.3f}")
    for name in pids:
        print(f"memory {name:<12} at rest {at_rest[name]:.0f} MiB, peak under load {memory.peak[name]:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--baseline-events", type=int, default=20000)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("CII_BENCH_PORT_BASE", "25000")))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
