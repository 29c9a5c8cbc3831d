"""THE gravity policy of an announced situation (docs/contract.md section 4): the index is the sum of one
weight per listed risk factor and the weight of the employment gap. The weights of each version are
reference data (`gravity_policies` in reference_data.yaml: a new version is a change of that file, never
of code); the version used for new announcements is `gravity_policies.default`. Signalement scores with
`index`, the workspace explains a score with `contributions`: both from here."""

from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class Contribution:
    kind: str  # "risk" or "employment_gap"
    code: str
    points: float


class GravityPolicy(BaseModel):
    per_risk_factor: float
    employment_gap: dict[str, float]

    def contributions(self, risk_factors: list[str], employment_gap: str | None) -> list[Contribution]:
        parts = [Contribution("risk", risk, self.per_risk_factor) for risk in risk_factors]
        if employment_gap:
            parts.append(Contribution("employment_gap", employment_gap, self.employment_gap.get(employment_gap, 0.0)))
        return parts

    def index(self, risk_factors: list[str], employment_gap: str) -> float:
        """0 to 6.5 under policy v1."""
        return round(sum(part.points for part in self.contributions(risk_factors, employment_gap)), 2)
