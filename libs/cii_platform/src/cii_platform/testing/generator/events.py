"""A `History` as events: the inbound events institutions send (`inbound_events`: valid AVS numbers, every
type) or the internal events the services publish (`internal_events`: upstream stand-ins for tests and
benchmarks). Event ids are derived from the entities, so rendering twice gives duplicates, not new events.
"""

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ...contracts import internal_measures as ms
from ...contracts import internal_procuration as pr
from ...contracts import internal_reporting as rp
from ...contracts import internal_signalement as sg
from ...contracts import types
from ...contracts.envelope import CloudEvent, derived_event_id, new_event, platform_source
from ...contracts.topics import MEASURES_EVENTS, PROCURATION_EVENTS, REPORTING_EVENTS, SIGNALEMENT_EVENTS, inbound
from ..kafka_client import inbound_event
from .history import History, Measure, Procuration, Situation

Pseudonymize = Callable[[str], str]


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


InternalRecord = tuple[str, str, CloudEvent]


def emit(topic: str, key: str, event_type: str, service: str, payload: Any, *id_parts: str,
          at: datetime | None = None) -> InternalRecord:
    return topic, key, new_event(event_type, platform_source(service), payload,
                                 event_id=derived_event_id(event_type, *id_parts), time=at)


def situation_recorded(s: Situation, pseudonymize: Pseudonymize, *, version: int = 1) -> sg.SituationRecorded:
    return sg.SituationRecorded(
        situation_id=s.situation_id, version=version, institution=s.institution, unit=s.unit,
        external_ref=s.external_ref, announced_on=s.announced_on, person_pseudonym=pseudonymize(s.person.avs),
        sex=s.person.sex, birth_year=s.person.birth_date.year, age=s.age, region=s.person.region,
        public=s.public, education_level=s.person.education_level, situation_type=s.situation_type,
        risk_factors=s.risk_factors, employment_gap=s.employment_gap, gravity_index=s.gravity_index,
        gravity_policy="v1", follow_up_started_on=s.follow_up_started_on, procuration_id=s.procuration_id,
        routing=sg.Routing(coordinator_id=f"coord-{s.person.region.lower()}", region=s.person.region),
        status="SUBMITTED", triage_due_on=s.announced_on + timedelta(days=14))


def _situation_events(s: Situation, pseudonymize: Pseudonymize) -> Iterator[InternalRecord]:
    sid = s.situation_id
    yield emit(SIGNALEMENT_EVENTS, sid, sg.SITUATION_RECORDED, "signalement", situation_recorded(
        s, pseudonymize), sid, "1", at=_at(s.announced_on))
    if s.status != "SUBMITTED" and s.triage_decision:
        yield emit(SIGNALEMENT_EVENTS, sid, sg.SITUATION_TRIAGED, "signalement", sg.SituationTriaged(
            situation_id=sid, decision=s.triage_decision, triaged_at=_at(s.announced_on, 15),
            triaged_by="coordinator", status="TRIAGED"), sid)
    if s.status in ("OPEN", "CLOSED"):
        yield emit(SIGNALEMENT_EVENTS, sid, sg.SITUATION_STATUS_CHANGED, "signalement", sg.SituationStatusChanged(
            situation_id=sid, previous_status="TRIAGED", status=s.status, changed_at=_at(s.announced_on, 16)),
            sid, s.status)


def _measure_events(m: Measure, pseudonymize: Pseudonymize) -> Iterator[InternalRecord]:
    sid = m.situation.situation_id
    base = {"measure_id": m.measure_id, "situation_id": sid, "type": m.type, "region": m.situation.person.region,
            "person_pseudonym": pseudonymize(m.situation.person.avs)}
    stages: list[tuple[str, Any]] = [(ms.MEASURE_REQUESTED, ms.MeasureRequested(
        **base, requested_on=m.requested_on, requested_by=m.situation.institution))]
    if m.held_on:
        stages.append((ms.MEASURE_HELD, ms.MeasureHeld(**base, held_on=m.held_on)))
    if m.started_on:
        stages.append((ms.MEASURE_STARTED, ms.MeasureStarted(**base, started_on=m.started_on)))
    if m.closed_on:
        stages.append((ms.MEASURE_CLOSED, ms.MeasureClosed(**base, closed_on=m.closed_on,
                                                           reinsertion=bool(m.reinsertion))))
    for event_type, payload in stages:
        yield emit(MEASURES_EVENTS, sid, event_type, "measures", payload, m.measure_id)


