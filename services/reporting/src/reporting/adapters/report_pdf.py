"""The annual report as PDF, printed by the platform's one engine: each figure under its label in French or
German (never a JSON key), the previous year beside it, the date of printing and page numbers in the footer."""

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from cii_platform.documents import DocumentEngine
from cii_platform.documents.words import CODE_LABELS, INSTITUTION_NAMES, N_
from cii_platform.reference import ReferenceData

from ..entrypoints.http.flatten import flatten

FOLDER = Path(__file__).resolve().parents[1] / "documents"

SECTIONS: tuple[tuple[str, str], ...] = (
    ("young", N_("CII Young people: situations announced")),
    ("announced_by_partners", N_("Situations announced by the partner institutions")),
    ("measures", N_("The measures in figures")),
    ("profile", N_("Profile of the situations (adults, complex CII)")),
    ("gravity", N_("Gravity index")),
    ("reinsertion", N_("Reinsertion rate")),
    ("early_detection", N_("Early detection")),
    ("transitions", N_("Network CII: transitions between institutions")),
    ("simultaneous_follow_up", N_("Simultaneous follow-up")),
    ("closures", N_("Closures")),
)
KEY_LABELS: dict[str, str] = {
    "total": N_("Total"), "institutional": N_("Announced by an institution"),
    "first_circle": N_("Announced by the first circle"), "by_region": N_("By region"),
    "by_institution": N_("By institution"), "by_institution_region": N_("By institution and region"),
    "men_share": N_("Share of men"), "mean_age": N_("Mean age"), "education": N_("Education"),
    "mean_index": N_("Mean gravity index"), "mean_risk_factors": N_("Mean number of risk factors"),
    "within_6_months_share": N_("Announced within 6 months of the start of the follow-up"),
    "mean_delay_days": N_("Mean delay before the announcement (days)"),
    "persons_total": N_("Persons followed"), "persons_multi": N_("Persons followed by two institutions or more"),
    "share": N_("Share followed by two institutions or more"), "by_outcome": N_("By outcome"),
    "announced_by_partners": N_("Situations announced"),
}
PERCENT_HINTS = ("share", "education", "by_institution", "reinsertion")


@cache
def _engine(names: tuple[tuple[str, str], ...]) -> DocumentEngine:
    return DocumentEngine(FOLDER, institution_names=dict(names))


def _label_parts(path: str, known_institutions: set[str]) -> list[tuple[str, str]]:
    """(kind, code) for each part of a figure's path; the template turns each into words."""
    parts: list[tuple[str, str]] = []
    for segment in path.split("."):
        if segment in KEY_LABELS:
            parts.append(("key", segment))
        elif "->" in segment:
            parts.append(("route", segment))
        else:
            kind = next((k for k in ("region", "measure", "education") if segment in CODE_LABELS[k]), None)
            if kind is None and (segment in known_institutions or segment in INSTITUTION_NAMES):
                kind = "institution"
            parts.append((kind or "code", segment))
    return parts


def _shown(path: str, value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.0%}" if any(h in path for h in PERCENT_HINTS) else f"{value:.1f}"
    return value


def _rows(key: str, report: dict[str, Any], previous: dict[str, Any],
          institutions: set[str]) -> list[dict[str, Any]]:
    now = dict(flatten({key: report.get(key, {})}))
    before = dict(flatten({key: previous.get(key, {})}))
    paths = list(now) + [p for p in before if p not in now]
    rows = []
    for path in paths:
        inner = path.removeprefix(f"{key}.") if path != key else key
        rows.append({"label": _label_parts(inner, institutions), "before": _shown(path, before.get(path, 0)),
                     "now": _shown(path, now.get(path, 0))})
    return rows


def annual_report_pdf(reference: ReferenceData, report: dict[str, Any], previous: dict[str, Any],
                      language: str, printed_at: datetime | None = None) -> bytes:
    names = tuple((i.code, i.name) for i in reference.institutions) + tuple(
        (b.code, b.name) for b in reference.platform_bodies) + tuple(  # a sending unit (BIP, of the OASI)
        (unit, f"{i.name}: {unit}") for i in reference.institutions for unit in i.units)
    institutions = {code for code, _ in names}
    adult = report["adult_complex"]
    regions = [r for r in reference.regions if r in adult["by_region"]] + sorted(
        set(adult["by_region"]) - set(reference.regions))
    context = {
        "year": report["year"], "previous_year": previous["year"], "adult": adult, "regions": regions,
        "previous_total": previous["adult_complex"]["total"], "key_labels": KEY_LABELS,
        "sections": [{"title": title, "rows": _rows(key, report, previous, institutions)} for key, title in SECTIONS],
        "publication": report.get("publication")}
    return _engine(names).render("annual_report.html", context, language, printed_at)
