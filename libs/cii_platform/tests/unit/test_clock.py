"""One clock for the platform: today is the date in Valais, instants are UTC."""

from datetime import UTC, date, datetime

import pytest

from cii_platform.clock import FixedClock, SystemClock, clock_for

pytestmark = pytest.mark.unit


def test_today_is_the_date_in_valais_not_in_utc() -> None:
    # 23:30 UTC on 31 December is already 1 January in Sion (UTC+1 in winter).
    class NewYearsEve(SystemClock):
        def now(self) -> datetime:
            return datetime(2025, 12, 31, 23, 30, tzinfo=UTC)

    assert NewYearsEve().today() == date(2026, 1, 1)
    assert SystemClock().now().tzinfo is UTC


def test_a_fixed_day_is_kept_and_moved_only_when_asked() -> None:
    clock = clock_for(date(2026, 9, 30))
    assert isinstance(clock, FixedClock) and clock.today() == date(2026, 9, 30)
    clock.advance(2)
    assert clock.today() == date(2026, 10, 2)
    assert isinstance(clock_for(None), SystemClock)
