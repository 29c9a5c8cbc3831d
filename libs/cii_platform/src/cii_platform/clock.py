"""The platform's idea of today, one for every service: the CII works in Valais, so "today" is the date in
Europe/Zurich (a deadline falls on the same day for a service in UTC and a person in Sion); instants
(`now`) are UTC. Injectable: tests and process tests fix the day (`<SERVICE>_CLOCK_TODAY`)."""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SWISS_TIME = ZoneInfo("Europe/Zurich")


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    def today(self) -> date:
        return self.now().astimezone(SWISS_TIME).date()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """Today is a given date; the time of day still runs (timeouts, audit timestamps)."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        return datetime.now(UTC)

    def set(self, today: date) -> None:
        self._today = today

    def advance(self, days: int) -> None:
        self._today += timedelta(days=days)


def clock_for(today: date | None) -> Clock:
    return FixedClock(today) if today else SystemClock()


def swiss_today() -> date:
    """For code with no service clock at hand (a command's default year, a page's "today")."""
    return SystemClock().today()
