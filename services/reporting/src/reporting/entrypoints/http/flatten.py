"""The report as (figure, value) rows: `adult_complex.by_institution_region.ORP.SION`, 5."""

from typing import Any

Row = tuple[str, Any]


def flatten(report: dict[str, Any], prefix: str = "") -> list[Row]:
    rows: list[Row] = []
    for key, value in report.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            rows += flatten(value, path)
        else:
            rows.append((path, value))
    return rows


def side_by_side(current: dict[str, Any], previous: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every figure of either year with the previous year's value beside it ('' where it has none)."""
    now, before = dict(flatten(current)), dict(flatten(previous))
    order = list(now) + [path for path in before if path not in now]
    return [(path, before.get(path, ""), now.get(path, "")) for path in order if path != "year"]
