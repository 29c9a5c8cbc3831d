"""The case manager's duties (seed 001 section 6): pure rules on a CASE_MANAGEMENT measure.

- meet the person within two weeks of the TRO/assessment and sign the objectives contract;
- meet about every two weeks (an alert after 14 days without a meeting, MEASURES_MEETING_EVERY_DAYS);
- the coordinator reviews complex situations every three months.
"""

import calendar
import uuid
from datetime import date, timedelta

from cii_platform.contracts.codes import MeasureType
from cii_platform.security.crypto import SealedSection
from cii_platform.validation import DomainValidationError, error

from .model import (
    CaseManager,
    InvalidTransition,
    Measure,
    MeasureStatus,
    Meeting,
    Objective,
    ObjectivesContract,
    Review,
)

CONTRACT_DUE_DAYS = 14
REVIEW_EVERY_MONTHS = 3


def contract_due_on(origin_held_on: date | None, started_on: date) -> date:
    """Due two weeks after the TRO/assessment that led to case management (else after its start)."""
    return (origin_held_on or started_on) + timedelta(days=CONTRACT_DUE_DAYS)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_due_on(measure: Measure) -> date | None:
    if measure.started_on is None:
        return None
    last = max((r.reviewed_on for r in measure.reviews), default=measure.started_on)
    return add_months(last, REVIEW_EVERY_MONTHS)


def _require_running_case_management(measure: Measure, action: str) -> None:
    if measure.type != MeasureType.CASE_MANAGEMENT:
        raise InvalidTransition(action, measure.type.value, measure.status.value)
    if measure.status not in (MeasureStatus.REQUESTED, MeasureStatus.STARTED):
        raise InvalidTransition(action, measure.type.value, measure.status.value)


def designate_case_manager(measure: Measure, case_manager: CaseManager) -> None:
    _require_running_case_management(measure, "designate a case manager for")
    if case_manager.designated_on < measure.requested_on:
        raise DomainValidationError([error("designated_on", "must not be before requested_on")])
    measure.case_manager = case_manager
    measure.record("case_manager_designated")


def sign_contract(measure: Measure, signed_on: date, objectives: list[Objective]) -> None:
    _require_running_case_management(measure, "sign the objectives contract of")
    if measure.status != MeasureStatus.STARTED:
        raise InvalidTransition("sign the objectives contract of", measure.type.value, measure.status.value)
    if measure.contract is not None:
        raise InvalidTransition("sign again the objectives contract of", measure.type.value, "contract_signed")
    errors = []
    if signed_on < measure.requested_on:
        errors.append(error("signed_on", f"must not be before requested_on ({measure.requested_on})"))
    if not objectives:
        errors.append(error("objectives", "at least one objective is required"))
    errors += [error(f"objectives.{i}.deadline", "must not be before signed_on")
               for i, o in enumerate(objectives) if o.deadline < signed_on]
    if errors:
        raise DomainValidationError(errors)
    measure.contract = ObjectivesContract(signed_on=signed_on, objectives=objectives)
    measure.record("contract_signed")


def achieve_objective(measure: Measure, objective_id: str, achieved_on: date) -> None:
    _require_running_case_management(measure, "update an objective of")
    objective = next((o for o in (measure.contract.objectives if measure.contract else [])
                      if o.id == objective_id), None)
    if objective is None:
        raise DomainValidationError([error("objective_id", "no such objective in the signed contract")])
    assert measure.contract is not None
    if achieved_on < measure.contract.signed_on:
        raise DomainValidationError([error("achieved_on", "must not be before the contract was signed")])
    objective.achieved_on = achieved_on
    measure.record("objective_achieved", objective_id=objective_id)


def log_meeting(measure: Measure, held_on: date, minutes: SealedSection | None,
                meeting_id: str | None = None) -> Meeting:
    _require_running_case_management(measure, "log a meeting of")
    if measure.status != MeasureStatus.STARTED:
        raise InvalidTransition("log a meeting of", measure.type.value, measure.status.value)
    assert measure.started_on is not None
    if held_on < measure.started_on:
        raise DomainValidationError([error("held_on", f"must not be before started_on ({measure.started_on})")])
    meeting = Meeting(id=meeting_id or new_meeting_id(), held_on=held_on, minutes=minutes)
    measure.meetings.append(meeting)
    measure.record("meeting_logged", meeting_id=meeting.id, held_on=held_on.isoformat())
    return meeting


def record_review(measure: Measure, reviewed_on: date, reviewer: str) -> None:
    _require_running_case_management(measure, "review")
    if measure.status != MeasureStatus.STARTED:
        raise InvalidTransition("review", measure.type.value, measure.status.value)
    assert measure.started_on is not None
    if reviewed_on < measure.started_on:
        raise DomainValidationError([error("reviewed_on", f"must not be before started_on ({measure.started_on})")])
    measure.reviews.append(Review(reviewed_on=reviewed_on, reviewer=reviewer))
    measure.record("review_recorded")


def new_meeting_id() -> str:
    return f"mt-{uuid.uuid4().hex[:16]}"


def new_objective_id() -> str:
    return f"o-{uuid.uuid4().hex[:12]}"
