"""French and German from the gettext catalogs committed in `workspace/locale` (compiled at startup
when the .mo is older than its .po, so a checkout never serves stale words). The language of the
current request lives in a context variable read by `_()` in templates and code."""

from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ...domain.person import DEFAULT_LANGUAGE, LANGUAGES

LOCALE_DIR = Path(__file__).resolve().parents[2] / "locale"
DOMAIN = "messages"
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> None:
    for language in LANGUAGES:
        po = locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        mo = po.with_suffix(".mo")
        if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
            with po.open("rb") as source:
                catalog = read_po(source, locale=language)
            try:
                with mo.open("wb") as target:
                    write_mo(target, catalog)
            except OSError:
                pass  # a read-only image ships its compiled catalogs


class Catalogs:
    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        compile_catalogs(locale_dir)
        self._translations = {language: Translations.load(str(locale_dir), [language], DOMAIN)
                              for language in LANGUAGES}

    def gettext(self, message: str) -> str:
        return self._translations[current_language.get()].gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations[current_language.get()].ngettext(singular, plural, n)
