"""Valid announcement payloads for benchmarks and smoke tests (deterministic from an index)."""

from typing import Any

from ..contracts.avs import format_avs

_REGIONS = ("HAUT_VALAIS", "SIERRE", "SION", "MARTIGNY", "MONTHEY")
_RISKS = ("HEALTH", "ADDICTION", "FINANCE", "LANGUAGE", "HOUSING", "FAMILY")
_GAPS = ("EMPLOYED", "UNDER_1_YEAR", "ONE_TO_THREE_YEARS", "OVER_THREE_YEARS", "NEVER_EMPLOYED")


def announcement_payload(index: int, *, year: int, ref: str, situation_type: str = "COMPLEX") -> dict[str, Any]:
    """An adult announcement; person and fields vary with the index."""
    return {
        "external_ref": ref,
        "announced_on": f"{year}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "announcer": {"collaborator": "Collaborateur Bench", "respondent": "Répondant Bench"},
        "person": {"avs_number": format_avs(f"7569{index:08d}"), "last_name": f"Nom{index}",
                   "first_name": f"Prénom{index}", "birth_date": f"{year - 27 - index % 35}-06-15",
                   "sex": "FM"[index % 2], "region": _REGIONS[index % 5],
                   "education_level": ("NONE", "SECONDARY_II", "TERTIARY")[index % 3]},
        "situation_type": situation_type,
        "risk_factors": list(_RISKS[: 1 + index % len(_RISKS)]),
        "employment_gap": _GAPS[index % len(_GAPS)],
        "follow_up_started_on": f"{year - 1}-12-01",
        "co_following": [],
    }
