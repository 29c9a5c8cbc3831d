"""The bureau's dashboard page: figures, server-rendered SVG charts, the alerts table."""

from html import escape
from typing import Any

from .page_layout import page, table
from .svg_charts import bar_chart

REGIONS = ("HAUT_VALAIS", "SIERRE", "SION", "MARTIGNY", "MONTHEY")


def tile(tile_id: str, label: str, value: int) -> str:
    return (f'<div class="tile" id="{tile_id}"><div class="v" data-value="{value}">{value}</div>'
            f"<div>{escape(label)}</div></div>")


def signed_in_bar(who: str, csrf: str) -> str:
    """Who is signed in, and the logout button (a form with the session's CSRF token)."""
    return (f'<form class="noprint who" method="post" action="/logout"><span id="who">{escape(who)}</span> '
            f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
            '<button type="submit" id="logout">Se déconnecter</button></form>')


def dashboard_page(board: dict[str, Any], *, header: str = "") -> str:
    open_situations = board["open_situations"]
    by_state = {state: sum(regions.values()) for state, regions in open_situations["by_state_region"].items()}
    by_region = {region: sum(r.get(region, 0) for r in open_situations["by_state_region"].values())
                 for region in REGIONS}
    state_rows = [[state, *[regions.get(r, 0) for r in REGIONS], sum(regions.values())]
                  for state, regions in open_situations["by_state_region"].items()]
    alert_rows = [[a["kind"], a["situation_id"] or "", a["region"] or "", a["due_on"] or "",
                   a["measure_id"] or a["procuration_id"] or ""] for a in board["alerts"]]
    body = [
        header,
        f"<h1>CII Valais: tableau de bord du bureau</h1><p class=\"note\">au {escape(board['as_of'])}</p>",
        '<div class="tiles">',
        tile("open-situations", "situations ouvertes", open_situations["total"]),
        tile("triage-overdue", "triages en retard", board["triage_overdue"]),
        tile("contracts-overdue", "contrats d'objectifs en retard", board["contracts_overdue"]),
        tile("procurations-expiring", "procurations expirant dans 30 jours", board["procurations_expiring"]),
        tile("procurations-expired", "procurations expirées (situations ouvertes)", board["procurations_expired"]),
        "</div><h2>Situations ouvertes</h2>",
        table(["état", *REGIONS, "total"], state_rows, "open-by-state-region"),
        '<div class="charts">',
        bar_chart("chart-open-by-state", "Situations ouvertes par état", by_state),
        bar_chart("chart-open-by-region", "Situations ouvertes par région", by_region),
        bar_chart("chart-measures-running", "Mesures en cours par type", board["measures_running"]),
        "</div><h2>Alertes</h2>",
        table(["type", "situation", "région", "échéance", "mesure / procuration"], alert_rows, "alerts"),
    ]
    return page("CII Valais: tableau de bord", "".join(body))
