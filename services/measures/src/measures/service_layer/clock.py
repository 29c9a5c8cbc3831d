"""The service's idea of today, injectable: alerts depend on it, tests fix it."""

from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

SWISS_TIME = ZoneInfo("Europe/Zurich")


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    def today(self) -> date:
        return datetime.now(SWISS_TIME).date()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Today is a given date (MEASURES_CLOCK_TODAY in process tests); `now` keeps running."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def set(self, today: date) -> None:
        self._today = today

    def now(self) -> datetime:
        return datetime.now(UTC)
