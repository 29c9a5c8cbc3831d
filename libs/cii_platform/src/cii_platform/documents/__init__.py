"""The platform's one document engine: Jinja2 templates (HTML + CSS) printed to PDF by WeasyPrint.

Every service keeps its templates (and their French/German gettext catalog) next to its code and renders
them with `DocumentEngine(folder).render(template, context, language)`. The shared layout
(`documents/base.html`) gives every page the sender's header, and in the footer the date of printing and
"page n of m" (CSS @page margin boxes). Words for codes (`|words("measure")`), Swiss dates (`|swiss_date`,
`|long_date`) and institution names come from here, so no document shows a raw code.

WeasyPrint needs Pango from the system (Debian: libpango-1.0-0 libpangoft2-1.0-0, fonts-dejavu-core).
"""

import asyncio
import io
import logging
import threading
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..contracts.references import human_reference
from .words import INSTITUTION_NAMES, label_of

LANGUAGES = ("fr", "de")
DEFAULT_LANGUAGE = "fr"
SHARED = Path(__file__).resolve().parent
DOMAIN = "documents"
SWISS = ZoneInfo("Europe/Zurich")
LOCALES = {"fr": "fr_CH", "de": "de_CH"}
_PRINTING = threading.Lock()


logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress steps, one line each, are noise
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _warm_up() -> None:
    from weasyprint import HTML

    with _PRINTING:
        HTML(string="<p>CII</p>").write_pdf()


def start_warm_up() -> threading.Thread:
    """Loads WeasyPrint, Pango and the fonts in the background at a service's start: the first print costs
    seconds of CPU (tens on a busy machine), which the first document's caller should not wait for."""
    thread = threading.Thread(target=_warm_up, name="documents-warm-up", daemon=True)
    thread.start()
    return thread


__all__ = ["DocumentEngine", "human_reference", "language_or_default"]


class UnknownLanguage(ValueError):
    pass


def language_or_default(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return (value.astimezone(SWISS) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return _day(datetime.fromisoformat(value.replace("Z", "+00:00"))) if "T" in value \
                else date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def swiss_date(value: object) -> str:
    """31.12.2026"""
    day = _day(value)
    return day.strftime("%d.%m.%Y") if day else ""


def swiss_datetime(value: object) -> str:
    """31.12.2026 14:05, Swiss time."""
    if isinstance(value, str):
        try:
            return swiss_datetime(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value.astimezone(SWISS) if value.tzinfo else value
        return moment.strftime("%d.%m.%Y %H:%M")
    return swiss_date(value)


def long_date(value: object, language: str) -> str:
    """3 décembre 2026 / 3. Dezember 2026."""
    day = _day(value)
    return format_date(day, format="long", locale=LOCALES[language_or_default(language)]) if day else ""


@cache
def _catalog(folder: Path, language: str) -> NullTranslations:
    """The .po compiled in memory (no .mo to keep in step with its source)."""
    po = folder / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translations(language: str, service_locale: Path | None) -> NullTranslations:
    """The service's words first, then the platform's."""
    shared = _catalog(SHARED / "locale", language)
    if service_locale is None:
        return shared
    own = _catalog(service_locale, language)
    merged = Translations(domain=DOMAIN)
    merged.merge(shared)  # type: ignore[arg-type]
    merged.merge(own)  # type: ignore[arg-type]
    return merged


def css_string(text: object) -> Markup:
    """A value put inside a CSS string in a <style> element (the footer's content): raw text there, so
    not HTML-escaped, but no way out of the string or the element."""
    cleaned = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return Markup(f'"{cleaned}"')


class DocumentEngine:
    """Renders a service's document templates; `folder` holds `templates/` and `locale/`."""

    def __init__(self, folder: Path, *, institution_names: Mapping[str, str] | None = None) -> None:
        templates, locale = folder / "templates", folder / "locale"
        self._locale = locale if locale.exists() else None
        self._institution_names = dict(institution_names or {})
        self._env = Environment(
            loader=ChoiceLoader([FileSystemLoader(templates), FileSystemLoader(SHARED / "templates")]),
            autoescape=select_autoescape(["html"]), extensions=["jinja2.ext.i18n"], undefined=StrictUndefined,
            trim_blocks=True, lstrip_blocks=True)
        self._env.filters.update(swiss_date=swiss_date, swiss_datetime=swiss_datetime, css_string=css_string)

    def render_html(self, template: str, context: Mapping[str, Any], language: str,
                    printed_at: datetime | None = None) -> str:
        if language not in LANGUAGES:
            raise UnknownLanguage(f"documents are printed in {' or '.join(LANGUAGES)}, not {language!r}")
        catalog = translations(language, self._locale)
        env = self._env.overlay()
        env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]

        def words(code: object, kind: str) -> str:
            if code is None or code == "":
                return ""
            if kind == "institution" and str(code) not in INSTITUTION_NAMES:
                return catalog.gettext(self._institution_names.get(str(code), str(code)))
            return catalog.gettext(label_of(kind, code))

        env.filters.update(words=words, long_date=lambda value: long_date(value, language))
        moment = printed_at or datetime.now(SWISS)
        return env.get_template(template).render(
            **context, lang=language, printed_on=swiss_date(moment), printed_at=swiss_datetime(moment))

    def render(self, template: str, context: Mapping[str, Any], language: str,
               printed_at: datetime | None = None) -> bytes:
        """The PDF of one template in French or German (UnknownLanguage for another language)."""
        from weasyprint import HTML  # imported on first print: WeasyPrint loads Pango then

        html = self.render_html(template, context, language, printed_at)
        with _PRINTING:  # one print at a time in a process: Pango and fontconfig are not made for threads
            return bytes(HTML(string=html, base_url=str(SHARED / "templates")).write_pdf())

    async def print(self, template: str, context: Mapping[str, Any], language: str,
                    printed_at: datetime | None = None) -> bytes:
        """`render` off the event loop (a page takes a few hundred milliseconds of CPU)."""
        return await asyncio.to_thread(self.render, template, context, language, printed_at)
