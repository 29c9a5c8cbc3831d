"""The reference data's institution labels say what the CII's documents say (issue 14, point 1)."""

import pytest

from cii_platform.reference import load_reference_data

pytestmark = pytest.mark.unit

# Seed 000 (annual report 2024), glossary and section 1 ("Organisation"); seed 003 (newsletter), partners.
GLOSSARY = {
    "OCPS": "Office de coordination des prestations sociales",
    "OSAMA": "Office des sanctions et des mesures d'accompagnement",
    "EPCL": "Établissement pénitentiaire de Crêtelongue",
    "SPPHA": "hospitalière adulte",
    "SPPA": "ambulatoire",
    "SPPEA": "l'enfant et de l'adolescent",
    "OPE": "Office de la protection des enfants",
    "BCI": "Bureau cantonal de l'intégration",
    "OES": "Office de l'enseignement spécialisé",
    "SUVA": "Caisse nationale suisse d'assurance en cas d'accidents",
    "OSP": "Office d'orientation scolaire, professionnelle et de carrière",
    "OASI": "Office de l'asile",
    "CDTEA": "Centre pour le développement et la thérapie de l'enfant et de l'adolescent",
}


def test_every_label_follows_the_glossary_of_the_annual_report() -> None:
    """Seed 000, glossary (OCPS, OSAMA, EPCL, SPPHA, SPPA...) and 'CII 2ème cercle' (section 9)."""
    reference = load_reference_data()
    for code, label in GLOSSARY.items():
        institution = reference.institution(code)
        assert institution is not None, code
        assert label.lower() in institution.name.lower(), (code, institution.name)


def test_the_first_circle_is_the_conventions_and_the_second_circle_the_reports() -> None:
    """Seed 002 section 2 (the partners) and seed 000 section 9 ('CII 2ème cercle')."""
    reference = load_reference_data()
    assert reference.first_circle == {"ORP", "LMMT", "OCPS", "CMS", "OASI", "T1", "OSP", "OAI"}
    second = {i.code for i in reference.institutions if i.circle == 2}
    assert {"OSAMA", "EPCL", "BCI", "SUVA", "OES", "SEC2", "OPE", "CDTEA", "SPPEA", "SPPA", "SPPHA"} == second
    parties = {code: set(p.institutions) for code, p in reference.contracting_parties.items()}
    assert parties == {"SICT": {"ORP", "LMMT"}, "SAS": {"OCPS", "OASI", "CMS"}, "SFOP": {"T1"}, "SHE": {"OSP"},
                       "OAI": {"OAI"}}


def test_a_procuration_may_name_the_cii_bureau_as_a_party() -> None:
    """Seed 001, section 6 (the case manager has the person's procuration signed and renewed for the CII)
    and seed 002, 5.12: the CII procuration names the bureau; an unknown code is still refused."""
    from pydantic import ValidationError

    from cii_platform.contracts.fields import KNOWN_INSTITUTIONS
    from cii_platform.contracts.inbound import ProcurationSigned

    body = {"procuration_id": "proc-1", "person": {"avs_number": "756.1234.5678.97", "last_name": "Rey",
                                                   "first_name": "Anna", "birth_date": "1980-01-01"},
            "signed_on": "2025-01-01", "valid_from": "2025-01-01", "valid_until": "2026-01-01",
            "parties": ["BUREAU", "ORP"], "categories": ["SOCIAL"], "purposes": ["CII_COORDINATION"],
            "document_sha256": "0" * 64}
    known = {KNOWN_INSTITUTIONS: load_reference_data().institution_codes}
    assert ProcurationSigned.model_validate(body, context=known).parties == ["BUREAU", "ORP"]
    with pytest.raises(ValidationError, match="unknown institution code 'NOPE'"):
        ProcurationSigned.model_validate({**body, "parties": ["BUREAU", "NOPE"]}, context=known)
