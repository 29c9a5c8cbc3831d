"""The printable annual report: the report's tables, each with the previous year beside it ('2023 / 2024')."""

from html import escape
from typing import Any

from .flatten import flatten
from .page_layout import page, table
from .render_tabular import adult_complex_rows

SECTIONS = (
    ("young", "CII Jeunes: situations annoncées"),
    ("announced_by_partners", "Situations annoncées par les dispositifs partenaires"),
    ("measures", "Les prestations en chiffres"),
    ("profile", "Profil des situations (adultes, CII complexe)"),
    ("gravity", "Indice de gravité"),
    ("reinsertion", "Taux de réinsertion"),
    ("early_detection", "Détection précoce"),
    ("transitions", "CII réseau: transitions entre dispositifs"),
    ("simultaneous_follow_up", "Suivi simultané"),
)
PERCENT_HINTS = ("share", "education", "by_institution", "reinsertion")


def shown(path: str, value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:.0%}" if any(h in path for h in PERCENT_HINTS) else f"{value:.1f}"
    return value


def section_rows(key: str, current: dict[str, Any], previous: dict[str, Any]) -> list[list[Any]]:
    now = dict(flatten({key: current.get(key, {})}))
    before = dict(flatten({key: previous.get(key, {})}))
    paths = list(now) + [p for p in before if p not in now]
    return [[path.removeprefix(f"{key}.") if path != key else key, shown(path, before.get(path, 0)),
             shown(path, now.get(path, 0))] for path in paths]


def report_page(report: dict[str, Any], previous: dict[str, Any]) -> str:
    year, before = report["year"], previous["year"]
    header = ["", str(before), str(year)]
    adult = report["adult_complex"]
    parts = [f"<h1>CII Valais: rapport annuel {year}</h1>",
             '<p class="note noprint">Imprimez cette page (Ctrl+P) pour un PDF.</p>',
             f"<h2>Situations signalées en CII complexe (adultes) {year}</h2>",
             table(adult_complex_rows(adult)[0], adult_complex_rows(adult)[1:], "adult-complex"),
             table(header, [["Total des cas", previous["adult_complex"]["total"], adult["total"]]],
                   "adult-complex-years")]
    for key, title in SECTIONS:
        parts.append(f"<h2>{escape(title)}</h2>")
        parts.append(table(header, section_rows(key, report, previous), f"section-{key}"))
    if "publication" in report:
        parts.append(f'<p class="note">Publication: effectifs inférieurs à {report["publication"]["threshold"]} '
                     "masqués; x: masqué pour protéger une petite cellule.</p>")
    return page(f"CII Valais: rapport annuel {year}", "".join(parts))
