"""Situations end, and open complex situations are followed quarterly (issue 14, points 4 and 7)."""

from datetime import date

import pytest
from measures_factories import new_measure

from cii_platform.contracts import internal_measures as events
from cii_platform.contracts.codes import MeasureType
from cii_platform.validation import DomainValidationError
from measures.domain.model import FINISHED, InvalidTransition, MeasureStatus, Outcome, Participant
from measures.domain.situation import Situation
from measures.service_layer.closure import OUTCOME_OF_TRIAGE, _closure_after

pytestmark = pytest.mark.unit


def situation(**changes: object) -> Situation:
    fields: dict[str, object] = {
        "id": "s-1", "institution": "ORP", "region": "SION", "public": "ADULT", "situation_type": "COMPLEX",
        "status": "TRIAGED", "triage_decision": "ACCEPT_COMPLEX", "person_pseudonym": "p-1",
        "announced_on": date(2026, 1, 5), "followed_since": date(2026, 1, 12)}
    return Situation.model_validate({**fields, **changes})


def test_every_open_complex_situation_is_reviewed_quarterly_not_only_a_case_management() -> None:
    """Seed 001, 5.3 (regional coordinator) and 5.4 (thematic coordinator): "garantir le suivi des
    situations CII complexes selon une fréquence trimestrielle": three months after triage accepted it
    as complex, then after each review; whether or not a case management runs."""
    accepted = situation()
    assert accepted.review_due_on() == date(2026, 4, 12)
    reviewed = accepted.model_copy(update={"reviews": [date(2026, 4, 10)]})
    assert reviewed.review_due_on() == date(2026, 7, 10)
    opened_without_triage = situation(triage_decision=None, followed_since=None, status="OPEN")
    assert opened_without_triage.review_due_on() == date(2026, 4, 5)
    for not_followed in (situation(triage_decision="REDIRECT_NETWORK"), situation(closed=True),
                         situation(triage_decision=None, status="SUBMITTED")):
        assert not_followed.review_due_on() is None


def test_a_requested_or_scheduled_measure_can_be_cancelled_and_then_runs_no_more() -> None:
    """Issue 14 point 7: a requested measure that will not take place is cancelled with a reason code."""
    coaching = new_measure(MeasureType.COACHING_ORP_CMS)
    with pytest.raises(DomainValidationError):
        coaching.cancel(date(2026, 1, 1), "PERSON_DECLINED")  # before it was requested
    coaching.cancel(date(2026, 2, 3), "PERSON_DECLINED")
    assert coaching.status == MeasureStatus.CANCELLED and MeasureStatus.CANCELLED in FINISHED
    assert not coaching.running and [c.kind for c in coaching.pop_changes()] == ["cancelled"]
    with pytest.raises(InvalidTransition):
        coaching.cancel(date(2026, 2, 4), "OTHER")
    started = new_measure(MeasureType.COACHING_ORP_CMS)
    started.start(date(2026, 2, 2), case_manager=None, contract_due_on=None, variable_cost=None)
    with pytest.raises(InvalidTransition):
        started.cancel(date(2026, 2, 3), "OTHER")  # a started measure is closed, with its outcome


def test_how_a_situation_ended_is_one_outcome_code() -> None:
    """Seed 001 (5.3/5.4: triage redirects to a network or simple CII; section 6: the closure steps) and
    issue 14 point 7: every way a situation ends gives one outcome, and a reason code (no free text)."""
    assert OUTCOME_OF_TRIAGE == {"REDIRECT_NETWORK": events.OUTCOME_REDIRECTED_NETWORK,
                                 "REDIRECT_SIMPLE": events.OUTCOME_REDIRECTED_SIMPLE,
                                 "REJECT": events.OUTCOME_REJECTED}
    tro = new_measure(MeasureType.TRO)
    tro.schedule(date(2026, 2, 10), [Participant(institution="CMS")])
    tro.hold(date(2026, 2, 10), Outcome(no_further_measure=True), variable_cost=None)
    assert tro.ends_the_situation
    closure = _closure_after(tro, [tro])
    assert closure is not None and (closure.outcome, closure.closed_on) == (
        events.OUTCOME_NO_FURTHER_MEASURE, date(2026, 2, 10))
    cancelled = new_measure(MeasureType.ASSESSMENT)
    cancelled.cancel(date(2026, 2, 5), "PERSON_MOVED_AWAY")
    closure = _closure_after(cancelled, [cancelled])
    assert closure is not None and (closure.outcome, closure.reason) == (
        events.OUTCOME_MEASURE_CANCELLED, "PERSON_MOVED_AWAY")
    coaching = new_measure(MeasureType.COACHING_ORP_CMS)
    coaching.start(date(2026, 2, 2), case_manager=None, contract_due_on=None, variable_cost=None)
    coaching.close(date(2026, 6, 30), True, None, "fr")
    closure = _closure_after(coaching, [coaching])
    assert closure is not None and (closure.outcome, closure.reason) == (
        events.OUTCOME_MEASURES_COMPLETED, "REINSERTION")
    assert set(events.CLOSURE_OUTCOMES) >= {closure.outcome, events.OUTCOME_CLOSED_BY_COORDINATOR}
