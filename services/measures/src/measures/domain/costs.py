"""Financing rules of the CII convention (seed 002): who pays what in a year.

- Variable costs (assessments, expertises, medical mandates, reinsertion measures) are charged to the
  requesting institution (user pays, 7.2). When the 'Commission droit' decided prefinancing (7.4), the
  cantonal employment fund advances the cost until entitlement is clarified; the cost is then charged
  to the partner found liable, and the fund keeps it only if no partner can be charged.
- Structural costs are split among the contracting parties of section 2 (SICT, SAS, SFOP, SHE, OAI), in
  equal parts unless the COPIL configured a key (7.2).
"""

from dataclasses import dataclass, field
from datetime import date

from .model import Measure

CANTONAL_EMPLOYMENT_FUND = "FONDS_CANTONAL_EMPLOI"
PREFINANCED = "PREFINANCED"
REFUSED = "REFUSED"


@dataclass(frozen=True)
class CostItem:
    measure_id: str
    situation_id: str
    type: str
    incurred_on: date
    amount: float
    prefinanced: bool
    advance: bool = False  # prefinanced, entitlement not yet clarified


@dataclass
class Statement:
    institution: str
    variable_items: list[CostItem] = field(default_factory=list)
    structural_costs: float = 0.0

    @property
    def variable_costs(self) -> float:
        return round(sum(item.amount for item in self.variable_items), 2)

    @property
    def total(self) -> float:
        return round(self.variable_costs + self.structural_costs, 2)


def payer_of(measure: Measure) -> str:
    prefinancing = measure.prefinancing
    if prefinancing is None or prefinancing.decision != PREFINANCED:
        return measure.requested_by
    return prefinancing.charged_to or CANTONAL_EMPLOYMENT_FUND


def structural_shares(total: float, partners: list[str], key: dict[str, float] | None) -> dict[str, float]:
    """Equal parts among the partners, or in proportion to the configured key's weights."""
    weights = {p: float(w) for p, w in key.items() if w > 0} if key else {p: 1.0 for p in partners}
    weight_sum = sum(weights.values())
    if not weight_sum:
        return {}
    return {p: round(total * w / weight_sum, 2) for p, w in sorted(weights.items())}


def annual_statements(year: int, measures: list[Measure], *, structural_total: float,
                      partners: list[str], key: dict[str, float] | None) -> list[Statement]:
    statements: dict[str, Statement] = {}
    for measure in measures:
        incurred_on = measure.cost_date
        if measure.variable_cost is None or incurred_on is None or incurred_on.year != year:
            continue
        payer = payer_of(measure)
        statements.setdefault(payer, Statement(payer)).variable_items.append(CostItem(
            measure.id, measure.situation_id, measure.type.value, incurred_on, measure.variable_cost,
            bool(measure.prefinancing and measure.prefinancing.decision == PREFINANCED),
            bool(measure.prefinancing and measure.prefinancing.advance)))
    for partner, share in structural_shares(structural_total, partners, key).items():
        statements.setdefault(partner, Statement(partner)).structural_costs = share
    return [statements[code] for code in sorted(statements)]
