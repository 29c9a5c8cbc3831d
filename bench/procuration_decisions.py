"""Decision and key-release latency (issue 4 target: p99 < 5 ms at 500 decisions/s).

Starts Kafka, the store and the procuration service as a process (LocalPlatform, ports from
CII_TEST_PORT_BASE, default 21500) and records procurations. Then: the HTTP decision endpoint, one caller,
16 callers and at a fixed rate (open loop: a request is sent at its scheduled time whether or not earlier
ones have answered); key releases. Every decision and release is audited, as in production.

    .venv/bin/python bench/procuration_decisions.py [--rate 500] [--seconds 10]
"""

import argparse
import asyncio
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from benchkit import percentile

from cii_platform.testing.platform import LocalPlatform
from procuration.testing import new_avs, procuration_payload, record_procuration, service_headers

PERSONS = 20
CATEGORIES = ["EMPLOYMENT", "SOCIAL", "HEALTH"]
DRAIN_SECONDS = 5.0


def summary(name: str, latencies_ms: list[float], errors: int, rate: float) -> str:
    if not latencies_ms:
        return f"{name}: no answer at all ({errors} errors)"
    return (f"{name}: answered={len(latencies_ms)} errors/unanswered={errors} (sent at {rate:.0f}/s) "
            f"p50={percentile(latencies_ms, 0.50):.2f} ms p99={percentile(latencies_ms, 0.99):.2f} ms "
            f"max={max(latencies_ms):.2f} ms mean={statistics.fmean(latencies_ms):.2f} ms")


async def timed(client: httpx.AsyncClient, path: str, body: dict[str, object], sink: list[float],
                failures: list[int]) -> None:
    started = time.perf_counter()
    try:
        response = await client.post(path, json=body)
    except httpx.HTTPError:
        failures.append(0)  # no answer in time: counted, not measured
        return
    sink.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        failures.append(response.status_code)


async def open_loop(client: httpx.AsyncClient, path: str, bodies: list[dict[str, object]],
                    rate: float) -> tuple[list[float], list[int], float]:
    """Answers' latencies, failures, and the rate actually sent."""
    latencies: list[float] = []
    failures: list[int] = []
    tasks = []
    started = time.perf_counter()
    for index, body in enumerate(bodies):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(timed(client, path, body, latencies, failures)))
    sent = time.perf_counter() - started
    _, late = await asyncio.wait(tasks, timeout=DRAIN_SECONDS)
    for task in late:  # a saturated service: what is still queued is reported, not waited for
        task.cancel()
    failures.extend([0] * len(late))
    return latencies, failures, len(bodies) / max(sent, 1e-9)


def decision_bodies(persons: list[str], count: int) -> list[dict[str, object]]:
    return [{"requester": random.choice(["CMS", "ORP", "OAI"]), "person": {"avs_number": random.choice(persons)},
             "category": random.choice(CATEGORIES), "purpose": "TRO"} for _ in range(count)]


async def issue_keys(client: httpx.AsyncClient, pseudonyms: list[str]) -> list[str]:
    key_ids = []
    for pseudonym in pseudonyms:
        response = await client.post("/internal/v1/keys/issue", json={
            "person_pseudonym": pseudonym, "category": "EMPLOYMENT", "controller": "ORP"})
        key_ids.append(response.json()["key_id"])
    return key_ids


async def closed_loop(client: httpx.AsyncClient, path: str, make_body: Callable[[], dict[str, object]],
                      workers: int, seconds: float) -> tuple[list[float], list[int], float]:
    """`workers` callers back to back for `seconds`: the rate the service sustains on this machine."""
    latencies: list[float] = []
    failures: list[int] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            await timed(client, path, make_body(), latencies, failures)

    await asyncio.gather(*(worker() for _ in range(workers)))
    return latencies, failures, len(latencies) / seconds


async def measure(platform: LocalPlatform, persons: list[str], pseudonyms: list[str], args: argparse.Namespace) -> None:
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    timeout = httpx.Timeout(5.0)
    async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=service_headers(platform),
                                 limits=limits, timeout=timeout) as client:
        await closed_loop(client, "/api/v1/decisions", lambda: decision_bodies(persons, 1)[0], 4, 1.0)  # warm-up
        latencies, failures, rate = await closed_loop(
            client, "/api/v1/decisions", lambda: decision_bodies(persons, 1)[0], 1, args.seconds)
        print(summary("decisions, one caller (unloaded latency)", latencies, len(failures), rate))
        latencies, failures, rate = await closed_loop(
            client, "/api/v1/decisions", lambda: decision_bodies(persons, 1)[0], 16, args.seconds)
        print(summary("decisions, 16 callers (capacity)", latencies, len(failures), rate))
        latencies, failures, sent_rate = await open_loop(
            client, "/api/v1/decisions", decision_bodies(persons, int(args.rate * args.seconds)), args.rate)
        print(summary(f"decisions, open loop at {args.rate:.0f}/s", latencies, len(failures), sent_rate))
        key_ids = await issue_keys(client, pseudonyms)
        latencies, failures, rate = await closed_loop(client, "/internal/v1/keys/release", lambda: {
            "key_id": random.choice(key_ids), "institution": "CMS", "purpose": "TRO",
            "actor": {"subject": "bench", "institution": "CMS"}}, 1, args.seconds)
        print(summary("key releases (PERMIT decision + durable audit), one caller", latencies, len(failures), rate))
        await asyncio.sleep(0.5)
        verification = (await client.get("/api/v1/audit/verify")).json()
        print(f"audit chain after the run: valid={verification['valid']} entries={verification['entries']}")


def prepare_one(platform: LocalPlatform) -> tuple[str, str]:
    avs = new_avs()
    pid = record_procuration(platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT", "SOCIAL"], purposes=["TRO"]))
    with platform.client("procuration", platform.token("BUREAU", "cantonal_officer")) as http:
        return avs, http.get(f"/api/v1/procurations/{pid}").json()["person_pseudonym"]


def prepare(platform: LocalPlatform) -> tuple[list[str], list[str]]:
    with ThreadPoolExecutor(8) as pool:
        prepared = list(pool.map(lambda _: prepare_one(platform), range(PERSONS)))
    return [avs for avs, _ in prepared], [pseudonym for _, pseudonym in prepared]


async def audit_entries(platform: LocalPlatform) -> int:
    async with httpx.AsyncClient(base_url=platform.url("procuration"), headers=service_headers(platform)) as client:
        return int((await client.get("/api/v1/audit/verify")).json()["entries"])


async def wait_for_audit(platform: LocalPlatform, wanted: int, within: float = 60) -> int:
    deadline = time.perf_counter() + within
    while True:
        entries = await audit_entries(platform)
        if entries >= wanted or time.perf_counter() > deadline:
            return entries
        await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()
    platform = LocalPlatform.for_tests(int(os.environ.get("CII_TEST_PORT_BASE", "21500")))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # `timeout` or Ctrl-C still stop the platform
    started = time.perf_counter()
    platform.start(names=("procuration",))
    try:
        persons, pseudonyms = prepare(platform)
        print(f"platform up and {PERSONS} procurations recorded in {time.perf_counter() - started:.1f} s; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        asyncio.run(measure(platform, persons, pseudonyms, args))
    finally:
        platform.stop()
    print(f"total {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
