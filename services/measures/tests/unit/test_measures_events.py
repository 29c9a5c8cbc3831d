"""The events carry what reporting and signalement need, and never free text."""

from datetime import date

import pytest
from measures_factories import new_measure

from cii_platform.contracts import internal_measures as ev
from cii_platform.contracts.codes import MeasureType
from cii_platform.security.crypto import SealedSection
from measures.domain.model import Outcome, Participant
from measures.service_layer.event_builders import measure_entries

pytestmark = pytest.mark.unit
SEALED = SealedSection(key_id="p-123/SOCIAL", nonce="bm9uY2U=", ciphertext="c2VjcmV0")


def test_a_closed_coaching_tells_reporting_its_dates_and_reinsertion() -> None:
    coaching = new_measure(MeasureType.COACHING_ORP_CMS)
    coaching.start(date(2026, 2, 3), case_manager=None, contract_due_on=None, variable_cost=None)
    coaching.close(date(2026, 11, 30), True, SEALED, "fr")
    started, closed = measure_entries(coaching, coaching.pop_changes())
    assert started["event"]["type"] == ev.MEASURE_STARTED and started["key"] == "s-1"
    assert started["event"]["data"]["started_on"] == "2026-02-03"
    data = closed["event"]["data"]
    assert closed["event"]["type"] == ev.MEASURE_CLOSED and closed["topic"] == "cii.internal.measures.v1"
    assert (data["type"], data["closed_on"], data["reinsertion"], data["started_on"]) == (
        "COACHING_ORP_CMS", "2026-11-30", True, "2026-02-03")
    assert (data["situation_id"], data["region"], data["requested_by"]) == ("s-1", "SION", "ORP")
    assert data["final_report_recorded"] is True and "c2VjcmV0" not in str(closed)


def test_a_held_tro_tells_its_date_and_recommendation() -> None:
    tro = new_measure(MeasureType.TRO)
    tro.schedule(date(2026, 3, 1), [Participant(institution="SMR", person_name="Dr X")])
    tro.hold(date(2026, 3, 1), Outcome(recommended_measure=MeasureType.ASSESSMENT, notes=SEALED), variable_cost=None)
    scheduled, held = measure_entries(tro, tro.pop_changes())
    assert scheduled["event"]["data"]["participants"] == ["SMR"] and "Dr X" not in str(scheduled)
    assert held["event"]["data"]["held_on"] == "2026-03-01"
    assert held["event"]["data"]["recommended_measure"] == "ASSESSMENT"
    assert held["event"]["data"]["follow_up_measure_id"] == tro.follow_up_measure_id
    assert "c2VjcmV0" not in str(held)
