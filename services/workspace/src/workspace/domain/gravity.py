"""The gravity index broken down into each factor's contribution (policy v1 of docs/contract.md section 4),
so a coordinator sees why a situation scores what it scores."""

from dataclasses import dataclass

RISK_FACTOR_WEIGHT = 0.5
EMPLOYMENT_GAP_WEIGHTS = {"EMPLOYED": 0.0, "UNDER_1_YEAR": 0.5, "ONE_TO_THREE_YEARS": 1.0,
                          "OVER_THREE_YEARS": 1.5, "NEVER_EMPLOYED": 1.5}
KNOWN_POLICIES = ("v1",)


@dataclass(frozen=True)
class Contribution:
    kind: str  # "risk" or "employment_gap": which words to show the code in
    code: str
    points: float


@dataclass(frozen=True)
class GravityBreakdown:
    index: float
    policy: str
    contributions: list[Contribution]
    explained: bool  # False when the recorded index is not this policy's sum (another policy version)


def breakdown(situation: dict[str, object]) -> GravityBreakdown:
    risks = [str(r) for r in situation.get("risk_factors") or []]  # type: ignore[attr-defined]
    gap = str(situation.get("employment_gap") or "")
    contributions = [Contribution("risk", risk, RISK_FACTOR_WEIGHT) for risk in risks]
    if gap:
        contributions.append(Contribution("employment_gap", gap, EMPLOYMENT_GAP_WEIGHTS.get(gap, 0.0)))
    index = float(situation.get("gravity_index") or 0.0)  # type: ignore[arg-type]
    policy = str(situation.get("gravity_policy") or "")
    total = sum(c.points for c in contributions)
    return GravityBreakdown(index=index, policy=policy, contributions=contributions,
                            explained=policy in KNOWN_POLICIES and abs(total - index) < 1e-6)
