"""The clock port: "today" is injectable so expiry and decisions can be tested at any date."""

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def today(self) -> date: ...

    def now(self) -> datetime: ...


class SystemClock:
    def today(self) -> date:
        return datetime.now(UTC).date()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedDayClock:
    """Today is a fixed date (the time of day still runs, for timeouts and audit timestamps)."""

    def __init__(self, today: date) -> None:
        self._today = today

    def today(self) -> date:
        return self._today

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, days: int) -> None:
        self._today += timedelta(days=days)


def clock_for(today: date | None) -> Clock:
    return FixedDayClock(today) if today else SystemClock()
