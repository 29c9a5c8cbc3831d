"""The edge mapper: an internal platform event -> the fact reporting keeps (or None: not reporting's business).

Only codes, dates, counts and pseudonyms cross this line: sealed sections, free text and identities of
the upstream events are dropped here and never reach the store.
"""

from collections.abc import Callable
from typing import Any

from cii_platform.contracts import internal_measures as ms
from cii_platform.contracts import internal_procuration as pr
from cii_platform.contracts import internal_reporting as rp
from cii_platform.contracts import internal_signalement as sg
from cii_platform.contracts.envelope import CloudEvent

from ..domain import facts as k
from ..domain.facts import Fact, LoggedFact


def _situation(data: dict[str, Any]) -> Fact:
    e = sg.SituationRecorded.model_validate(data)
    return {"kind": k.SITUATION, "situation_id": e.situation_id, "version": e.version,
            "institution": e.institution, "unit": e.unit, "announced_on": e.announced_on.isoformat(),
            "public": e.public.value, "situation_type": e.situation_type.value, "region": e.region,
            "sex": e.sex.value, "age": e.age, "education_level": e.education_level.value,
            "gravity_index": e.gravity_index, "risk_factor_count": len(e.risk_factors),
            "follow_up_started_on": e.follow_up_started_on.isoformat(), "status": e.status,
            "triage_due_on": e.triage_due_on.isoformat() if e.triage_due_on else None,
            "procuration_id": e.procuration_id, "person_pseudonym": e.person_pseudonym}


def _triaged(data: dict[str, Any]) -> Fact:
    e = sg.SituationTriaged.model_validate(data)  # the reason (free text, sealed) is left behind
    return {"kind": k.TRIAGED, "situation_id": e.situation_id, "decision": e.decision, "status": e.status}


def _status(data: dict[str, Any]) -> Fact:
    e = sg.SituationStatusChanged.model_validate(data)
    return {"kind": k.STATUS, "situation_id": e.situation_id, "status": e.status}


def _transition(data: dict[str, Any]) -> Fact:
    e = sg.TransitionRecorded.model_validate(data)
    return {"kind": k.TRANSITION, "transition_id": e.transition_id, "from_institution": e.from_institution,
            "from_unit": data.get("from_unit"), "to_institution": e.to_institution,
            "signaled_on": e.signaled_on.isoformat()}


def _measure(stage: str, model: type[ms.MeasureEvent], on: str | None) -> Callable[[dict[str, Any]], Fact]:
    def to_fact(data: dict[str, Any]) -> Fact:
        e = model.model_validate(data)
        fact: Fact = {"kind": k.MEASURE, "stage": stage, "measure_id": e.measure_id,
                      "situation_id": e.situation_id, "type": e.type.value, "region": e.region}
        if on:
            fact["on"] = getattr(e, on).isoformat()
        if isinstance(e, ms.MeasureCancelled):
            fact["reason"] = e.reason
        if isinstance(e, ms.MeasureClosed):
            fact["reinsertion"] = e.reinsertion
            fact["started_on"] = e.started_on.isoformat() if e.started_on else None
        return fact
    return to_fact


def _situation_closed(data: dict[str, Any]) -> Fact:
    e = ms.SituationClosed.model_validate(data)
    return {"kind": k.SITUATION_CLOSED, "situation_id": e.situation_id, "closed_on": e.closed_on.isoformat(),
            "outcome": e.outcome, "reason": e.reason}


def _alert_raised(data: dict[str, Any]) -> Fact:
    e = ms.AlertRaised.model_validate(data)
    return {"kind": k.ALERT_RAISED, "alert_id": e.alert_id, "alert_kind": e.kind, "situation_id": e.situation_id,
            "measure_id": e.measure_id, "region": e.region, "due_on": e.due_on.isoformat() if e.due_on else None}


def _alert_cleared(data: dict[str, Any]) -> Fact:
    e = ms.AlertCleared.model_validate(data)
    return {"kind": k.ALERT_CLEARED, "alert_id": e.alert_id}


def _procuration(data: dict[str, Any]) -> Fact:
    e = pr.ProcurationRecorded.model_validate(data)
    return {"kind": k.PROCURATION, "procuration_id": e.procuration_id, "person_pseudonym": e.person_pseudonym,
            "valid_until": e.valid_until.isoformat(), "status": e.status}


def _procuration_status(data: dict[str, Any]) -> Fact:
    e = pr.ProcurationStatusEvent.model_validate(data)
    return {"kind": k.PROCURATION_STATUS, "procuration_id": e.procuration_id,
            "person_pseudonym": e.person_pseudonym, "valid_until": e.valid_until.isoformat(), "status": e.status}


def caseload_fact(event: CloudEvent) -> Fact:
    e = rp.CaseloadRecorded.model_validate(event.data)
    return {"kind": k.CASELOAD, "snapshot_id": e.snapshot_id, "institution": e.institution, "year": e.year,
            "chunk": e.chunk, "chunks": e.chunks, "person_pseudonyms": e.person_pseudonyms,
            "recorded_at": event.time.isoformat()}


MAPPERS: dict[str, Callable[[dict[str, Any]], Fact]] = {
    sg.SITUATION_RECORDED: _situation, sg.SITUATION_TRIAGED: _triaged, sg.SITUATION_STATUS_CHANGED: _status,
    sg.TRANSITION_RECORDED: _transition,
    ms.MEASURE_REQUESTED: _measure("REQUESTED", ms.MeasureRequested, None),
    ms.MEASURE_SCHEDULED: _measure("SCHEDULED", ms.MeasureScheduled, None),
    ms.MEASURE_HELD: _measure("HELD", ms.MeasureHeld, "held_on"),
    ms.MEASURE_STARTED: _measure("STARTED", ms.MeasureStarted, "started_on"),
    ms.MEASURE_CLOSED: _measure("CLOSED", ms.MeasureClosed, "closed_on"),
    ms.MEASURE_CANCELLED: _measure("CANCELLED", ms.MeasureCancelled, "cancelled_on"),
    ms.SITUATION_CLOSED: _situation_closed, ms.ALERT_RAISED: _alert_raised, ms.ALERT_CLEARED: _alert_cleared,
    pr.PROCURATION_RECORDED: _procuration, pr.PROCURATION_REVOKED: _procuration_status,
    pr.PROCURATION_SUPERSEDED: _procuration_status, pr.PROCURATION_EXPIRING: _procuration_status,
    pr.PROCURATION_EXPIRED: _procuration_status,
}

PROJECTED_TYPES = frozenset({*MAPPERS, rp.CASELOAD_RECORDED})


def fact_of(event: CloudEvent) -> Fact | None:
    if event.type == rp.CASELOAD_RECORDED:
        return caseload_fact(event)
    mapper = MAPPERS.get(event.type)
    return mapper(event.data) if mapper else None


def fact_id(event: CloudEvent) -> str:
    """The event's identity: a redelivered or republished event maps to the same fact."""
    return f"{event.source}|{event.id}"


def logged_fact_of(event: CloudEvent) -> LoggedFact | None:
    fact = fact_of(event)
    return None if fact is None else (fact_id(event), fact)


def logged_fact_of_record(value: bytes | None) -> LoggedFact | None:
    """A raw record of an internal topic (a rebuild reads them); ValueError when it is not readable."""
    return logged_fact_of(CloudEvent.model_validate_json(value or b""))
