"""Which alerts a case management has on a given day (issue 5: contract overdue, no meeting for more
than 14 days, objective deadline passed, quarterly review due)."""

from datetime import date

import pytest
from measures_factories import new_measure

from cii_platform.contracts.codes import MeasureType
from measures.domain import case_management as cm
from measures.domain.alerts import expected_alerts
from measures.domain.model import CaseManager, Measure, Objective

pytestmark = pytest.mark.unit
TRO_HELD = date(2026, 3, 2)
STARTED = date(2026, 3, 5)


def running_case_management(situation_type: str = "COMPLEX") -> Measure:
    measure = new_measure(MeasureType.CASE_MANAGEMENT, situation_type=situation_type)
    measure.start(STARTED, case_manager=CaseManager(institution="CMS", subject="cm-1", designated_on=STARTED),
                  contract_due_on=cm.contract_due_on(TRO_HELD, STARTED), variable_cost=None)
    return measure


def kinds(measure: Measure, today: date) -> list[str]:
    return sorted(a.kind for a in expected_alerts(measure, today))


def test_the_contract_is_due_two_weeks_after_the_tro_that_led_to_it() -> None:
    assert cm.contract_due_on(TRO_HELD, STARTED) == date(2026, 3, 16)
    assert cm.contract_due_on(None, STARTED) == date(2026, 3, 19)


def test_contract_overdue_from_the_day_after_it_was_due_until_signed() -> None:
    measure = running_case_management()
    assert kinds(measure, date(2026, 3, 16)) == []
    assert kinds(measure, date(2026, 3, 17)) == ["CONTRACT_OVERDUE"]
    cm.sign_contract(measure, date(2026, 3, 17), [Objective(id="o-1", responsible_institution="ORP",
                                                            deadline=date(2026, 5, 1))])
    assert kinds(measure, date(2026, 3, 17)) == []


def test_no_meeting_for_more_than_14_days() -> None:
    """Seed 001, section 6 (répondant CII / case manager): "rencontrer le bénéficiaire à intervalles
    réguliers, environ chaque deux semaines": the alert fires on the 15th day without a meeting."""
    measure = running_case_management()
    cm.sign_contract(measure, STARTED, [Objective(id="o-1", responsible_institution="ORP",
                                                  deadline=date(2026, 12, 1))])
    assert kinds(measure, date(2026, 3, 19)) == []
    assert kinds(measure, date(2026, 3, 20)) == ["NO_MEETING"]
    cm.log_meeting(measure, date(2026, 3, 20), None)
    assert kinds(measure, date(2026, 4, 3)) == []
    assert kinds(measure, date(2026, 4, 4)) == ["NO_MEETING"]


def test_the_meeting_interval_is_configurable() -> None:
    """Seed 001, section 6: "environ" two weeks; the bureau may set another interval (meeting_every_days)."""
    measure = running_case_management()
    cm.sign_contract(measure, STARTED, [Objective(id="o-1", responsible_institution="ORP",
                                                  deadline=date(2026, 12, 1))])
    on = date(2026, 3, 20)
    assert [a.kind for a in expected_alerts(measure, on, meeting_every_days=21)] == []
    assert [a.kind for a in expected_alerts(measure, on, meeting_every_days=10)] == ["NO_MEETING"]


def test_objective_deadline_passed_until_achieved() -> None:
    measure = running_case_management()
    objectives = [Objective(id="o-1", responsible_institution="ORP", deadline=date(2026, 3, 20)),
                  Objective(id="o-2", responsible_institution="CMS", deadline=date(2026, 4, 30))]
    cm.sign_contract(measure, STARTED, objectives)
    cm.log_meeting(measure, date(2026, 3, 20), None)
    alerts = expected_alerts(measure, date(2026, 3, 21))
    assert [(a.kind, a.detail) for a in alerts] == [("OBJECTIVE_OVERDUE", "o-1")]
    cm.achieve_objective(measure, "o-1", date(2026, 3, 21))
    assert kinds(measure, date(2026, 3, 21)) == []


def test_quarterly_review_due_for_complex_situations_only() -> None:
    complex_case, network_case = running_case_management(), running_case_management("NETWORK")
    for measure in (complex_case, network_case):
        cm.sign_contract(measure, STARTED, [Objective(id="o", responsible_institution="ORP",
                                                      deadline=date(2027, 1, 1))])
        cm.log_meeting(measure, date(2026, 6, 1), None)
    assert kinds(complex_case, date(2026, 6, 4)) == []
    assert kinds(complex_case, date(2026, 6, 5)) == ["REVIEW_DUE"]
    assert kinds(network_case, date(2026, 6, 5)) == []
    cm.record_review(complex_case, date(2026, 6, 5), "coord")
    assert cm.next_review_due_on(complex_case) == date(2026, 9, 5)
    assert kinds(complex_case, date(2026, 6, 5)) == []


def test_a_closed_case_management_has_no_alerts() -> None:
    measure = running_case_management()
    measure.close(date(2026, 12, 1), True, None, "fr")
    assert kinds(measure, date(2027, 6, 1)) == []


def test_quarter_ends_clamp_to_the_month() -> None:
    assert cm.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert cm.add_months(date(2026, 10, 31), 3) == date(2027, 1, 31)
