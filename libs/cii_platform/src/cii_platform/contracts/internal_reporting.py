"""Events of the reporting service on `cii.internal.reporting.v1` (key: snapshot_id)."""

from .internal_signalement import InternalEvent

CASELOAD_RECORDED = "ch.vs.cii.internal.caseload.recorded.v1"


class CaseloadRecorded(InternalEvent):
    """A chunk of an institution's caseload snapshot, pseudonymised (raw AVS numbers never kept)."""

    snapshot_id: str
    institution: str
    year: int
    chunk: int
    chunks: int
    person_pseudonyms: list[str]


EVENTS: dict[str, type[InternalEvent]] = {CASELOAD_RECORDED: CaseloadRecorded}
