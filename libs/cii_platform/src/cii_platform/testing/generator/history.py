"""Realistic synthetic CII data: one year (or many) of situations, measures, transitions, procurations,
alerts and caseloads, shaped like the 2024 annual report (seed 000, sections 3 and 9) and scalable.

Deterministic for a seed. Expectations are computed by the tests from the History, not here.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ...contracts.avs import format_avs

REGIONS = {"HAUT_VALAIS": 10, "SIERRE": 26, "SION": 26, "MARTIGNY": 16, "MONTHEY": 22}
ADULT_ANNOUNCERS = {"ORP": 50, "CMS": 30, "OASI": 10, "OAI": 4, "OSP": 5, "T1": 1}
YOUNG_ANNOUNCERS = {"T1": 30, "ORP": 10, "CMS": 8, "OSP": 6, "OAI": 4, "SEC2": 10, "EPCL": 8, "OPE": 6,
                    "SPPEA": 5, "CDTEA": 4, "OES": 4, "PRIVATE": 20}
EDUCATION = {"NONE": 47, "SECONDARY_II": 45, "TERTIARY": 8}
SEX = {"M": 57, "F": 42, "X": 1}
GAPS = {"EMPLOYED": 0.0, "UNDER_1_YEAR": 0.5, "ONE_TO_THREE_YEARS": 1.0, "OVER_THREE_YEARS": 1.5,
        "NEVER_EMPLOYED": 1.5}
RISKS = ("HEALTH", "ADDICTION", "ILLITERACY", "FINANCE", "EDUCATION", "LANGUAGE", "HOUSING", "FAMILY",
         "JUSTICE", "SOCIAL_ISOLATION")
MEASURES = {"TRO": 28, "ASSESSMENT": 6, "COACHING_ORP_CMS": 48, "CASE_MANAGEMENT": 4, "MEDICAL_MANDATE": 3}
ROUTES = {("ORP", None, "CMS"): 120, ("CMS", None, "ORP"): 97, ("OASI", "BIP", "ORP"): 30, ("ORP", None, "OAI"): 12}
CASELOADS = {"ORP": 3000, "CMS": 1500, "OAI": 1100, "OSP": 800, "OASI": 600}
NAMES = ("Martin", "Rey", "Favre", "Zufferey", "Bonvin", "Imboden", "Schmid", "Carron", "Dubuis", "Pitteloud")
FIRST = ("Anna", "Luca", "Sara", "Yann", "Elif", "Noah", "Lea", "Amir", "Julie", "Marco")


@dataclass
class Person:
    avs: str
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    region: str
    education_level: str


@dataclass
class Situation:
    situation_id: str
    external_ref: str
    institution: str  # PRIVATE for a private person's announcement
    unit: str | None
    person: Person
    announced_on: date
    public: str
    situation_type: str
    risk_factors: list[str]
    employment_gap: str
    follow_up_started_on: date
    triage_decision: str | None = None
    status: str = "SUBMITTED"
    procuration_id: str | None = None

    @property
    def age(self) -> int:
        b, a = self.person.birth_date, self.announced_on
        return a.year - b.year - ((a.month, a.day) < (b.month, b.day))

    @property
    def gravity_index(self) -> float:
        return 0.5 * len(self.risk_factors) + GAPS[self.employment_gap]


@dataclass
class Measure:
    measure_id: str
    situation: Situation
    type: str
    requested_on: date
    held_on: date | None = None
    started_on: date | None = None
    closed_on: date | None = None
    reinsertion: bool | None = None


@dataclass
class Transition:
    transition_id: str
    from_institution: str
    from_unit: str | None
    to_institution: str
    signaled_on: date
    person: Person


@dataclass
class Procuration:
    procuration_id: str
    person: Person
    valid_from: date
    valid_until: date
    parties: list[str]


@dataclass
class Caseload:
    institution: str
    snapshot_id: str
    year: int
    persons: list[str]  # AVS numbers

    def chunks(self, size: int) -> list[list[str]]:
        return [self.persons[i:i + size] for i in range(0, len(self.persons), size)] or [[]]


@dataclass
class Alert:
    alert_id: str
    kind: str
    measure: Measure
    due_on: date
    cleared: bool = False


@dataclass
class History:
    situations: list[Situation] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    procurations: list[Procuration] = field(default_factory=list)
    caseloads: list[Caseload] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def extend(self, other: "History") -> None:
        for name in ("situations", "measures", "transitions", "procurations", "caseloads", "alerts"):
            getattr(self, name).extend(getattr(other, name))


class HistoryGenerator:
    """`year(2024, scale=1.0)`: about the 2024 volumes (80 adult complex, 462 young, 89 measures...)."""

    def __init__(self, seed: int = 2024, prefix: str = "gen", latest: date | None = None) -> None:
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.latest = latest or date.today() - timedelta(days=1)  # institutions never announce the future
        self._serial = 0

    def _next(self, kind: str) -> str:
        self._serial += 1
        return f"{self.prefix}-{kind}-{self._serial:07d}"

    def _pick(self, weights: dict[Any, int]) -> Any:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _day(self, year: int) -> date:
        return min(self.latest, date(year, 1, 1) + timedelta(days=self.rng.randrange(365)))

    def person(self, age: int, on: date, region: str | None = None) -> Person:
        avs = format_avs("756" + "".join(str(self.rng.randrange(10)) for _ in range(9)))
        birth = on - timedelta(days=int(age * 365.25) + self.rng.randrange(300))
        return Person(avs, self.rng.choice(NAMES), self.rng.choice(FIRST), birth, self._pick(SEX),
                      region or self._pick(REGIONS), self._pick(EDUCATION))

    def situation(self, year: int, *, public: str, situation_type: str, institution: str) -> Situation:
        announced = self._day(year)
        age = self.rng.randint(15, 25) if public == "YOUNG" else max(26, min(64, int(self.rng.gauss(37, 10))))
        person = self.person(age, announced)
        follow_up = announced - timedelta(days=self.rng.choice((0, 30, 90, 150, 170, 200, 400, 700)))
        unit = "BIP" if institution == "OASI" and self.rng.random() < 0.8 else None
        return Situation(self._next("sit"), self._next("ref"), institution, unit, person, announced, public,
                         situation_type, sorted(self.rng.sample(RISKS, self.rng.randint(1, 7))),
                         self._pick({g: 1 for g in GAPS}), follow_up)

    def year(self, year: int, *, scale: float = 1.0) -> History:
        def n(count: int) -> int:
            return max(1, round(count * scale))

        history = History()
        for _ in range(n(80)):
            history.situations.append(self.situation(year, public="ADULT", situation_type="COMPLEX",
                                                     institution=self._pick(ADULT_ANNOUNCERS)))
        for _ in range(n(40)):
            history.situations.append(self.situation(year, public="ADULT", situation_type=self._pick(
                {"SIMPLE": 1, "NETWORK": 2}), institution=self._pick(ADULT_ANNOUNCERS)))
        for _ in range(n(462)):
            history.situations.append(self.situation(year, public="YOUNG", situation_type=self._pick(
                {"SIMPLE": 3, "NETWORK": 2, "COMPLEX": 1}), institution=self._pick(YOUNG_ANNOUNCERS)))
        self._triage_and_measures(history, year, n)
        history.transitions = [self._transition(year, route) for route, c in ROUTES.items() for _ in range(n(c))]
        history.caseloads = self._caseloads(year, n)
        return history

    def _triage_and_measures(self, history: History, year: int, n: Callable[[int], int]) -> None:
        complex_ones = [s for s in history.situations if s.situation_type == "COMPLEX"]
        for s in history.situations:
            s.triage_decision = "ACCEPT_COMPLEX" if s.situation_type == "COMPLEX" else self._pick(
                {"REDIRECT_NETWORK": 3, "REDIRECT_SIMPLE": 3, "REJECT": 1})
            s.status = "TRIAGED" if self.rng.random() < 0.9 else "SUBMITTED"
        for measure_type, count in MEASURES.items():
            for _ in range(n(count)):
                history.measures.append(self._measure(self.rng.choice(complex_ones), measure_type, year))
        for s in complex_ones:
            if self.rng.random() < 0.7:
                history.procurations.append(self._procuration(s, year))
        for m in history.measures:
            if m.type == "CASE_MANAGEMENT" and m.started_on and self.rng.random() < 0.5:
                history.alerts.append(Alert(self._next("alert"), "CONTRACT_OVERDUE", m,
                                            m.started_on + timedelta(days=14), cleared=self.rng.random() < 0.3))

    def _measure(self, situation: Situation, measure_type: str, year: int) -> Measure:
        requested = max(situation.announced_on, self._day(year))
        measure = Measure(self._next("measure"), situation, measure_type, requested)
        done_on = requested + timedelta(days=self.rng.randint(5, 60))
        if measure_type in ("TRO", "ASSESSMENT"):
            measure.held_on = done_on if self.rng.random() < 0.9 else None
        elif self.rng.random() < 0.9:
            measure.started_on = done_on
            if self.rng.random() < 0.6:
                measure.closed_on = done_on + timedelta(days=self.rng.randint(30, 200))
                measure.reinsertion = self.rng.random() < 0.52
        if measure.held_on or measure.started_on:
            situation.status = "OPEN"
        if measure.closed_on and measure.type == "CASE_MANAGEMENT":
            situation.status = "CLOSED"
        return measure

    def _procuration(self, situation: Situation, year: int) -> Procuration:
        valid_from = situation.announced_on
        procuration = Procuration(self._next("proc"), situation.person, valid_from,
                                  valid_from + timedelta(days=self.rng.choice((200, 330, 365, 400, 720))),
                                  ["BUREAU", situation.institution if situation.institution != "PRIVATE" else "T1"])
        situation.procuration_id = procuration.procuration_id
        return procuration

    def _transition(self, year: int, route: tuple[str, str | None, str]) -> Transition:
        day = self._day(year)
        return Transition(self._next("tr"), route[0], route[1], route[2], day, self.person(35, day))

    def _caseloads(self, year: int, n: Callable[[int], int]) -> list[Caseload]:
        pool = [self.person(40, date(year, 6, 30)).avs for _ in range(n(sum(CASELOADS.values())) * 85 // 100)]
        caseloads = []
        for institution, size in CASELOADS.items():
            persons = self.rng.sample(pool, min(len(pool), n(size)))
            caseloads.append(Caseload(institution, self._next("snap"), year, persons))
        return caseloads
