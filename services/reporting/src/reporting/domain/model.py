"""The read model: every fact folded into the latest state of situations, measures, alerts, procurations.

Deterministic: folding the same facts gives the same state. Facts of one entity arrive in order (one
Kafka key, one partition); facts of different entities commute, so a replay that interleaves the
partitions differently still gives the same state.
"""

from dataclasses import dataclass, field
from datetime import date

from . import facts as k
from .caseload import CaseloadBook
from .facts import Fact


def day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass(slots=True)
class SituationView:
    situation_id: str
    version: int
    institution: str
    unit: str | None
    announced_on: date
    public: str
    situation_type: str
    region: str
    sex: str
    age: int
    education_level: str
    gravity_index: float
    risk_factor_count: int
    follow_up_started_on: date
    status: str
    triage_due_on: date | None
    procuration_id: str | None
    person_pseudonym: str | None
    triage_decision: str | None = None
    closed_by_measures: bool = False  # closed by the measures service, whatever the way (closure_outcome)
    closed_on: date | None = None
    closure_outcome: str | None = None


@dataclass(slots=True)
class MeasureView:
    measure_id: str
    situation_id: str
    type: str
    region: str | None
    stage: str = "REQUESTED"
    held_on: date | None = None
    started_on: date | None = None
    closed_on: date | None = None
    reinsertion: bool | None = None


@dataclass(slots=True)
class TransitionView:
    transition_id: str
    route: str  # "ORP->CMS"; the sending unit when there is one ("BIP->ORP")
    signaled_on: date


@dataclass(slots=True)
class AlertView:
    alert_id: str
    kind: str
    situation_id: str | None
    measure_id: str | None
    region: str | None
    due_on: date | None


@dataclass(slots=True)
class ProcurationView:
    procuration_id: str
    person_pseudonym: str
    valid_until: date
    status: str


@dataclass
class ReadModel:
    situations: dict[str, SituationView] = field(default_factory=dict)
    measures: dict[str, MeasureView] = field(default_factory=dict)
    transitions: dict[str, TransitionView] = field(default_factory=dict)
    alerts: dict[str, AlertView] = field(default_factory=dict)
    procurations: dict[str, ProcurationView] = field(default_factory=dict)
    closed_situations: dict[str, tuple[date, str]] = field(default_factory=dict)  # id -> (closed_on, outcome)
    caseloads: CaseloadBook = field(default_factory=CaseloadBook)
    facts_applied: int = 0

    def apply(self, fact: Fact) -> None:
        _APPLY[fact["kind"]](self, fact)
        self.facts_applied += 1

    def _situation(self, f: Fact) -> None:
        current = self.situations.get(f["situation_id"])
        if current is not None and current.version > f["version"]:
            return  # an older version redelivered
        view = SituationView(
            situation_id=f["situation_id"], version=f["version"], institution=f["institution"],
            unit=f.get("unit"), announced_on=date.fromisoformat(f["announced_on"]), public=f["public"],
            situation_type=f["situation_type"], region=f["region"], sex=f["sex"], age=f["age"],
            education_level=f["education_level"], gravity_index=f["gravity_index"],
            risk_factor_count=f["risk_factor_count"],
            follow_up_started_on=date.fromisoformat(f["follow_up_started_on"]), status=f["status"],
            triage_due_on=day(f.get("triage_due_on")), procuration_id=f.get("procuration_id"),
            person_pseudonym=f.get("person_pseudonym"))
        if current is not None:  # a re-announcement keeps what happened to the situation since
            view.status, view.triage_decision = current.status, current.triage_decision
        closure = self.closed_situations.get(f["situation_id"])
        if closure is not None:
            view.closed_by_measures, (view.closed_on, view.closure_outcome) = True, closure
        self.situations[view.situation_id] = view

    def _triaged(self, f: Fact) -> None:
        situation = self.situations.get(f["situation_id"])
        if situation is not None:
            situation.triage_decision, situation.status = f["decision"], f["status"]

    def _status(self, f: Fact) -> None:
        situation = self.situations.get(f["situation_id"])
        if situation is not None:
            situation.status = f["status"]

    def _situation_closed(self, f: Fact) -> None:
        closure = (date.fromisoformat(f["closed_on"]), f.get("outcome") or "MEASURES_COMPLETED")
        self.closed_situations[f["situation_id"]] = closure
        situation = self.situations.get(f["situation_id"])
        if situation is not None:
            situation.closed_by_measures, (situation.closed_on, situation.closure_outcome) = True, closure

    def _transition(self, f: Fact) -> None:
        origin = f.get("from_unit") or f["from_institution"]
        self.transitions[f["transition_id"]] = TransitionView(
            f["transition_id"], f"{origin}->{f['to_institution']}", date.fromisoformat(f["signaled_on"]))

    def _measure(self, f: Fact) -> None:
        measure = self.measures.get(f["measure_id"])
        if measure is None:
            measure = MeasureView(f["measure_id"], f["situation_id"], f["type"], f.get("region"))
            self.measures[measure.measure_id] = measure
        _MEASURE_STAGES[f["stage"]](measure, f)

    def _alert_raised(self, f: Fact) -> None:
        self.alerts[f["alert_id"]] = AlertView(f["alert_id"], f["alert_kind"], f.get("situation_id"),
                                               f.get("measure_id"), f.get("region"), day(f.get("due_on")))

    def _alert_cleared(self, f: Fact) -> None:
        self.alerts.pop(f["alert_id"], None)

    def _procuration(self, f: Fact) -> None:
        self.procurations[f["procuration_id"]] = ProcurationView(
            f["procuration_id"], f["person_pseudonym"], date.fromisoformat(f["valid_until"]), f["status"])

    def _procuration_status(self, f: Fact) -> None:
        view = self.procurations.get(f["procuration_id"])
        if view is None:
            view = ProcurationView(f["procuration_id"], f["person_pseudonym"],
                                   date.fromisoformat(f["valid_until"]), f["status"])
            self.procurations[view.procuration_id] = view
        if f["status"] != "EXPIRING":  # an early warning, not a state
            view.status = f["status"]

    def _caseload(self, f: Fact) -> None:
        self.caseloads.record(f)


