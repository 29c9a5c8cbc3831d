#!/usr/bin/env python3
"""Wait until the platform's dependencies answer real requests, not just accept connections.

    wait_ready.py [--kafka BOOTSTRAP] [--mongo URL] [--http URL ...] [--timeout S] [--pid PID ...]

- Kafka is ready when a metadata request lists at least one broker (aiokafka admin client).
- The store is ready when it answers the `ping` command (pymongo).
- An HTTP service is ready when its URL (a /readyz) answers 2xx.

Every check is retried until all pass (exit 0) or the timeout expires (exit 1, naming what is not
ready and the last error). `--pid` names processes that were just started: if one exits, waiting
any longer is pointless, so it fails at once. Exit 2 means a usage error or a missing library.
Used by scripts/infra.sh and the Makefile; runs with the repository venv (aiokafka, pymongo).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable

# One attempt never blocks longer than this, so a hung peer cannot eat the whole timeout.
ATTEMPT_TIMEOUT = 5.0
RETRY_DELAY = 0.5

# A check gets a time budget in seconds for one attempt and raises when not ready.
Check = Callable[[float], Awaitable[None]]


def redact(url: str) -> str:
    """Hide credentials of a mongodb://user:password@host URL before printing it."""
    return re.sub(r"//[^/@]*@", "//***@", url)


async def check_kafka(bootstrap: str, budget: float) -> None:
    try:
        from aiokafka.admin import AIOKafkaAdminClient
    except ImportError as exc:  # pragma: no cover - environment problem
        raise MissingLibrary("aiokafka") from exc

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=max(int(budget * 1000), 1000))
    try:
        await admin.start()  # bootstraps with a metadata request
        cluster = await admin.describe_cluster()
        if not cluster.get("brokers"):
            raise RuntimeError("metadata lists no broker yet")
    finally:
        await admin.close()


async def check_mongo(url: str, budget: float) -> None:
    try:
        import pymongo
    except ImportError as exc:  # pragma: no cover - environment problem
        raise MissingLibrary("pymongo") from exc

    options = {
        "serverSelectionTimeoutMS": int(budget * 1000),
        "connectTimeoutMS": int(budget * 1000),
    }
    if hasattr(pymongo, "AsyncMongoClient"):
        client = pymongo.AsyncMongoClient(url, **options)
        try:
            await client.admin.command("ping")
        finally:
            await client.close()
        return

    def ping_sync() -> None:  # pymongo < 4.10 has no async client
        sync_client = pymongo.MongoClient(url, **options)
        try:
            sync_client.admin.command("ping")
        finally:
            sync_client.close()

    await asyncio.to_thread(ping_sync)


async def check_http(url: str, budget: float) -> None:
    def get() -> None:
        try:
            with urllib.request.urlopen(url, timeout=budget) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"HTTP {exc.code}") from None
        if not 200 <= status < 300:
            raise RuntimeError(f"HTTP {status}")

    await asyncio.to_thread(get)


class MissingLibrary(Exception):
    """The Python running this script lacks a client library: retrying cannot help."""


def process_exited(pid: int) -> bool:
    """True when the process is gone or a zombie (a zombie still answers kill(pid, 0))."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def describe(exc: BaseException) -> str:
    """First line of an error, without pymongo's long topology dump."""
    text = str(exc).strip() or type(exc).__name__
    text = text.splitlines()[0].split(" (configured timeouts")[0]
    return text[:300]


async def attempt(check: Check, remaining: float) -> BaseException | None:
    budget = max(min(ATTEMPT_TIMEOUT, remaining), 0.5)
    try:
        await asyncio.wait_for(check(budget), timeout=budget + 0.5)
    except MissingLibrary:
        raise
    except Exception as exc:  # any failure means "not ready yet"
        return exc
    return None


async def wait_one(name: str, check: Check, start: float, deadline: float, pids: list[int]) -> bool:
    """Retry one check until it passes (True) or waiting is over (False, reason printed)."""
    last_error: BaseException | None = None
    while True:
        error = await attempt(check, deadline - time.monotonic())
        if error is None:
            print(f"ready: {name} ({time.monotonic() - start:.1f} s)", flush=True)
            return True
        # A bare timeout of a short last attempt says less than the error before it.
        if last_error is None or not isinstance(error, TimeoutError):
            last_error = error
        dead = [pid for pid in pids if process_exited(pid)]
        if dead or time.monotonic() >= deadline:
            reason = f"process {dead[0]} exited" if dead else f"timeout after {deadline - start:g} s"
            print(f"not ready: {name} ({reason}); last error: {describe(last_error)}", file=sys.stderr)
            return False
        await asyncio.sleep(RETRY_DELAY)


async def wait_all(checks: dict[str, Check], seconds: float, pids: list[int]) -> int:
    start = time.monotonic()
    deadline = start + seconds
    try:
        results = await asyncio.gather(
            *(wait_one(name, check, start, deadline, pids) for name, check in checks.items())
        )
    except MissingLibrary as exc:
        print(
            f"wait_ready: the Python library {exc} is missing from {sys.executable}; "
            "run `uv sync` (the repository venv) or set CII_PYTHON to a Python that has it",
            file=sys.stderr,
        )
        return 2
    return 0 if all(results) else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kafka", metavar="BOOTSTRAP", help="Kafka bootstrap servers, host:port[,...]")
    parser.add_argument("--mongo", metavar="URL", help="MongoDB URL (mongodb://...)")
    parser.add_argument(
        "--http", metavar="URL", nargs="+", action="extend", default=[], help="readiness URLs (/readyz)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait in all (60)")
    parser.add_argument(
        "--pid", type=int, action="append", default=[], help="give up at once if this process exits"
    )
    args = parser.parse_args(argv)
    if not (args.kafka or args.mongo or args.http):
        parser.error("nothing to wait for: give --kafka, --mongo or --http")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # aiokafka logs every refused connection at ERROR; while waiting those are expected.
    logging.basicConfig(level=logging.CRITICAL)
    checks: dict[str, Check] = {}
    if args.kafka:
        checks[f"kafka {args.kafka}"] = lambda t, b=args.kafka: check_kafka(b, t)
    if args.mongo:
        checks[f"store {redact(args.mongo)}"] = lambda t, u=args.mongo: check_mongo(u, t)
    for url in args.http:
        checks[f"http {url}"] = lambda t, u=url: check_http(u, t)
    return asyncio.run(wait_all(checks, args.timeout, args.pid))


if __name__ == "__main__":
    sys.exit(main())
