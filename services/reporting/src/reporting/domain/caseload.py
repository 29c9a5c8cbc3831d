"""Caseload snapshots (pseudonymised) and the simultaneous follow-up they measure.

Per institution and year only one snapshot counts: the complete one completed last. "Last" is decided
by the time reporting recorded its final chunk (then its id), never by consumption order, so a replay
that reads the partitions in another order picks the same snapshot.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Snapshot:
    snapshot_id: str
    chunks: int
    parts: dict[int, list[str]] = field(default_factory=dict)
    last_recorded_at: str = ""

    @property
    def complete(self) -> bool:
        return len(self.parts) == self.chunks

    def persons(self) -> set[str]:
        return {p for part in self.parts.values() for p in part}


@dataclass
class CaseloadBook:
    snapshots: dict[tuple[str, int], dict[str, Snapshot]] = field(default_factory=dict)

    def record(self, fact: dict[str, Any]) -> None:
        by_id = self.snapshots.setdefault((fact["institution"], fact["year"]), {})
        snapshot = by_id.setdefault(fact["snapshot_id"], Snapshot(fact["snapshot_id"], fact["chunks"]))
        snapshot.parts.setdefault(fact["chunk"], list(fact["person_pseudonyms"]))
        snapshot.last_recorded_at = max(snapshot.last_recorded_at, fact["recorded_at"])

    def effective(self, year: int) -> dict[str, set[str]]:
        """The persons of each institution for the year, from its latest complete snapshot."""
        result: dict[str, set[str]] = {}
        for (institution, snapshot_year), by_id in self.snapshots.items():
            complete = [s for s in by_id.values() if snapshot_year == year and s.complete]
            if complete:
                latest = max(complete, key=lambda s: (s.last_recorded_at, s.snapshot_id))
                result[institution] = latest.persons()
        return result


def simultaneous_follow_up(persons_by_institution: dict[str, set[str]]) -> dict[str, Any]:
    followers: dict[str, int] = {}
    for persons in persons_by_institution.values():
        for person in persons:
            followers[person] = followers.get(person, 0) + 1
    multi = {p for p, n in followers.items() if n >= 2}
    by_institution = {
        institution: share(len(persons & multi), len(persons))
        for institution, persons in sorted(persons_by_institution.items())}
    return {"persons_total": len(followers), "persons_multi": len(multi),
            "share": share(len(multi), len(followers)), "by_institution": by_institution}


def share(part: int | float, whole: int) -> float:
    """A fraction 0..1; 0 when there is nothing to divide (a count with nothing in it is 0)."""
    return part / whole if whole else 0.0