def _stage_requested(m: MeasureView, f: Fact) -> None:
    """Creating the view is all a request does."""


def _stage_scheduled(m: MeasureView, f: Fact) -> None:
    if m.stage in ("REQUESTED", "SCHEDULED"):
        m.stage = "SCHEDULED"


def _stage_held(m: MeasureView, f: Fact) -> None:
    m.held_on = date.fromisoformat(f["on"])
    if m.stage != "CLOSED":
        m.stage = "HELD"


def _stage_started(m: MeasureView, f: Fact) -> None:
    m.started_on = date.fromisoformat(f["on"])
    if m.stage != "CLOSED":
        m.stage = "STARTED"


def _stage_closed(m: MeasureView, f: Fact) -> None:
    m.closed_on, m.reinsertion, m.stage = date.fromisoformat(f["on"]), f["reinsertion"], "CLOSED"
    if m.started_on is None and f.get("started_on"):
        m.started_on = date.fromisoformat(f["started_on"])


def _stage_cancelled(m: MeasureView, f: Fact) -> None:
    m.stage = "CANCELLED"


_MEASURE_STAGES = {"REQUESTED": _stage_requested, "SCHEDULED": _stage_scheduled, "HELD": _stage_held,
                   "STARTED": _stage_started, "CLOSED": _stage_closed, "CANCELLED": _stage_cancelled}

_APPLY = {
    k.SITUATION: ReadModel._situation, k.TRIAGED: ReadModel._triaged, k.STATUS: ReadModel._status,
    k.SITUATION_CLOSED: ReadModel._situation_closed, k.TRANSITION: ReadModel._transition,
    k.MEASURE: ReadModel._measure, k.ALERT_RAISED: ReadModel._alert_raised,
    k.ALERT_CLEARED: ReadModel._alert_cleared, k.PROCURATION: ReadModel._procuration,
    k.PROCURATION_STATUS: ReadModel._procuration_status, k.CASELOAD: ReadModel._caseload,
}
