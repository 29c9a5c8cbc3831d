"""End-to-end latency: an announcement published on an inbound topic -> visible in the annual report.

Starts the real platform (Kafka, FerretDB, the four services as processes) on its own ports, publishes
N valid announcements at a steady rate from several institutions,
and polls the annual report of a year nobody else uses. The k-th visible announcement is matched with
the k-th published one (order statistics): exact when the platform keeps arrival order, a close
estimate with 3 partitions.

    .venv/bin/python bench/e2e_latency.py [--events 1000] [--rate 50]
"""

import argparse
import asyncio
import os
import time

from benchkit import latency_line, publish_announcements, watch_report

from cii_platform.testing.platform import LocalPlatform


async def measure(platform: LocalPlatform, events: int, rate: float, timeout: float,
                  year: int = 2019) -> tuple[list[float], float]:
    """The platform is fresh (its own data folder), so one past year holds only this run's announcements."""
    report_url = f"{platform.url('reporting')}/api/v1/reports/annual/{year}"
    token = platform.token("BUREAU", "reporting_reader")
    started = time.monotonic()
    watcher = asyncio.create_task(watch_report(report_url, token, events, timeout))
    sent_at = await publish_announcements(platform.infra.kafka_bootstrap, year, events, rate)
    seen_at = await watcher
    latencies = [(seen - sent) * 1000 for sent, seen in zip(sent_at, seen_at, strict=False)]
    if len(seen_at) < events:
        print(f"WARNING: only {len(seen_at)} of {events} announcements visible after {timeout:.0f}s")
    return latencies, time.monotonic() - started


async def run(args: argparse.Namespace) -> None:
    platform = LocalPlatform.for_tests(base=args.port_base)
    platform.start()
    try:
        latencies, elapsed = await measure(platform, args.events, args.rate, args.timeout)
    finally:
        platform.stop()
    print(f"e2e latency, {args.events} announcements at {args.rate:.0f}/s over {elapsed:.1f}s: "
          + (latency_line(latencies) if latencies else "nothing visible"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50.0, help="announcements per second")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--port-base", type=int, default=int(os.environ.get("CII_BENCH_PORT_BASE", "25000")))
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
