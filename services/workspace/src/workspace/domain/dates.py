"""Swiss dates (31.12.2026), as the Confederation's design system shows them."""

from datetime import date, datetime


def parse_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if "T" in value \
                else date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def swiss_date(value: object) -> str:
    day = parse_day(value)
    return day.strftime("%d.%m.%Y") if day else ""


def swiss_datetime(value: object) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return swiss_date(value)


def parse_swiss_date(text: str) -> date | None:
    """What people type: 31.12.2026 (or the browser's date input, 2026-12-31)."""
    text = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
