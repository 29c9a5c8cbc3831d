"""Section 8 computed by hand from the generated truth (written apart from the service's code, by the
definitions of docs/contract.md: a second, independent reading of them)."""

import calendar
from collections import Counter
from datetime import date
from typing import Any

from cii_platform.testing.generator import Caseload, History, Situation

FIRST_CIRCLE = {"ORP", "LMMT", "OCPS", "CMS", "OASI", "T1", "OSP", "OAI"}


def six_months_after(day: date) -> date:
    month = day.month + 6
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def fraction(part: float, whole: int) -> float:
    return part / whole if whole else 0.0


def expected_report(history: History, year: int, caseloads: list[Caseload]) -> dict[str, Any]:
    in_year = [s for s in history.situations if s.announced_on.year == year]
    adults = [s for s in in_year if s.public == "ADULT" and s.situation_type == "COMPLEX"]
    young = [s for s in in_year if s.public == "YOUNG"]
    first_circle_young = sum(1 for s in young if s.institution in FIRST_CIRCLE)
    table: dict[str, Counter[str]] = {}
    for s in adults:
        table.setdefault(s.institution, Counter())[s.person.region] += 1
    return {
        "year": year,
        "adult_complex": {
            "total": len(adults),
            "by_institution_region": {i: dict(c) for i, c in table.items()},
            "by_region": dict(Counter(s.person.region for s in adults)),
            "by_institution": dict(Counter(s.institution for s in adults)),
        },
        "young": {"total": len(young), "institutional": sum(1 for s in young if s.institution != "PRIVATE"),
                  "first_circle": first_circle_young},
        "announced_by_partners": len(adults) + first_circle_young,
        "measures": expected_measures(history, year),
        "profile": expected_profile(adults),
        "gravity": {"mean_index": fraction(sum(s.gravity_index for s in adults), len(adults)),
                    "mean_risk_factors": fraction(sum(len(s.risk_factors) for s in adults), len(adults))},
        "reinsertion": {"COACHING_ORP_CMS": expected_reinsertion(history, year)},
        "early_detection": {"within_6_months_share": fraction(
            sum(1 for s in adults if s.announced_on < six_months_after(s.follow_up_started_on)), len(adults)),
            "mean_delay_days": round(fraction(sum((s.announced_on - s.follow_up_started_on).days for s in adults),
                                              len(adults)), 1)},
        # the generated history publishes no situation.closed fact: tests/e2e/test_situation_closure.py counts them
        "closures": {"total": 0, "by_outcome": {}},
        "transitions": dict(Counter(f"{t.from_unit or t.from_institution}->{t.to_institution}"
                                    for t in history.transitions if t.signaled_on.year == year)),
        "simultaneous_follow_up": expected_follow_up(caseloads),
    }


def expected_measures(history: History, year: int) -> dict[str, int]:
    counts = dict.fromkeys(("TRO", "ASSESSMENT", "COACHING_ORP_CMS", "CASE_MANAGEMENT", "MEDICAL_MANDATE"), 0)
    for m in history.measures:
        day = m.held_on if m.type in ("TRO", "ASSESSMENT") else m.started_on
        if day and day.year == year:
            counts[m.type] += 1
    return counts


def expected_profile(adults: list[Situation]) -> dict[str, Any]:
    return {"men_share": fraction(sum(1 for s in adults if s.person.sex == "M"), len(adults)),
            "mean_age": fraction(sum(s.age for s in adults), len(adults)),
            "education": {level: fraction(sum(1 for s in adults if s.person.education_level == level), len(adults))
                          for level in ("NONE", "SECONDARY_II", "TERTIARY")}}


def expected_reinsertion(history: History, year: int) -> float:
    closed = [m for m in history.measures
              if m.type == "COACHING_ORP_CMS" and m.closed_on and m.closed_on.year == year]
    return fraction(sum(1 for m in closed if m.reinsertion), len(closed))


def expected_follow_up(caseloads: list[Caseload]) -> dict[str, Any]:
    followed_by: dict[str, set[str]] = {}
    for c in caseloads:
        for avs in c.persons:
            followed_by.setdefault(avs, set()).add(c.institution)
    multi = {avs for avs, who in followed_by.items() if len(who) >= 2}
    return {"persons_total": len(followed_by), "persons_multi": len(multi),
            "share": fraction(len(multi), len(followed_by)),
            "by_institution": {c.institution: fraction(len(set(c.persons) & multi), len(set(c.persons)))
                               for c in caseloads}}