def internal_events(history: History, pseudonymize: Pseudonymize, *,
                    caseload_chunk: int = 5_000) -> Iterator[InternalRecord]:
    """The events signalement, measures, procuration (and reporting, for caseloads) would publish."""
    for s in history.situations:
        yield from _situation_events(s, pseudonymize)
    for m in history.measures:
        yield from _measure_events(m, pseudonymize)
    for a in history.alerts:
        m = a.measure
        yield emit(MEASURES_EVENTS, m.situation.situation_id, ms.ALERT_RAISED, "measures", ms.AlertRaised(
            alert_id=a.alert_id, kind=a.kind, situation_id=m.situation.situation_id, measure_id=m.measure_id,
            region=m.situation.person.region, due_on=a.due_on, raised_at=_at(a.due_on)), a.alert_id)
        if a.cleared:
            yield emit(MEASURES_EVENTS, m.situation.situation_id, ms.ALERT_CLEARED, "measures",
                        ms.AlertCleared(alert_id=a.alert_id, cleared_at=_at(a.due_on, 12)), a.alert_id)
    for t in history.transitions:
        yield emit(SIGNALEMENT_EVENTS, t.transition_id, sg.TRANSITION_RECORDED, "signalement", sg.TransitionRecorded(
            transition_id=t.transition_id, from_institution=t.from_institution, to_institution=t.to_institution,
            signaled_on=t.signaled_on, person_pseudonym=pseudonymize(t.person.avs), from_unit=t.from_unit),
            t.transition_id)
    for p in history.procurations:
        yield from procuration_events(p, pseudonymize)
    for c in history.caseloads:
        chunks = c.chunks(caseload_chunk)
        for index, persons in enumerate(chunks, start=1):
            yield emit(REPORTING_EVENTS, c.snapshot_id, rp.CASELOAD_RECORDED, "reporting", rp.CaseloadRecorded(
                snapshot_id=c.snapshot_id, institution=c.institution, year=c.year, chunk=index, chunks=len(chunks),
                person_pseudonyms=sorted({pseudonymize(a) for a in persons})), c.snapshot_id, str(index))


def procuration_events(p: Procuration, pseudonymize: Pseudonymize, *,
                       expired_status: bool = False) -> Iterator[InternalRecord]:
    who = pseudonymize(p.person.avs)
    yield emit(PROCURATION_EVENTS, who, pr.PROCURATION_RECORDED, "procuration", pr.ProcurationRecorded(
        procuration_id=p.procuration_id, person_pseudonym=who, signed_on=p.valid_from, valid_from=p.valid_from,
        valid_until=p.valid_until, parties=p.parties, categories=["SOCIAL"], purposes=["CII_COORDINATION"],
        status="ACTIVE", recorded_by=p.parties[-1]), p.procuration_id)
    if expired_status:
        yield emit(PROCURATION_EVENTS, who, pr.PROCURATION_EXPIRED, "procuration", pr.ProcurationStatusEvent(
            procuration_id=p.procuration_id, person_pseudonym=who, status="EXPIRED", valid_until=p.valid_until,
            effective_on=p.valid_until + timedelta(days=1)), p.procuration_id, "EXPIRED")


InboundRecord = tuple[str, str, dict[str, Any]]


def signalement_submitted(s: Situation) -> dict[str, Any]:
    p = s.person
    return {"external_ref": s.external_ref, "announced_on": s.announced_on.isoformat(),
            "announcer": {"collaborator": "C. Collaborateur", "respondent": "R. Répondant",
                          **({"unit": s.unit} if s.unit else {})},
            "person": {"avs_number": p.avs, "last_name": p.last_name, "first_name": p.first_name,
                       "birth_date": p.birth_date.isoformat(), "sex": p.sex, "region": p.region,
                       "education_level": p.education_level},
            "public": s.public, "situation_type": s.situation_type, "risk_factors": s.risk_factors,
            "employment_gap": s.employment_gap, "follow_up_started_on": s.follow_up_started_on.isoformat(),
            "co_following": [], **({"procuration_id": s.procuration_id} if s.procuration_id else {})}


def inbound_events(history: History, *, caseload_chunk: int = 2_000) -> Iterator[InboundRecord]:
    """What the institutions send on `cii.inbound.<code>` (private persons' announcements are HTTP only)."""
    for p in history.procurations:
        sender = p.parties[-1]
        yield inbound(sender), p.procuration_id, inbound_event(sender, types.PROCURATION_SIGNED, {
            "procuration_id": p.procuration_id, "person": {"avs_number": p.person.avs, "last_name": p.person.last_name,
                                                           "first_name": p.person.first_name,
                                                           "birth_date": p.person.birth_date.isoformat()},
            "signed_on": p.valid_from.isoformat(), "valid_from": p.valid_from.isoformat(),
            "valid_until": p.valid_until.isoformat(), "parties": p.parties, "categories": ["SOCIAL", "EMPLOYMENT"],
            "purposes": ["CII_COORDINATION"], "document_sha256": "0" * 64})
    for s in history.situations:
        if s.institution != "PRIVATE":
            yield inbound(s.institution), s.external_ref, inbound_event(
                s.institution, types.SIGNALEMENT_SUBMITTED, signalement_submitted(s))
    for t in history.transitions:
        sender = t.from_institution
        yield inbound(sender), t.transition_id, inbound_event(sender, types.TRANSITION_SIGNALED, {
            "transition_id": t.transition_id, "to_institution": t.to_institution,
            "signaled_on": t.signaled_on.isoformat(), "person": {"avs_number": t.person.avs}})
    for c in history.caseloads:
        chunks = c.chunks(caseload_chunk)
        for index, persons in enumerate(chunks, start=1):
            yield inbound(c.institution), c.snapshot_id, inbound_event(c.institution, types.CASELOAD_SNAPSHOT, {
                "snapshot_id": c.snapshot_id, "year": c.year, "chunk": index, "chunks": len(chunks),
                "persons": persons})
