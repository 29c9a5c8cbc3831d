"""The lifecycle rules of the five measures (docs/contract.md 7, issue 5)."""

from datetime import date

import pytest
from measures_factories import new_measure, situation_ref

from cii_platform.contracts.codes import MeasureType
from cii_platform.validation import DomainValidationError
from measures.domain.model import InvalidTransition, MeasureStatus, Outcome, Participant, follow_up_id

pytestmark = pytest.mark.unit
ORP = [Participant(institution="ORP")]


@pytest.mark.parametrize("measure_type", [MeasureType.TRO, MeasureType.ASSESSMENT])
def test_a_session_is_scheduled_then_held(measure_type: MeasureType) -> None:
    measure = new_measure(measure_type)
    measure.schedule(date(2026, 2, 10), ORP)
    follow_up = measure.hold(date(2026, 2, 10), None, variable_cost=None)
    assert measure.status == MeasureStatus.HELD and follow_up is None
    assert [c.kind for c in measure.pop_changes()] == ["scheduled", "held"]


def test_a_scheduled_session_may_be_moved_and_keeps_its_participants() -> None:
    measure = new_measure(MeasureType.TRO)
    measure.schedule(date(2026, 2, 10), ORP)
    measure.schedule(date(2026, 2, 17), [])
    assert (measure.scheduled_on, measure.participants) == (date(2026, 2, 17), ORP)
    assert [c.kind for c in measure.pop_changes()] == ["scheduled", "scheduled"]
    measure.hold(date(2026, 2, 17), None, variable_cost=None)
    with pytest.raises(InvalidTransition):
        measure.schedule(date(2026, 2, 24), ORP)


@pytest.mark.parametrize("measure_type", [MeasureType.COACHING_ORP_CMS, MeasureType.CASE_MANAGEMENT,
                                          MeasureType.MEDICAL_MANDATE])
def test_a_running_measure_is_started_then_closed(measure_type: MeasureType) -> None:
    measure = new_measure(measure_type)
    measure.start(date(2026, 2, 3), case_manager=None, contract_due_on=None, variable_cost=None)
    measure.close(date(2026, 6, 30), True, None, "fr")
    assert measure.status == MeasureStatus.CLOSED and measure.reinsertion is True
    assert [c.kind for c in measure.pop_changes()] == ["started", "closed"]


@pytest.mark.parametrize(("measure_type", "action", "state"), [
    (MeasureType.TRO, "start", "requested"),
    (MeasureType.TRO, "hold", "requested"),
    (MeasureType.TRO, "close", "requested"),
    (MeasureType.COACHING_ORP_CMS, "schedule", "requested"),
    (MeasureType.COACHING_ORP_CMS, "close", "requested"),
    (MeasureType.MEDICAL_MANDATE, "hold", "requested"),
])
def test_a_wrong_transition_names_the_current_state(measure_type: MeasureType, action: str, state: str) -> None:
    measure = new_measure(measure_type)
    steps = {
        "start": lambda: measure.start(date(2026, 3, 1), case_manager=None, contract_due_on=None, variable_cost=None),
        "hold": lambda: measure.hold(date(2026, 3, 1), None, variable_cost=None),
        "close": lambda: measure.close(date(2026, 3, 1), False, None, "fr"),
        "schedule": lambda: measure.schedule(date(2026, 3, 1), ORP),
    }
    with pytest.raises(InvalidTransition) as raised:
        steps[action]()
    assert raised.value.current_state == state
    assert measure.status == MeasureStatus.REQUESTED and not measure.pop_changes()


def test_a_closed_measure_cannot_be_closed_or_started_again() -> None:
    measure = new_measure(MeasureType.COACHING_ORP_CMS)
    measure.start(date(2026, 2, 3), case_manager=None, contract_due_on=None, variable_cost=None)
    measure.close(date(2026, 3, 3), False, None, "fr")
    with pytest.raises(InvalidTransition) as raised:
        measure.close(date(2026, 3, 4), False, None, "fr")
    assert raised.value.current_state == "closed"
    with pytest.raises(InvalidTransition):
        measure.start(date(2026, 3, 4), case_manager=None, contract_due_on=None, variable_cost=None)


@pytest.mark.parametrize(("step", "field"), [("schedule", "date"), ("hold", "held_on"), ("start", "started_on"),
                                             ("close", "closed_on")])
def test_dates_out_of_order_name_the_field(step: str, field: str) -> None:
    session = new_measure(MeasureType.TRO)
    running = new_measure(MeasureType.COACHING_ORP_CMS)
    if step == "hold":
        session.schedule(date(2026, 2, 10), ORP)
    if step == "close":
        running.start(date(2026, 2, 10), case_manager=None, contract_due_on=None, variable_cost=None)
    early = date(2026, 1, 31)
    steps = {"schedule": lambda: session.schedule(early, ORP),
             "hold": lambda: session.hold(early, None, variable_cost=None),
             "start": lambda: running.start(early, case_manager=None, contract_due_on=None, variable_cost=None),
             "close": lambda: running.close(early, True, None, "fr")}
    with pytest.raises(DomainValidationError) as raised:
        steps[step]()
    assert [e.field for e in raised.value.errors] == [field]


def test_a_request_before_the_announcement_names_requested_on() -> None:
    with pytest.raises(DomainValidationError) as raised:
        new_measure(MeasureType.TRO, requested_on=date(2026, 1, 1), announced_on=date(2026, 1, 10))
    assert raised.value.errors[0].field == "requested_on"


@pytest.mark.parametrize("recommended", [MeasureType.CASE_MANAGEMENT, MeasureType.ASSESSMENT])
def test_an_outcome_recommending_case_management_or_assessment_creates_it(recommended: MeasureType) -> None:
    tro = new_measure(MeasureType.TRO)
    tro.schedule(date(2026, 2, 10), ORP)
    follow_up = tro.hold(date(2026, 2, 12), Outcome(recommended_measure=recommended), variable_cost=None)
    assert follow_up is not None and follow_up.type == recommended
    assert follow_up.id == follow_up_id(tro.id, recommended) == tro.follow_up_measure_id
    assert follow_up.origin_measure_id == tro.id and follow_up.requested_on == date(2026, 2, 12)
    assert follow_up.requested_by == "ORP" and follow_up.situation == situation_ref()
    assert [c.kind for c in follow_up.pop_changes()] == ["requested"]


def test_an_outcome_recommending_a_medical_mandate_only_records_it() -> None:
    tro = new_measure(MeasureType.TRO)
    tro.schedule(date(2026, 2, 10), ORP)
    assert tro.hold(date(2026, 2, 12), Outcome(recommended_measure=MeasureType.MEDICAL_MANDATE),
                    variable_cost=None) is None
    assert tro.outcome is not None and tro.outcome.recommended_measure == MeasureType.MEDICAL_MANDATE
    assert tro.follow_up_measure_id is None
