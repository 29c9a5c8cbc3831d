"""Which alerts a case-management measure should have today (pure; the service reconciles them).

An alert exists while its condition holds and is cleared as soon as it no longer does, so the
dashboard always shows what someone must act on now.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from cii_platform.contracts.codes import MeasureType, SituationType
from cii_platform.contracts.internal_measures import (
    CONTRACT_OVERDUE,
    NO_MEETING,
    OBJECTIVE_OVERDUE,
    PROCURATION_EXPIRED_ALERT,
    PROCURATION_EXPIRING_ALERT,
    PROCURATION_REVOKED_ALERT,
    REVIEW_DUE,
)

from .case_management import next_review_due_on
from .model import Measure, MeasureStatus

# Seed 001, section 6: the case manager meets the person "environ chaque deux semaines".
MEETING_EVERY_DAYS = 14
MEASURE_ALERT_KINDS = frozenset({CONTRACT_OVERDUE, NO_MEETING, OBJECTIVE_OVERDUE, REVIEW_DUE})
PROCURATION_ALERT_KINDS = frozenset({PROCURATION_EXPIRING_ALERT, PROCURATION_EXPIRED_ALERT,
                                     PROCURATION_REVOKED_ALERT})


@dataclass(frozen=True)
class AlertSpec:
    alert_id: str
    kind: str
    due_on: date
    detail: str | None = None


def measure_alert_id(kind: str, measure_id: str, detail: str | None = None) -> str:
    return f"{kind}:{measure_id}" + (f":{detail}" if detail else "")


def situation_alert_id(kind: str, situation_id: str) -> str:
    return f"{kind}:{situation_id}"


def expected_alerts(measure: Measure, today: date, *, meeting_every_days: int = MEETING_EVERY_DAYS
                    ) -> list[AlertSpec]:
    if measure.type != MeasureType.CASE_MANAGEMENT or measure.status != MeasureStatus.STARTED:
        return []
    return [*_contract_overdue(measure, today), *_no_meeting(measure, today, meeting_every_days),
            *_objectives_overdue(measure, today), *_review_due(measure, today)]


def _contract_overdue(measure: Measure, today: date) -> list[AlertSpec]:
    due = measure.contract_due_on
    if measure.contract is not None or due is None or today <= due:
        return []
    return [AlertSpec(measure_alert_id(CONTRACT_OVERDUE, measure.id), CONTRACT_OVERDUE, due)]


def _no_meeting(measure: Measure, today: date, every_days: int) -> list[AlertSpec]:
    assert measure.started_on is not None
    last = max((m.held_on for m in measure.meetings), default=measure.started_on)
    due = last + timedelta(days=every_days)
    if today <= due:
        return []
    return [AlertSpec(measure_alert_id(NO_MEETING, measure.id), NO_MEETING, due)]


def _objectives_overdue(measure: Measure, today: date) -> list[AlertSpec]:
    objectives = measure.contract.objectives if measure.contract else []
    return [AlertSpec(measure_alert_id(OBJECTIVE_OVERDUE, measure.id, o.id), OBJECTIVE_OVERDUE, o.deadline, o.id)
            for o in objectives if o.achieved_on is None and today > o.deadline]


def _review_due(measure: Measure, today: date) -> list[AlertSpec]:
    if measure.situation.situation_type != SituationType.COMPLEX:
        return []
    due = next_review_due_on(measure)
    if due is None or today < due:
        return []
    return [AlertSpec(measure_alert_id(REVIEW_DUE, measure.id), REVIEW_DUE, due)]
