"""The annual report printed by the platform's one engine, read back with pdftotext: labels instead of the
JSON keys, French and German, the previous year beside each figure, page numbers and the printing date."""

import re
from datetime import datetime

import pytest

from cii_platform.reference import load_reference_data
from cii_platform.testing.generator import HistoryGenerator, internal_events
from cii_platform.testing.pdf import pdf_text
from reporting.adapters.event_facts import fact_of
from reporting.adapters.report_pdf import annual_report_pdf
from reporting.domain.annual_report import annual_report
from reporting.domain.model import ReadModel
from reporting.domain.publication import protect_report

pytestmark = pytest.mark.unit
JSON_KEYS = ("adult_complex", "by_institution_region", "by_region", "men_share", "mean_age", "first_circle",
             "within_6_months_share", "mean_delay_days", "persons_multi", "simultaneous_follow_up", "HAUT_VALAIS",
             "COACHING_ORP_CMS", "SECONDARY_II", "->", "by_outcome", "announced_by_partners")


def reports(publication: bool = False) -> tuple[dict[str, object], dict[str, object]]:
    model = ReadModel()
    for year in (2023, 2024):
        history = HistoryGenerator(seed=year).year(year, scale=0.2)
        for index, (_, _, event) in enumerate(internal_events(history, lambda avs: f"p_{avs}")):
            fact = fact_of(event)
            assert fact is not None
            model.apply({**fact, "seq": year * 100_000 + index})
    first_circle = load_reference_data().first_circle
    current, previous = annual_report(model, 2024, first_circle), annual_report(model, 2023, first_circle)
    if publication:
        return protect_report(current, 3), protect_report(previous, 3)
    return current, previous


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["CII Valais : rapport annuel 2024", "Situations signalées en CII complexe (adultes) 2024",
            "Haut-Valais", "Office régional de placement (ORP)", "Les prestations en chiffres", "Table ronde (TRO)",
            "Coaching ORP-CMS", "Part d'hommes", "Âge moyen", "Formation · Secondaire II", "Indice de gravité moyen",
            "Taux de réinsertion", "Annoncées dans les 6 mois après le début du suivi", "Suivi simultané",
            "Imprimé le 30.09.2026", "Page 1 sur", "CII réseau : transitions entre dispositifs", " → "]),
    ("de", ["IIZ Wallis: Jahresbericht 2024", "Oberwallis", "Regionales Arbeitsvermittlungszentrum (RAV)",
            "Die Leistungen in Zahlen", "Runder Tisch (TRO)", "Männeranteil", "Durchschnittsalter",
            "Ausbildung · Sekundarstufe II", "Wiedereingliederungsquote", "Gleichzeitige Begleitung",
            "Gedruckt am 30.09.2026", "Seite 1 von", "Sitten"]),
])
def test_the_annual_report_pdf_shows_labels_not_json_keys(language: str, words: list[str]) -> None:
    current, previous = reports()
    text = pdf_text(annual_report_pdf(load_reference_data(), current, previous, language,
                                      datetime(2026, 9, 30, 10, 0)))
    for expected in words:
        assert expected in text, (expected, text[:3000])
    for key in JSON_KEYS:
        assert key not in text, key
    pages = re.findall(r"(?:Page|Seite) (\d+) (?:sur|von) (\d+)", text)
    assert len(pages) >= 2 and pages[-1][0] == pages[-1][1]  # every page numbered, "n of n" on the last
    assert "2023" in text and "2024" in text  # the previous year beside each figure


def test_the_published_report_says_small_cells_are_hidden() -> None:
    current, previous = reports(publication=True)
    text = pdf_text(annual_report_pdf(load_reference_data(), current, previous, "fr"))
    assert "effectifs inférieurs à 3 masqués" in text
