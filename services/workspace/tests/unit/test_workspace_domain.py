from datetime import date

import pytest

from cii_platform.reference import load_reference_data
from workspace.domain.dates import parse_swiss_date, swiss_date, swiss_datetime
from workspace.domain.gravity import breakdown
from workspace.domain.today import Task, alert_tasks, needs_me_today, triage_inbox_order, triage_tasks
from workspace.service_layer.home import search_filters

pytestmark = pytest.mark.unit
REFERENCE = load_reference_data()


def test_swiss_dates() -> None:
    assert swiss_date("2026-12-31") == "31.12.2026"
    assert swiss_date(date(2026, 1, 5)) == "05.01.2026"
    assert swiss_datetime("2026-03-01T10:05:00Z") == "01.03.2026 10:05"
    assert swiss_date(None) == ""
    assert parse_swiss_date("31.12.2026") == date(2026, 12, 31)
    assert parse_swiss_date("2026-12-31") == date(2026, 12, 31)
    assert parse_swiss_date("31/12/2026") is None


def test_gravity_shows_each_factor_contribution() -> None:
    shown = breakdown({"risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "OVER_THREE_YEARS",
                       "gravity_index": 2.5, "gravity_policy": "v1"}, REFERENCE)
    assert [(c.code, c.points) for c in shown.contributions] == [("HEALTH", 0.5), ("FINANCE", 0.5),
                                                                 ("OVER_THREE_YEARS", 1.5)]
    assert shown.explained
    assert not breakdown({"risk_factors": [], "employment_gap": "EMPLOYED", "gravity_index": 3.0,
                          "gravity_policy": "v2"}, REFERENCE).explained


def test_triage_inbox_overdue_first_then_deadline_then_gravest() -> None:
    rows = [{"id": "a", "triage_overdue": False, "triage_due_on": "2026-03-01", "gravity_index": 1},
            {"id": "b", "triage_overdue": True, "triage_due_on": "2026-02-10", "gravity_index": 1},
            {"id": "c", "triage_overdue": False, "triage_due_on": "2026-03-01", "gravity_index": 4}]
    assert [r["id"] for r in triage_inbox_order(rows)] == ["b", "c", "a"]


def test_what_needs_me_most_overdue_first() -> None:
    tasks = needs_me_today(
        triage_tasks([{"id": "s1", "triage_overdue": True, "triage_due_on": "2026-02-01", "external_ref": "R1"}])
        + alert_tasks([{"kind": "NO_MEETING", "situation_id": "s2", "measure_id": "m2", "due_on": "2026-01-15"},
                       {"kind": "REVIEW_DUE", "situation_id": "s3", "measure_id": "m3", "due_on": None}]))
    assert [t.kind for t in tasks] == ["NO_MEETING", "TRIAGE_OVERDUE", "REVIEW_DUE"]
    assert tasks[0].overdue(date(2026, 2, 1)) and not Task("X", None, None, None).overdue(date(2026, 1, 1))


def test_search_by_avs_number_or_reference() -> None:
    assert search_filters(" 756 1234 5678 97 ") == {"avs_number": "756.1234.5678.97"}
    assert search_filters("7561234567897") == {"avs_number": "756.1234.5678.97"}
    assert search_filters("ORP-2026-17") == {"reference": "ORP-2026-17"}
