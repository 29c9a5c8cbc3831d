"""The document engine: every message of the document templates and code words is translated in French and
German (shared catalog + each service's), a language other than fr/de is refused, the footer's text cannot
escape its CSS string, and the human reference is the notifier's."""

from datetime import date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cii_platform.documents import (
    SHARED,
    DocumentEngine,
    UnknownLanguage,
    css_string,
    human_reference,
    long_date,
    swiss_date,
    swiss_datetime,
)
from cii_platform.settings import REPO_ROOT

pytestmark = pytest.mark.unit
KEYWORDS = {"_": None, "N_": None, "gettext": None}
SERVICE_DOCUMENTS = [REPO_ROOT / "services" / name / "src" / name / "documents"
                     for name in ("measures", "procuration", "reporting")]


def messages(folder: Path, method_map: list[tuple[str, str]]) -> set[str]:
    options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
    return {message[0] if isinstance(message, tuple) else message
            for _, _, message, _, _ in extract_from_dir(str(folder), method_map, options, keywords=KEYWORDS)}


def translated(folder: Path, language: str) -> set[str]:
    po = folder / language / "LC_MESSAGES" / "documents.po"
    with po.open("rb") as source:
        return {m.id for m in read_po(source, locale=language) if m.id and m.string}


@pytest.mark.parametrize("language", ["fr", "de"])
@pytest.mark.parametrize("folder", [None, *SERVICE_DOCUMENTS], ids=["shared", "measures", "procuration", "reporting"])
def test_no_document_message_lacks_a_translation(folder: Path | None, language: str) -> None:
    known = translated(SHARED / "locale", language)
    if folder is None:
        wanted = messages(SHARED, [("templates/**.html", "jinja2"), ("words.py", "python")])
    else:
        wanted = messages(folder, [("templates/**.html", "jinja2")]) | messages(
            folder.parent / "adapters", [("**.py", "python")])
        known |= translated(folder / "locale", language)
    missing = sorted(wanted - known)
    assert missing == [], f"{language} misses {len(missing)}: {missing[:10]}"


def test_a_document_is_printed_only_in_french_or_german() -> None:
    with pytest.raises(UnknownLanguage, match="fr or de"):
        DocumentEngine(SERVICE_DOCUMENTS[0]).render_html("closure_letter.html", {}, "it")


def test_swiss_dates_and_the_footer_string() -> None:
    assert swiss_date(date(2026, 3, 1)) == "01.03.2026" and swiss_date("2026-03-01") == "01.03.2026"
    assert swiss_datetime("2026-03-01T12:05:00+00:00") == "01.03.2026 13:05"  # Swiss time
    assert swiss_datetime(datetime(2026, 7, 1, 10, 0)) == "01.07.2026 10:00"
    assert long_date(date(2026, 3, 1), "fr") == "1 mars 2026" and long_date(date(2026, 3, 1), "de") == "1. März 2026"
    assert str(css_string('a"b\\c</style>')) == '"a\\"b\\\\c\\3c /style>"'


def test_the_reference_is_the_notifiers() -> None:
    assert human_reference("s-1") == human_reference("s-1") != human_reference("s-2")
    assert len(human_reference("s-1")) == len("CII-XXXX-XXXX") and human_reference("s-1").startswith("CII-")
