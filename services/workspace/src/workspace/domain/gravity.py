"""The gravity index broken down into each factor's contribution, by the policy version the situation was
scored with (the rule itself: cii_platform.reference.gravity), so a coordinator sees why a situation
scores what it scores."""

from dataclasses import dataclass

from cii_platform.reference import Contribution, ReferenceData


@dataclass(frozen=True)
class GravityBreakdown:
    index: float
    policy: str
    contributions: list[Contribution]
    explained: bool  # False when the recorded index is not the sum of its version's weights (unknown version)


def breakdown(situation: dict[str, object], reference: ReferenceData) -> GravityBreakdown:
    risks = [str(r) for r in situation.get("risk_factors") or []]  # type: ignore[attr-defined]
    gap = str(situation.get("employment_gap") or "")
    index = float(situation.get("gravity_index") or 0.0)  # type: ignore[arg-type]
    version = str(situation.get("gravity_policy") or "")
    # An unknown version (the reference data no longer has it) is shown by the current policy, flagged.
    known = version in reference.gravity_policies and version != "default"
    policy = reference.gravity_policy(version if known else reference.default_gravity_policy)
    contributions = policy.contributions(risks, gap)
    return GravityBreakdown(index=index, policy=version, contributions=contributions,
                            explained=known and abs(policy.index(risks, gap) - index) < 1e-6)
