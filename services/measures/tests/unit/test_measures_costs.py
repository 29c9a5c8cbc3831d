"""Financing (seed 002): user pays, prefinancing by the cantonal employment fund, structural split."""

from datetime import date

import pytest
from measures_factories import new_measure

from cii_platform.contracts.codes import MeasureType
from measures.domain.costs import CANTONAL_EMPLOYMENT_FUND, annual_statements, structural_shares
from measures.domain.model import Measure, Participant, Prefinancing

pytestmark = pytest.mark.unit
PARTNERS = ["CMS", "LMMT", "OAI", "OASI", "OCPS", "ORP", "OSP", "T1"]


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
    prefinanced, refused = held_assessment(date(2026, 3, 1)), held_assessment(date(2026, 3, 2))
    prefinanced.prefinancing = Prefinancing(decision="PREFINANCED", decided_on=date(2026, 2, 20))
    refused.prefinancing = Prefinancing(decision="REFUSED", decided_on=date(2026, 2, 20))
    statements = {s.institution: s for s in annual_statements(2026, [prefinanced, refused], structural_total=0,
                                                             partners=[], key=None)}
    assert statements[CANTONAL_EMPLOYMENT_FUND].variable_costs == 1800.0
    assert statements[CANTONAL_EMPLOYMENT_FUND].variable_items[0].prefinanced is True
    assert statements["ORP"].variable_costs == 1800.0


def test_structural_costs_are_split_equally_among_first_circle_partners_by_default() -> None:
    shares = structural_shares(160000.0, PARTNERS, None)
    assert shares == {p: 20000.0 for p in PARTNERS}


def test_a_configured_key_splits_structural_costs_by_weight() -> None:
    assert structural_shares(1000.0, PARTNERS, {"ORP": 3, "CMS": 1}) == {"CMS": 250.0, "ORP": 750.0}


def test_a_statement_totals_variable_and_structural_costs() -> None:
    statements = annual_statements(2026, [held_assessment(date(2026, 3, 1))], structural_total=800.0,
                                   partners=PARTNERS, key=None)
    orp = next(s for s in statements if s.institution == "ORP")
    assert (orp.variable_costs, orp.structural_costs, orp.total) == (1800.0, 100.0, 1900.0)
    assert len(statements) == len(PARTNERS)
