"""The bureau's dashboard and alerts, as of a day: open situations, overdue triage, running measures,
overdue contracts, procurations expiring (30 days) or expired on open situations. Pure."""

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from .model import ProcurationView, ReadModel, SituationView

OPEN_STATUSES = ("SUBMITTED", "TRIAGED", "OPEN")
RUNNING_STAGES = ("REQUESTED", "SCHEDULED", "STARTED")
EXPIRY_WARNING = timedelta(days=30)
TRIAGE_OVERDUE = "TRIAGE_OVERDUE"
CONTRACT_OVERDUE = "CONTRACT_OVERDUE"
PROCURATION_EXPIRING = "PROCURATION_EXPIRING"
PROCURATION_EXPIRED = "PROCURATION_EXPIRED"


@dataclass(frozen=True)
class Alert:
    alert_id: str
    kind: str
    situation_id: str | None
    region: str | None
    due_on: str | None
    measure_id: str | None = None
    procuration_id: str | None = None


def is_open(situation: SituationView) -> bool:
    return (situation.status in OPEN_STATUSES and situation.triage_decision != "REJECT"
            and not situation.closed_by_measures)


def alerts(model: ReadModel, today: date) -> list[Alert]:
    open_situations = [s for s in model.situations.values() if is_open(s)]
    found = [Alert(f"{TRIAGE_OVERDUE}:{s.situation_id}", TRIAGE_OVERDUE, s.situation_id, s.region,
                   s.triage_due_on.isoformat())
             for s in open_situations
             if s.status == "SUBMITTED" and s.triage_due_on is not None and s.triage_due_on < today]
    found += procuration_alerts(model, open_situations, today)
    # Procuration alerts are computed here from the procuration events; the measures' own copies are left out.
    found += [Alert(a.alert_id, a.kind, a.situation_id, a.region, a.due_on.isoformat() if a.due_on else None,
                    a.measure_id) for a in model.alerts.values() if not a.kind.startswith("PROCURATION_")]
    return sorted(found, key=lambda a: (a.kind, a.due_on or "", a.alert_id))


def procuration_alerts(model: ReadModel, open_situations: list[SituationView], today: date) -> list[Alert]:
    by_person: dict[str, list[ProcurationView]] = {}
    for procuration in model.procurations.values():
        by_person.setdefault(procuration.person_pseudonym, []).append(procuration)
    found = []
    for situation in open_situations:
        current = current_procuration(model, by_person, situation)
        if current is None or current.status in ("REVOKED", "SUPERSEDED"):
            continue
        if current.status == "EXPIRED" or current.valid_until < today:
            kind = PROCURATION_EXPIRED
        elif current.valid_until <= today + EXPIRY_WARNING:
            kind = PROCURATION_EXPIRING
        else:
            continue
        found.append(Alert(f"{kind}:{situation.situation_id}", kind, situation.situation_id, situation.region,
                           current.valid_until.isoformat(), procuration_id=current.procuration_id))
    return found


def current_procuration(model: ReadModel, by_person: dict[str, list[ProcurationView]],
                        situation: SituationView) -> ProcurationView | None:
    """The person's procuration that is still in force, the longest valid; else the one the announcement named."""
    candidates = by_person.get(situation.person_pseudonym or "", [])
    in_force = [p for p in candidates if p.status not in ("REVOKED", "SUPERSEDED")]
    if in_force:
        return max(in_force, key=lambda p: p.valid_until)
    return model.procurations.get(situation.procuration_id or "")


def closed_situations(model: ReadModel) -> dict[str, Any]:
    outcomes = Counter(s.closure_outcome for s in model.situations.values() if s.closure_outcome)
    return {"total": sum(outcomes.values()), "by_outcome": dict(sorted(outcomes.items()))}


def dashboard(model: ReadModel, today: date) -> dict[str, Any]:
    open_situations = [s for s in model.situations.values() if is_open(s)]
    by_state_region: dict[str, dict[str, int]] = {state: {} for state in OPEN_STATUSES}
    for s in open_situations:
        by_state_region[s.status][s.region] = by_state_region[s.status].get(s.region, 0) + 1
    found = alerts(model, today)
    kinds = Counter(a.kind for a in found)
    running = Counter(m.type for m in model.measures.values() if m.stage in RUNNING_STAGES)
    return {
        "as_of": today.isoformat(),
        "open_situations": {"total": len(open_situations), "by_state_region": by_state_region},
        "triage_overdue": kinds.get(TRIAGE_OVERDUE, 0),
        "measures_running": dict(sorted(running.items())),
        "contracts_overdue": kinds.get(CONTRACT_OVERDUE, 0),
        "procurations_expiring": kinds.get(PROCURATION_EXPIRING, 0),
        "procurations_expired": kinds.get(PROCURATION_EXPIRED, 0),
        "situations_closed": closed_situations(model),
        "alerts": [asdict(a) for a in found],
    }
