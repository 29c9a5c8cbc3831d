"""What needs me today: the person's tasks from the open lists the services answer (pure, no I/O)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from .dates import parse_day


@dataclass(frozen=True)
class Task:
    kind: str  # TRIAGE_OVERDUE, TRIAGE_DUE, or an alert kind of the measures service
    situation_id: str | None
    measure_id: str | None
    due_on: date | None
    reference: str | None = None

    def overdue(self, today: date) -> bool:
        return self.due_on is not None and self.due_on < today


def triage_tasks(waiting: list[dict[str, Any]]) -> list[Task]:
    return [Task(kind="TRIAGE_OVERDUE" if s.get("triage_overdue") else "TRIAGE_DUE", situation_id=s["id"],
                 measure_id=None, due_on=parse_day(s.get("triage_due_on")), reference=s.get("external_ref"))
            for s in waiting]


def alert_tasks(alerts: list[dict[str, Any]]) -> list[Task]:
    return [Task(kind=str(a.get("kind")), situation_id=a.get("situation_id"), measure_id=a.get("measure_id"),
                 due_on=parse_day(a.get("due_on"))) for a in alerts]


def needs_me_today(tasks: list[Task]) -> list[Task]:
    """Oldest deadline first (what is most overdue comes first); tasks without a deadline last."""
    return sorted(tasks, key=lambda t: (t.due_on is None, t.due_on or date.max, t.kind))


def triage_inbox_order(situations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overdue first, then by deadline, then the gravest first."""
    return sorted(situations, key=lambda s: (not s.get("triage_overdue"), str(s.get("triage_due_on") or ""),
                                             -float(s.get("gravity_index") or 0)))
