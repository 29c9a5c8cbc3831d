"""The expiry watch (the BI's procuration check): every day and at start, for every person with an
open situation, announce procurations expiring within the warning period and those that expired."""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from cii_platform.clock import Clock
from cii_platform.consent.model import Status

from . import events
from .ports import ProcurationRepository, SituationRepository

log = logging.getLogger(__name__)


class ExpiryWatch:
    def __init__(self, procurations: ProcurationRepository, situations: SituationRepository,
                 clock: Clock, warning_days: int) -> None:
        self._procurations = procurations
        self._situations = situations
        self._clock = clock
        self._warning_days = warning_days

    async def run_once(self) -> dict[str, int]:
        today = self._clock.today()
        persons = sorted(await self._situations.persons_with_open_situations())
        counts = {"expiring": 0, "expired": 0}
        for start in range(0, len(persons), 500):
            for procuration in await self._procurations.active_for_persons(persons[start:start + 500]):
                due = procuration.expiry_due(today, self._warning_days)
                if due is Status.EXPIRED:
                    changed = await self._procurations.transition(
                        procuration.procuration_id, {"status": Status.ACTIVE.value},
                        {"status": Status.EXPIRED.value},
                        [events.procuration_status(procuration, Status.EXPIRED, procuration.valid_until)])
                    counts["expired"] += int(changed)
                elif due is Status.ACTIVE:
                    changed = await self._procurations.transition(
                        procuration.procuration_id, {"status": Status.ACTIVE.value, "expiring_notified": False},
                        {"expiring_notified": True},
                        [events.procuration_status(procuration, Status.ACTIVE, today)])
                    counts["expiring"] += int(changed)
        return counts


def daily(job: Callable[[], Awaitable[object]], interval_seconds: float, name: str) -> Callable[[], Awaitable[None]]:
    """A background loop: run at start, then every interval; a failure is logged and retried next time."""
    async def loop() -> None:
        while True:
            try:
                result = await job()
                if result:
                    log.info("%s: %s", name, result)
            except Exception:
                log.exception("%s failed; retrying at the next interval", name)
            await asyncio.sleep(interval_seconds)
    return loop

