"""Which institutions are informed of a closure, and when a missed closure is repaired."""

from datetime import date
from types import SimpleNamespace
from typing import cast

import pytest
from measures_factories import new_measure

from cii_platform.contracts.codes import MeasureType
from measures.domain.model import CaseManager, Measure, Participant
from measures.service_layer.closure import _closing_was_last, network_of
from measures.service_layer.context import ServiceContext

pytestmark = pytest.mark.unit


def closed_coaching(closed_on: date) -> Measure:
    coaching = new_measure(MeasureType.COACHING_ORP_CMS)
    coaching.start(date(2026, 2, 2), case_manager=None, contract_due_on=None, variable_cost=None)
    coaching.close(closed_on, True, None, "fr")
    return coaching


def held_tro(held_on: date) -> Measure:
    tro = new_measure(MeasureType.TRO)
    tro.schedule(held_on, [Participant(institution="OAI")])
    tro.hold(held_on, None, variable_cost=None)
    return tro


def context_with(measures: list[Measure]) -> ServiceContext:
    async def of_situation(_: str) -> list[Measure]:
        return measures
    return cast(ServiceContext, SimpleNamespace(measures=SimpleNamespace(of_situation=of_situation)))


@pytest.mark.parametrize(("measures", "expected"), [
    ([closed_coaching(date(2026, 6, 1)), held_tro(date(2026, 5, 1))], True),
    ([closed_coaching(date(2026, 6, 1)), held_tro(date(2026, 7, 1))], False),  # a session held since
    ([closed_coaching(date(2026, 6, 1)), new_measure(MeasureType.TRO)], False),  # still running
    ([held_tro(date(2026, 5, 1))], False),  # nothing was closed
])
async def test_a_missed_closure_is_repaired_only_when_the_close_was_the_last_step(
        measures: list[Measure], expected: bool) -> None:
    assert await _closing_was_last(context_with(measures), "s-1") is expected


def test_the_network_informed_includes_participants_case_managers_and_co_following() -> None:
    tro = held_tro(date(2026, 5, 1))
    cm = new_measure(MeasureType.CASE_MANAGEMENT)
    cm.case_manager = CaseManager(institution="CMS", designated_on=date(2026, 5, 2))
    assert network_of([tro, cm], "ORP", ["OSP"]) == ["BUREAU", "CMS", "OAI", "ORP", "OSP"]
