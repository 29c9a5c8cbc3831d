"""The demo waits until reporting shows the bureau's work, not merely until every tile has a number: a
dashboard read before the triages arrive shows every announcement overdue (CI saw 13 of 45)."""

import pytest

from cii_platform.demo import MEASURE_TYPES, missing_figures

pytestmark = pytest.mark.unit

REPORT = {"measures": dict.fromkeys(MEASURE_TYPES, 1), "adult_complex": {"total": 40}, "young": {"total": 5},
          "closures": {"total": 3}, "transitions": [{"from": "ORP", "to": "OAI"}],
          "simultaneous_follow_up": {"persons_total": 7}}


def board(overdue: int) -> dict[str, object]:
    return {"open_situations": {"total": 30}, "triage_overdue": overdue, "contracts_overdue": 1,
            "procurations_expiring": 2, "procurations_expired": 1, "measures_running": {"TRO": 2},
            "situations_closed": {"total": 3}}


def test_every_tile_with_a_number_is_visible_when_no_expectation_is_given() -> None:
    assert missing_figures(REPORT, board(13)) == []


def test_more_overdue_triages_than_left_untriaged_means_the_triages_are_not_applied_yet() -> None:
    missing = missing_figures(REPORT, board(13), overdue_at_most=2)
    assert missing == ["dashboard.triage_overdue (13 > 2: triages not applied yet)"]


def test_the_overdue_triages_left_on_purpose_are_visible() -> None:
    assert missing_figures(REPORT, board(2), overdue_at_most=2) == []
    assert missing_figures(REPORT, board(0), overdue_at_most=2) == ["dashboard.triage_overdue"]
