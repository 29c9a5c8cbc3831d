"""The HTML shell shared by the dashboard and the printable report (styles inline: works offline)."""

from html import escape

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: .5em 0 1em; } td, th { border: 1px solid #bbb; padding: .25em .6em; }
th { background: #eef2f7; text-align: left; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.tiles { display: flex; flex-wrap: wrap; gap: 1em; } .tile { border: 1px solid #ccd; border-radius: 6px;
padding: .6em 1em; min-width: 10em; } .tile .v { font-size: 1.8em; font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 2em; } .note { color: #666; font-size: .9em; }
@media print { body { margin: 0; } .noprint { display: none; } h2 { break-after: avoid; }
  table { break-inside: avoid; } }
"""


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>'
            f"</head><body>{body}</body></html>")


def cell(value: object) -> str:
    if isinstance(value, float):
        return f'<td class="n">{value:.3f}</td>'
    numeric = isinstance(value, int) or (isinstance(value, str) and value.startswith("<"))
    return f'<td class="n">{escape(str(value))}</td>' if numeric else f"<td>{escape(str(value))}</td>"


def table(header: list[str], rows: list[list[object]], table_id: str = "") -> str:
    ident = f' id="{escape(table_id)}"' if table_id else ""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
