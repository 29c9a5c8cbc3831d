"""Domain changes of a measure -> integration events of `cii.internal.measures.v1` (outbox entries).

Only codes, dates and pseudonyms travel; free text (notes, minutes, final report) stays sealed here.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from pydantic import BaseModel

from cii_platform.contracts import internal_measures as events
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.topics import MEASURES_EVENTS
from cii_platform.messaging.outbox import outbox_entry

from ..domain.case_management import next_review_due_on
from ..domain.model import Measure, MeasureChange

SOURCE = platform_source("measures")


def entry(event_type: str, key: str, payload: BaseModel) -> dict[str, Any]:
    return outbox_entry(MEASURES_EVENTS, key, new_event(event_type, SOURCE, payload))


def _common(m: Measure) -> dict[str, Any]:
    return {"measure_id": m.id, "situation_id": m.situation_id, "type": m.type, "region": m.situation.region,
            "person_pseudonym": m.situation.person_pseudonym, "requested_by": m.requested_by,
            "public": m.situation.public}


def _requested(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    return events.MEASURE_REQUESTED, events.MeasureRequested(
        **_common(m), requested_on=m.requested_on, origin_measure_id=m.origin_measure_id)


def _scheduled(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.scheduled_on is not None
    return events.MEASURE_SCHEDULED, events.MeasureScheduled(
        **_common(m), date=m.scheduled_on, participants=sorted({p.institution for p in m.participants}))


def _held(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.held_on is not None
    return events.MEASURE_HELD, events.MeasureHeld(
        **_common(m), held_on=m.held_on, recommended_measure=m.outcome.recommended_measure if m.outcome else None,
        follow_up_measure_id=m.follow_up_measure_id)


def _started(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.started_on is not None
    return events.MEASURE_STARTED, events.MeasureStarted(
        **_common(m), started_on=m.started_on,
        case_manager_institution=m.case_manager.institution if m.case_manager else None)


def _closed(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.closed_on is not None and m.reinsertion is not None
    return events.MEASURE_CLOSED, events.MeasureClosed(
        **_common(m), closed_on=m.closed_on, reinsertion=m.reinsertion, started_on=m.started_on,
        final_report_recorded=m.final_report is not None)


def _designated(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.case_manager is not None
    return events.CASE_MANAGER_DESIGNATED, events.CaseManagerDesignated(
        **_common(m), case_manager_institution=m.case_manager.institution, case_manager=m.case_manager.subject,
        designated_on=m.case_manager.designated_on)


def _contract_signed(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.contract is not None
    return events.OBJECTIVES_CONTRACT_SIGNED, events.ObjectivesContractSigned(
        **_common(m), signed_on=m.contract.signed_on, due_on=m.contract_due_on or m.contract.signed_on,
        objectives=len(m.contract.objectives),
        responsible_institutions=sorted({o.responsible_institution for o in m.contract.objectives}))


def _meeting(m: Measure, data: dict[str, Any]) -> tuple[str, BaseModel]:
    return events.MEETING_LOGGED, events.MeetingLogged(
        **_common(m), meeting_id=data["meeting_id"], held_on=date.fromisoformat(data["held_on"]))


def _review(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    next_due = next_review_due_on(m)
    assert next_due is not None
    return events.REVIEW_RECORDED, events.ReviewRecorded(
        **_common(m), reviewed_on=m.reviews[-1].reviewed_on, next_review_due_on=next_due)


def _prefinancing(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.prefinancing is not None
    return events.PREFINANCING_DECIDED, events.PrefinancingDecided(
        **_common(m), decision=m.prefinancing.decision, decided_on=m.prefinancing.decided_on,
        decided_by=m.prefinancing.decided_by)


def _prefinancing_settled(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.prefinancing is not None and m.prefinancing.settled_on is not None
    return events.PREFINANCING_SETTLED, events.PrefinancingSettled(
        **_common(m), settled_on=m.prefinancing.settled_on, charged_to=m.prefinancing.charged_to,
        amount=m.variable_cost)


def _cancelled(m: Measure, _: dict[str, Any]) -> tuple[str, BaseModel]:
    assert m.cancelled_on is not None and m.cancel_reason is not None
    return events.MEASURE_CANCELLED, events.MeasureCancelled(
        **_common(m), cancelled_on=m.cancelled_on, reason=m.cancel_reason)


MAPPERS: dict[str, Callable[[Measure, dict[str, Any]], tuple[str, BaseModel]]] = {
    "requested": _requested, "scheduled": _scheduled, "held": _held, "started": _started, "closed": _closed,
    "cancelled": _cancelled,
    "case_manager_designated": _designated, "contract_signed": _contract_signed, "meeting_logged": _meeting,
    "review_recorded": _review, "prefinancing_decided": _prefinancing,
    "prefinancing_settled": _prefinancing_settled,
}


def measure_entries(measure: Measure, changes: list[MeasureChange]) -> list[dict[str, Any]]:
    """Changes without an integration event (an objective achieved) only show through alerts."""
    entries = []
    for change in changes:
        mapper = MAPPERS.get(change.kind)
        if mapper:
            event_type, payload = mapper(measure, change.data)
            entries.append(entry(event_type, measure.situation_id, payload))
    return entries
