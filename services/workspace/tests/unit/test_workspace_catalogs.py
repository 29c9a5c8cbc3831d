"""Every visible string goes through the catalogs: no message of the code or templates is missing a French
or German translation, and every code the contract names has words (docs/contract.md section 4)."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from cii_platform.contracts.codes import (
    DataCategory,
    EducationLevel,
    EmploymentGap,
    MeasureType,
    Purpose,
    Region,
    RiskFactor,
    SituationType,
    TriageDecision,
)
from workspace.domain.words import CODE_LABELS
from workspace.entrypoints.http.i18n import LOCALE_DIR

pytestmark = pytest.mark.unit
SOURCE = Path(__file__).resolve().parents[2] / "src"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def extracted() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(SOURCE), method_map, options, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("language", ["fr", "de"])
def test_no_catalog_misses_a_message(language: str) -> None:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    translated = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    missing = sorted(extracted() - translated)
    assert missing == [], f"{language} catalog misses {len(missing)}: {missing[:10]}"


def test_every_contract_code_has_words() -> None:
    for kind, codes in (("region", Region), ("measure", MeasureType), ("risk", RiskFactor),
                        ("employment_gap", EmploymentGap), ("category", DataCategory), ("purpose", Purpose),
                        ("education", EducationLevel), ("situation_type", SituationType),
                        ("decision", TriageDecision)):
        assert set(CODE_LABELS[kind]) == {c.value for c in codes}, kind
