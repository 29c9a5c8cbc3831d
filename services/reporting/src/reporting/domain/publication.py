"""Small-cell protection for publication: counts under the threshold are shown as '<3'.

Totals stay the exact sums of the true counts (consistent with the unpublished report); so that a single
hidden cell cannot be recovered by subtracting the visible ones from its total, the smallest other cell
of that group is hidden too (secondary suppression, shown as 'x'). Shares and means are unchanged.
"""

import copy
from typing import Any

Cell = int | str
SECONDARY = "x"


def protect_count(value: int, threshold: int) -> Cell:
    return f"<{threshold}" if 0 < value < threshold else value


def protect_group(counts: dict[str, int], threshold: int) -> dict[str, Cell]:
    shown: dict[str, Cell] = {key: protect_count(value, threshold) for key, value in counts.items()}
    hidden = [key for key, value in shown.items() if isinstance(value, str)]
    visible = sorted((value, key) for key, value in counts.items() if value > 0 and key not in hidden)
    if len(hidden) == 1 and visible:
        shown[visible[0][1]] = SECONDARY
    return shown


def protect_report(report: dict[str, Any], threshold: int) -> dict[str, Any]:
    published = copy.deepcopy(report)
    adult = published["adult_complex"]
    adult["by_institution_region"] = {
        institution: protect_group(row, threshold) for institution, row in adult["by_institution_region"].items()}
    for key in ("by_region", "by_institution"):
        adult[key] = protect_group(adult[key], threshold)
    adult["total"] = protect_count(adult["total"], threshold)
    published["young"] = {key: protect_count(value, threshold) for key, value in published["young"].items()}
    published["announced_by_partners"] = protect_count(published["announced_by_partners"], threshold)
    published["measures"] = protect_group(published["measures"], threshold)
    published["transitions"] = protect_group(published["transitions"], threshold)
    follow_up = published["simultaneous_follow_up"]
    for key in ("persons_total", "persons_multi"):
        follow_up[key] = protect_count(follow_up[key], threshold)
    published["publication"] = {"threshold": threshold, "small_cells": f"<{threshold}",
                                "secondary_suppression": SECONDARY}
    return published
