"""Rules without a seed source (issue 14, point 11) are configuration defaults in the reference data, stated
in the README as the project's assumptions: changing the configuration changes the behaviour.

The seeds (000 annual report, 001 job descriptions, 002 convention, 003 newsletter) name none of these
three rules; each test shows the default and that another configuration gives another behaviour.
"""

from datetime import date

import pytest
from signalement_fakes import REFERENCE, TODAY, payload

from cii_platform.reference import ReferenceData, Triage
from signalement.domain.policy import is_asylum, triage_due_on
from signalement.service_layer.announcement_checks import Announcer, announcement_errors

pytestmark = pytest.mark.unit


def with_changes(**changes: object) -> ReferenceData:
    return ReferenceData.model_validate({**REFERENCE.model_dump(), **changes})


def test_the_triage_deadline_is_a_configured_number_of_working_days() -> None:
    """Assumption (no seed sets a triage deadline; seed 001 5.3 only says the coordinator triages):
    10 working days by default (reference data `triage.due_working_days`)."""
    monday = date(2026, 3, 16)
    assert triage_due_on(monday, REFERENCE) == date(2026, 3, 30)
    assert triage_due_on(monday, with_changes(triage=Triage(due_working_days=5))) == date(2026, 3, 23)


def test_the_second_circle_ban_on_adult_complex_announcements_is_configured_per_institution() -> None:
    """Assumption (seed 000 section 9 and seed 003 describe the second circle without forbidding it to
    announce an adult complex situation): reference data `may_announce_adult_complex: false`."""
    sppa = Announcer("SPPA")
    assert [e.field for e in announcement_errors(payload(), sppa, REFERENCE, TODAY)] == ["situation_type"]
    institutions = [i.model_copy(update={"may_announce_adult_complex": True}) if i.code == "SPPA" else i
                    for i in REFERENCE.institutions]
    allowed = with_changes(institutions=[i.model_dump() for i in institutions])
    assert announcement_errors(payload(), sppa, allowed, TODAY) == []


def test_the_residence_permits_that_make_a_situation_asylum_are_configured() -> None:
    """Assumption (seed 000 names permits S, refugees and provisionally admitted persons around the OASI,
    but no rule routes by permit): permits N, F and S by default (`asylum_residence_permits`)."""
    assert is_asylum("ORP", "F", REFERENCE)
    assert not is_asylum("ORP", "B", REFERENCE)
    narrower = with_changes(asylum_residence_permits=["N"])
    assert not is_asylum("ORP", "F", narrower)
    assert is_asylum("ORP", "N", narrower)
    assert is_asylum("ORP", "B", with_changes(asylum_residence_permits=["N", "F", "S", "B"]))
