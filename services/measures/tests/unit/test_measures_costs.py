"""Financing (seed 002): user pays, prefinancing by the cantonal employment fund, structural split."""

from datetime import date

import pytest
from measures_factories import new_measure
from pydantic import ValidationError

from cii_platform.contracts.codes import MeasureType
from cii_platform.reference import load_reference_data
from measures.config import Settings
from measures.domain.costs import CANTONAL_EMPLOYMENT_FUND, Statement, annual_statements, structural_shares
from measures.domain.model import Measure, Participant, Prefinancing
from measures.service_layer.commands import DecidePrefinancing

pytestmark = pytest.mark.unit
PARTNERS = ["OAI", "SAS", "SFOP", "SHE", "SICT"]


def held_assessment(held_on: date, requested_by: str = "ORP") -> Measure:
    measure = new_measure(MeasureType.ASSESSMENT, requested_on=date(2025, 12, 1), announced_on=date(2025, 11, 1))
    measure.requested_by = requested_by
    measure.schedule(held_on, [Participant(institution="SMR")])
    measure.hold(held_on, None, variable_cost=1800.0)
    return measure


def started_mandate(started_on: date, requested_by: str = "CMS") -> Measure:
    measure = new_measure(MeasureType.MEDICAL_MANDATE)
    measure.requested_by = requested_by
    measure.start(started_on, case_manager=None, contract_due_on=None, variable_cost=2500.0)
    return measure


def test_variable_costs_are_charged_to_the_requesting_institution_in_the_year_incurred() -> None:
    measures = [held_assessment(date(2026, 3, 1)), held_assessment(date(2025, 12, 30)),
                started_mandate(date(2026, 4, 1))]
    statements = {s.institution: s for s in annual_statements(2026, measures, structural_total=0, partners=[],
                                                             key=None)}
    assert statements["ORP"].variable_costs == 1800.0
    assert statements["CMS"].variable_costs == 2500.0
    assert [i.incurred_on for i in statements["ORP"].variable_items] == [date(2026, 3, 1)]


def test_prefinancing_decided_by_the_commission_droit_moves_the_cost_to_the_fund() -> None:
    """Seed 002, 7.4: the Fonds cantonal pour l'emploi prefinances while entitlement is unclear."""
    prefinanced, refused = held_assessment(date(2026, 3, 1)), held_assessment(date(2026, 3, 2))
    prefinanced.prefinancing = Prefinancing(decision="PREFINANCED", decided_on=date(2026, 2, 20))
    refused.prefinancing = Prefinancing(decision="REFUSED", decided_on=date(2026, 2, 20))
    statements = {s.institution: s for s in annual_statements(2026, [prefinanced, refused], structural_total=0,
                                                             partners=[], key=None)}
    assert statements[CANTONAL_EMPLOYMENT_FUND].variable_costs == 1800.0
    assert statements[CANTONAL_EMPLOYMENT_FUND].variable_items[0].prefinanced is True
    assert statements["ORP"].variable_costs == 1800.0


def test_structural_costs_are_split_equally_among_the_contracting_parties_by_default() -> None:
    """Seed 002, section 2 (the parties: SICT, SAS, SFOP, SHE, OAI) and 7.2 ("répartis à parts égales
    entre les partenaires"): five equal shares, not eight institution shares."""
    reference = load_reference_data()
    assert sorted(reference.contracting_parties) == PARTNERS
    assert reference.contracting_party_of("OCPS") == "SAS" and reference.contracting_party_of("LMMT") == "SICT"
    shares = structural_shares(160000.0, sorted(reference.contracting_parties), None)
    assert shares == {p: 32000.0 for p in PARTNERS}


def test_the_structural_amount_is_the_latest_reports_and_configurable_by_year() -> None:
    """Seed 000, section 3: CHF 434'206.70 allocated to the CII Valais (structural costs) in 2024."""
    settings = Settings()
    assert settings.structural_costs(2024) == 434206.70
    assert settings.structural_costs(2025) == 434206.70  # a year not listed: the latest report's
    assert settings.structural_costs(2023) == 432759.50
    configured = Settings(structural_costs_by_year={2024: 434206.70, 2025: 440000.0})
    assert configured.structural_costs(2025) == 440000.0


def test_a_prefinanced_advance_is_charged_to_the_partner_found_liable() -> None:
    """Seed 002, 7.4: "en attendant que les institutions partenaires aient clarifié le droit aux
    prestations, le Fonds cantonal pour l'emploi assure le préfinancement des mesures d'insertion. Si
    finalement la mesure ne peut être imputée à aucun des partenaires, le financement reste à charge du
    Fonds": an advance until settled, then the liable partner pays; the fund keeps only what nobody owes."""
    charged, kept = held_assessment(date(2026, 3, 1)), started_mandate(date(2026, 3, 2))
    coaching = new_measure(MeasureType.COACHING_ORP_CMS)
    coaching.prefinancing = Prefinancing(decision="PREFINANCED", decided_on=date(2026, 2, 1))
    coaching.start(date(2026, 3, 3), case_manager=None, contract_due_on=None, variable_cost=3200.0)
    for measure in (charged, kept):
        measure.prefinancing = Prefinancing(decision="PREFINANCED", decided_on=date(2026, 2, 20))

    def statements() -> dict[str, Statement]:
        return {s.institution: s for s in annual_statements(2026, [charged, kept, coaching], structural_total=0,
                                                            partners=[], key=None)}
    advances = statements()[CANTONAL_EMPLOYMENT_FUND]
    assert advances.variable_costs == 1800.0 + 2500.0 + 3200.0  # a reinsertion measure too
    assert all(item.advance for item in advances.variable_items)
    charged.prefinancing.settled_on, charged.prefinancing.charged_to = date(2026, 4, 1), "OAI"
    kept.prefinancing.settled_on = date(2026, 4, 1)
    after = statements()
    assert after["OAI"].variable_costs == 1800.0 and after["OAI"].variable_items[0].prefinanced
    assert after[CANTONAL_EMPLOYMENT_FUND].variable_costs == 2500.0 + 3200.0
    assert [i.advance for i in after[CANTONAL_EMPLOYMENT_FUND].variable_items] == [False, True]


def test_a_configured_key_splits_structural_costs_by_weight() -> None:
    assert structural_shares(1000.0, PARTNERS, {"SICT": 3, "SAS": 1}) == {"SAS": 250.0, "SICT": 750.0}


def test_a_statement_totals_variable_and_structural_costs() -> None:
    statements = annual_statements(2026, [held_assessment(date(2026, 3, 1))], structural_total=800.0,
                                   partners=PARTNERS, key=None)
    orp = next(s for s in statements if s.institution == "ORP")
    assert (orp.variable_costs, orp.structural_costs, orp.total) == (1800.0, 0.0, 1800.0)
    assert next(s for s in statements if s.institution == "SICT").structural_costs == 160.0
    assert len(statements) == len(PARTNERS) + 1


def test_the_amount_advanced_is_a_number_not_a_text() -> None:
    with pytest.raises(ValidationError) as caught:
        DecidePrefinancing.model_validate({"decision": "PREFINANCED", "decided_on": "2026-02-20", "amount": "12.50"})
    assert [error["loc"] for error in caught.value.errors()] == [("amount",)]
    assert DecidePrefinancing.model_validate({"decision": "PREFINANCED", "decided_on": "2026-02-20",
                                              "amount": 1200}).amount == 1200
