"""The person's access report printed by the platform's one engine, read back with pdftotext: French and
German words for every code, the full name, role and institution of who did what."""

from datetime import UTC, datetime

import pytest

from cii_platform.reference import load_reference_data
from cii_platform.security.tokens import Principal
from cii_platform.testing.pdf import pdf_text
from procuration.adapters.access_report import access_report_pdf

pytestmark = pytest.mark.unit

CASE_MANAGER = Principal(subject="kc-7f3a", institution="CMS", roles=frozenset({"case_manager"}),
                         claims={"given_name": "Nadia", "family_name": "Berclaz"})
ENTRIES = [
    {"seq": 1, "at": "2026-09-14T08:05:00+00:00", "action": "decision", "outcome": "PERMIT",
     "actor": {"subject": "event:e-1", "institution": "ORP", "roles": ["institution_system"]},
     "categories": ["HEALTH", "EMPLOYMENT"], "purpose": "CASE_MANAGEMENT", "procuration_id": "proc-1"},
    {"seq": 2, "at": "2026-09-15T12:30:00+00:00", "action": "key.release", "outcome": "ISSUED",
     "actor": CASE_MANAGER.audit_actor(), "categories": ["IDENTITY"], "purpose": "CII_COORDINATION"},
    {"seq": 3, "at": "2026-09-16T10:00:00+00:00", "action": "exchange.denied", "outcome": "DENY",
     "actor": {"subject": "kc-91", "institution": "OSAMA", "roles": ["field_worker"], "name": "Marc Rey"},
     "categories": ["JUSTICE"], "purpose": "TRO"},
]
CODES = ("key.release", "exchange.denied", "CII_COORDINATION", "CASE_MANAGEMENT", "PERMIT", "DENY",
         "institution_system", "case_manager", "kc-7f3a", "event:e-1", "proc-1", "HEALTH", "EMPLOYMENT", "OSAMA ")


@pytest.mark.parametrize(("language", "words"), [
    ("fr", ["Rapport d'accès (droit d'accès)", "Décision sur un échange", "Autorisé",
            "Système informatique de l'institution, Office régional de placement (ORP)", "Santé, Emploi",
            "Clé de données remise pour lire des données scellées", "Nadia Berclaz, Gestionnaire de cas, Centre "
            "médico-social (CMS)", "Coordination CII", "Échange de données refusé", "Marc Rey",
            "Office des sanctions et des mesures d'accompagnement (SAPEM)", "Refusé", "14.09.2026 10:05",
            "Entrées: 3", "Page 1 sur 1"]),
    ("de", ["Zugriffsbericht (Auskunftsrecht)", "Entscheid über einen Austausch", "Erlaubt",
            "Informatiksystem der Institution, Regionales Arbeitsvermittlungszentrum (RAV)", "Gesundheit, Arbeit",
            "Datenschlüssel zum Lesen versiegelter Daten freigegeben", "Nadia Berclaz, Fallführende Person, "
            "Sozialmedizinisches Zentrum (SMZ)", "IIZ-Koordination", "Datenaustausch abgelehnt", "Abgelehnt",
            "Gedruckt am 30.09.2026", "Seite 1 von 1"]),
])
async def test_the_access_report_says_in_words_who_did_what(language: str, words: list[str]) -> None:
    printed = datetime(2026, 9, 30, 8, tzinfo=UTC)
    pdf = await access_report_pdf(load_reference_data(), "p-42", ENTRIES, printed, language)
    text = pdf_text(pdf)
    for expected in words:
        assert expected in text, (expected, text)
    for code in CODES:
        assert code not in text, code


def test_a_name_from_the_identity_provider_is_kept_in_the_audit_actor() -> None:
    assert CASE_MANAGER.audit_actor()["name"] == "Nadia Berclaz"
    assert "name" not in Principal(subject="s", institution="ORP", roles=frozenset()).audit_actor()
