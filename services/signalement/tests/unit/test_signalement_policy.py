"""Pure rules: age, public, gravity, asylum, routing, triage deadline, identity of a situation, status."""

from datetime import date

import pytest
from signalement_fakes import REFERENCE

from cii_platform.contracts.codes import Public
from signalement.domain.policy import (
    add_working_days,
    age_on,
    derive_public,
    is_asylum,
    route,
    situation_id_for,
    themes_of,
    triage_due_on,
)
from signalement.domain.status import InvalidTransition, may_close, may_open, status_after_triage

pytestmark = pytest.mark.unit
V1 = REFERENCE.gravity_policy("v1")


def test_age_is_counted_in_full_years() -> None:
    assert age_on(date(2000, 6, 15), date(2025, 6, 14)) == 24
    assert age_on(date(2000, 6, 15), date(2025, 6, 15)) == 25


@pytest.mark.parametrize(("age", "expected"), [(14, Public.ADULT), (15, Public.YOUNG), (25, Public.YOUNG),
                                               (26, Public.ADULT), (44, Public.ADULT)])
def test_public_is_derived_from_the_age_when_absent(age: int, expected: Public) -> None:
    assert derive_public(age, None, REFERENCE) == expected


def test_a_given_public_is_kept() -> None:
    assert derive_public(22, Public.ADULT, REFERENCE) == Public.ADULT


def test_gravity_index_policy_v1_ranges_from_0_to_6_5() -> None:
    assert V1.index([], "EMPLOYED") == 0
    assert V1.index(["HEALTH", "FINANCE", "EDUCATION"], "ONE_TO_THREE_YEARS") == 2.5
    every_factor = [f for f in REFERENCE.risk_factors]
    assert V1.index(every_factor, "NEVER_EMPLOYED") == 6.5


def test_asylum_by_announcer_or_permit() -> None:
    assert is_asylum("OASI", None, REFERENCE)
    assert is_asylum("ORP", "n", REFERENCE)
    assert is_asylum("CMS", "S", REFERENCE)
    assert not is_asylum("ORP", "B", REFERENCE)


def test_routing_regional_young_and_asylum() -> None:
    regional = route("SION", themes_of(Public.ADULT, False), REFERENCE)
    assert (regional.coordinator_id, regional.theme) == ("coord-sion", None)
    young = route("SIERRE", themes_of(Public.YOUNG, False), REFERENCE)
    assert (young.coordinator_id, young.theme, young.also_notify) == ("coord-jeunes", "YOUNG", ["T1"])
    asylum = route("MONTHEY", themes_of(Public.ADULT, True), REFERENCE)
    assert (asylum.coordinator_id, asylum.region) == ("coord-asile", "MONTHEY")


def test_triage_is_due_in_ten_working_days() -> None:
    assert add_working_days(date(2026, 3, 13), 1) == date(2026, 3, 16)  # Friday -> Monday
    assert triage_due_on(date(2026, 3, 16), REFERENCE) == date(2026, 3, 30)


def test_situation_id_depends_on_institution_and_external_ref_only() -> None:
    assert situation_id_for("ORP", "A-1") == situation_id_for("ORP", "A-1")
    assert situation_id_for("ORP", "A-1") != situation_id_for("CMS", "A-1")
    assert situation_id_for("ORP", "A-1") != situation_id_for("ORP", "A-2")


def test_triage_only_from_submitted() -> None:
    assert status_after_triage("SUBMITTED") == "TRIAGED"
    for current in ("TRIAGED", "OPEN", "CLOSED"):
        with pytest.raises(InvalidTransition) as raised:
            status_after_triage(current)
        assert raised.value.current == current


def test_measures_open_and_close() -> None:
    assert may_open("TRIAGED", "ACCEPT_COMPLEX") and may_open("SUBMITTED", None)
    assert not may_open("TRIAGED", "REJECT") and not may_open("CLOSED", "ACCEPT_COMPLEX")
    assert may_close("OPEN") and not may_close("CLOSED")
