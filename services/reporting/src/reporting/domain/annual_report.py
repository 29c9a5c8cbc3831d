"""The annual report of docs/contract.md section 8, computed from the read model by its definitions."""

import calendar
from collections import Counter
from datetime import date
from typing import Any

from .caseload import share, simultaneous_follow_up
from .model import ReadModel, SituationView

PRIVATE = "PRIVATE"
HELD_MEASURES = ("TRO", "ASSESSMENT")  # counted when held; the others when started
MEASURE_TYPES = ("TRO", "ASSESSMENT", "COACHING_ORP_CMS", "CASE_MANAGEMENT", "MEDICAL_MANDATE")
EDUCATION_LEVELS = ("NONE", "SECONDARY_II", "TERTIARY")


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later (the month's last day when it has fewer days)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def announced_within_6_months(situation: SituationView) -> bool:
    return situation.announced_on < add_months(situation.follow_up_started_on, 6)


def mean(values: list[float] | list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def annual_report(model: ReadModel, year: int, first_circle: set[str]) -> dict[str, Any]:
    announced = [s for s in model.situations.values() if s.announced_on.year == year]
    adult_complex = [s for s in announced if s.public == "ADULT" and s.situation_type == "COMPLEX"]
    young = young_figures([s for s in announced if s.public == "YOUNG"], first_circle)
    return {
        "year": year,
        "adult_complex": adult_complex_table(adult_complex),
        "young": young,
        "announced_by_partners": len(adult_complex) + young["first_circle"],
        "measures": measures_in_year(model, year),
        "profile": profile(adult_complex),
        "gravity": {"mean_index": mean([s.gravity_index for s in adult_complex]),
                    "mean_risk_factors": mean([s.risk_factor_count for s in adult_complex])},
        "reinsertion": {"COACHING_ORP_CMS": reinsertion_share(model, year, "COACHING_ORP_CMS")},
        "early_detection": {"within_6_months_share": share(
            sum(1 for s in adult_complex if announced_within_6_months(s)), len(adult_complex)),
            "mean_delay_days": mean_detection_delay_days(adult_complex)},
        "transitions": dict(sorted(Counter(
            t.route for t in model.transitions.values() if t.signaled_on.year == year).items())),
        "simultaneous_follow_up": simultaneous_follow_up(model.caseloads.effective(year)),
        "closures": closures_in_year(model, year),
    }


def mean_detection_delay_days(situations: list[SituationView]) -> float:
    """Seed 000, section 9 ("la durée moyenne entre le moment où la personne démarre un suivi auprès du
    dispositif annonceur et celui où elle est signalée au bureau"): in days, over adult_complex."""
    return round(mean([(s.announced_on - s.follow_up_started_on).days for s in situations]), 1)


def closures_in_year(model: ReadModel, year: int) -> dict[str, Any]:
    """Situations that ended in the year, by the way they ended (SituationClosed.outcome)."""
    outcomes = Counter(s.closure_outcome for s in model.situations.values()
                       if s.closed_on is not None and s.closed_on.year == year and s.closure_outcome)
    return {"total": sum(outcomes.values()), "by_outcome": dict(sorted(outcomes.items()))}


def adult_complex_table(situations: list[SituationView]) -> dict[str, Any]:
    by_institution_region: dict[str, dict[str, int]] = {}
    for s in situations:
        row = by_institution_region.setdefault(s.institution, {})
        row[s.region] = row.get(s.region, 0) + 1
    return {
        "total": len(situations),
        "by_institution_region": {i: dict(sorted(r.items())) for i, r in sorted(by_institution_region.items())},
        "by_region": dict(sorted(Counter(s.region for s in situations).items())),
        "by_institution": dict(sorted(Counter(s.institution for s in situations).items())),
    }


def young_figures(situations: list[SituationView], first_circle: set[str]) -> dict[str, int]:
    return {
        "total": len(situations),
        "institutional": sum(1 for s in situations if s.institution != PRIVATE),
        "first_circle": sum(1 for s in situations if s.institution in first_circle),
    }


def measures_in_year(model: ReadModel, year: int) -> dict[str, int]:
    counts = dict.fromkeys(MEASURE_TYPES, 0)
    for m in model.measures.values():
        counted_on = m.held_on if m.type in HELD_MEASURES else m.started_on
        if counted_on is not None and counted_on.year == year:
            counts[m.type] = counts.get(m.type, 0) + 1
    return counts


def profile(situations: list[SituationView]) -> dict[str, Any]:
    education = Counter(s.education_level for s in situations)
    return {
        "men_share": share(sum(1 for s in situations if s.sex == "M"), len(situations)),
        "mean_age": mean([s.age for s in situations]),
        "education": {level: share(education.get(level, 0), len(situations)) for level in EDUCATION_LEVELS},
    }


def reinsertion_share(model: ReadModel, year: int, measure_type: str) -> float:
    closed = [m for m in model.measures.values()
              if m.type == measure_type and m.closed_on is not None and m.closed_on.year == year]
    return share(sum(1 for m in closed if m.reinsertion), len(closed))
