"""Charts drawn on the server as inline SVG: no script, no CDN, the page works offline and prints."""

from html import escape

BAR_HEIGHT = 22
LABEL_WIDTH = 170
BAR_AREA = 320
PALETTE = ("#1f5fa8", "#d9822b", "#3a9a5b", "#b8433a", "#7a5ea8", "#5b8a9a")


def bar_chart(chart_id: str, title: str, values: dict[str, int | float]) -> str:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    peak = max([float(v) for v in values.values()] + [1.0])
    height = BAR_HEIGHT * max(len(values), 1) + 30
    parts = [f'<svg id="{escape(chart_id)}" class="chart" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" width="{LABEL_WIDTH + BAR_AREA + 60}" height="{height}">',
             f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>']
    for index, (label, value) in enumerate(values.items()):
        y = 24 + index * BAR_HEIGHT
        width = round(BAR_AREA * float(value) / peak, 1)
        colour = PALETTE[index % len(PALETTE)]
        parts += [
            f'<text x="0" y="{y + 15}" font-size="12">{escape(str(label))}</text>',
            f'<rect class="bar" data-label="{escape(str(label))}" data-value="{value}" x="{LABEL_WIDTH}" '
            f'y="{y + 3}" width="{width}" height="{BAR_HEIGHT - 6}" fill="{colour}"/>',
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}" font-size="12">{value}</text>',
        ]
    if not values:
        parts.append('<text x="0" y="40" font-size="12" fill="#777">nothing to show</text>')
    parts.append("</svg>")
    return "".join(parts)
