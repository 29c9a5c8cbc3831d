"""One-off jobs at a service's start (migrations of stored data) that may wait for another service."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx

log = logging.getLogger(__name__)


def start_up_job(job: Callable[[], Awaitable[int]], *, waiting: str, done: str, retry_seconds: float = 2.0,
                 attempts: int = 150, until_nothing_left: bool = False) -> Callable[[], Awaitable[None]]:
    """A one-off job at start (a migration of stored data) that needs another service, perhaps not up yet:
    retried on transport errors, given up after `attempts` (it runs again at the next start).

    `job` returns how many documents it changed (logged with `done`, a %d format); `until_nothing_left`
    runs it again until a pass changes nothing (documents written meanwhile in the old form)."""
    async def run() -> None:
        for _ in range(attempts):
            try:
                count = await job()
                log.info(done, count)
                if not until_nothing_left or count == 0 or await job() == 0:
                    return
            except httpx.TransportError as exc:
                log.warning("%s: %s", waiting, exc)
                await asyncio.sleep(retry_seconds)
        log.error("%s: gave up after %d attempts; it runs again at the next start", waiting, attempts)
    return run
