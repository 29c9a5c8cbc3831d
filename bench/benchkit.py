"""Shared pieces of the benchmarks: publishing announcements, watching the annual report, percentiles, memory."""

import asyncio
import time
import uuid
from pathlib import Path

import httpx

from cii_platform.contracts import types
from cii_platform.contracts.topics import inbound
from cii_platform.testing.generator_basic import announcement_payload
from cii_platform.testing.kafka_client import InstitutionClient, inbound_event

INSTITUTIONS = ("ORP", "CMS", "OAI", "OASI", "OSP", "LMMT", "OCPS")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_line(latencies_ms: list[float]) -> str:
    return (f"p50 {percentile(latencies_ms, 0.5):.0f} ms  p95 {percentile(latencies_ms, 0.95):.0f} ms  "
            f"p99 {percentile(latencies_ms, 0.99):.0f} ms  max {max(latencies_ms):.0f} ms")


async def publish_announcements(bootstrap: str, year: int, events: int, rate: float | None) -> list[float]:
    """Publish valid adult complex announcements; `rate` None means as fast as the producer goes."""
    sent_at: list[float] = []
    async with InstitutionClient(bootstrap) as client:
        start = time.monotonic()
        for index in range(events):
            institution = INSTITUTIONS[index % len(INSTITUTIONS)]
            data = announcement_payload(index, year=year, ref=f"bench-{uuid.uuid4()}")
            if rate:
                await asyncio.sleep(max(0.0, start + index / rate - time.monotonic()))
            sent_at.append(time.monotonic())
            await client.send(inbound(institution), inbound_event(institution, types.SIGNALEMENT_SUBMITTED, data),
                              key=data["external_ref"])
    return sent_at


async def watch_report(report_url: str, token: str, events: int, timeout: float) -> list[float]:
    """When each of the `events` announcements became visible in the annual report (k-th seen, k-th time)."""
    seen_at: list[float] = []
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while len(seen_at) < events and time.monotonic() < deadline:
            total = (await client.get(report_url)).json()["adult_complex"]["total"]
            now = time.monotonic()
            seen_at.extend([now] * (total - len(seen_at)))
            await asyncio.sleep(0.02)
    return seen_at


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class PeakMemory:
    """Samples the resident memory of some processes every half second while a load runs."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peak = {name: 0.0 for name in pids}
        self._task: asyncio.Task[None] | None = None

    async def _sample(self) -> None:
        while True:
            for name, pid in self.pids.items():
                self.peak[name] = max(self.peak[name], rss_mib(pid))
            await asyncio.sleep(0.5)

    def __enter__(self) -> "PeakMemory":
        self._task = asyncio.get_running_loop().create_task(self._sample())
        return self

    def __exit__(self, *_: object) -> None:
        if self._task:
            self._task.cancel()
