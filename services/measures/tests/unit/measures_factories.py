"""Builders for unit tests of the measures domain."""

from datetime import date

from cii_platform.contracts.codes import MeasureType
from measures.domain.model import Measure, SituationRef


def situation_ref(*, region: str = "SION", situation_type: str = "COMPLEX", public: str = "ADULT",
                  announced_on: date = date(2026, 1, 10)) -> SituationRef:
    return SituationRef(institution="ORP", region=region, public=public, situation_type=situation_type,
                        person_pseudonym="p-123", announced_on=announced_on)


def new_measure(measure_type: MeasureType, *, requested_on: date = date(2026, 2, 1),
                **situation: object) -> Measure:
    measure = Measure.request(situation_id="s-1", situation=situation_ref(**situation),  # type: ignore[arg-type]
                              measure_type=measure_type, requested_on=requested_on, requested_by="ORP")
    measure.pop_changes()
    return measure
