"""The report's rules, in memory: calendar months, versions, snapshots replaced, small cells, alerts."""

from datetime import date

import pytest

from cii_platform.testing.generator import HistoryGenerator, internal_events
from reporting.adapters.event_facts import fact_of
from reporting.domain.annual_report import add_months, annual_report
from reporting.domain.caseload import CaseloadBook, simultaneous_follow_up
from reporting.domain.dashboard import dashboard
from reporting.domain.model import ReadModel
from reporting.domain.publication import protect_group, protect_report

pytestmark = pytest.mark.unit


def model_of(year: int = 2024, seed: int = 7) -> tuple[ReadModel, int]:
    history = HistoryGenerator(seed=seed).year(year, scale=0.2)
    model = ReadModel()
    for index, (_, _, event) in enumerate(internal_events(history, lambda avs: f"p_{avs}")):
        fact = fact_of(event)
        assert fact is not None
        model.apply({**fact, "seq": index})
    return model, len(history.situations)


@pytest.mark.parametrize(("start", "expected"), [
    (date(2024, 1, 31), date(2024, 7, 31)), (date(2023, 8, 31), date(2024, 2, 29)),
    (date(2023, 12, 15), date(2024, 6, 15)), (date(2023, 7, 1), date(2024, 1, 1))])
def test_six_calendar_months_later(start: date, expected: date) -> None:
    assert add_months(start, 6) == expected


def test_an_older_version_redelivered_does_not_undo_a_re_announcement() -> None:
    model, _ = model_of()
    situation = next(iter(model.situations.values()))
    newer = {"kind": "situation", **_fields(situation), "version": 2, "region": "MONTHEY", "seq": 1}
    older = {**newer, "version": 1, "region": "SION", "seq": 2}
    model.apply(newer)
    model.apply(older)
    assert model.situations[situation.situation_id].region == "MONTHEY"


def _fields(situation: object) -> dict[str, object]:
    view = {name: getattr(situation, name) for name in situation.__slots__}  # type: ignore[attr-defined]
    for name in ("announced_on", "follow_up_started_on", "triage_due_on"):
        view[name] = view[name].isoformat() if view[name] else None
    return view


def test_the_latest_complete_snapshot_counts_and_an_incomplete_one_never() -> None:
    book = CaseloadBook()
    chunk = {"institution": "ORP", "year": 2024, "chunks": 1, "chunk": 1}
    book.record({**chunk, "snapshot_id": "a", "person_pseudonyms": ["p1", "p2"], "recorded_at": "2025-01-02"})
    book.record({**chunk, "snapshot_id": "b", "person_pseudonyms": ["p3"], "recorded_at": "2025-01-03"})
    book.record({**chunk, "snapshot_id": "c", "chunks": 2, "person_pseudonyms": ["p9"], "recorded_at": "2025-02-01"})
    book.record({**chunk, "institution": "CMS", "snapshot_id": "d", "person_pseudonyms": ["p3", "p4"],
                 "recorded_at": "2025-01-01"})
    assert book.effective(2024) == {"ORP": {"p3"}, "CMS": {"p3", "p4"}}
    figures = simultaneous_follow_up(book.effective(2024))
    assert figures == {"persons_total": 2, "persons_multi": 1, "share": 0.5,
                       "by_institution": {"CMS": 0.5, "ORP": 1.0}}


def test_small_cells_are_hidden_and_one_hidden_cell_cannot_be_recovered() -> None:
    assert protect_group({"SION": 2, "SIERRE": 5, "MONTHEY": 9, "MARTIGNY": 0}, 3) == {
        "SION": "<3", "SIERRE": "x", "MONTHEY": 9, "MARTIGNY": 0}
    assert protect_group({"SION": 1, "SIERRE": 2, "MONTHEY": 9}, 3) == {"SION": "<3", "SIERRE": "<3", "MONTHEY": 9}


def test_publication_keeps_the_exact_totals() -> None:
    model, _ = model_of()
    report = annual_report(model, 2024, {"ORP", "CMS", "OASI", "OAI", "OSP", "T1", "LMMT", "OCPS"})
    published = protect_report(report, 3)
    assert published["adult_complex"]["total"] == report["adult_complex"]["total"]
    assert published["profile"] == report["profile"]
    assert report["adult_complex"]["total"] == sum(report["adult_complex"]["by_region"].values())


def test_dashboard_counts_are_the_alerts_it_lists() -> None:
    model, _ = model_of()
    board = dashboard(model, date(2024, 12, 31))
    kinds = [a["kind"] for a in board["alerts"]]
    assert board["triage_overdue"] == kinds.count("TRIAGE_OVERDUE") > 0
    assert board["procurations_expired"] == kinds.count("PROCURATION_EXPIRED")
    assert board["open_situations"]["total"] == sum(
        sum(regions.values()) for regions in board["open_situations"]["by_state_region"].values())


def _situation_fact(situation_id: str, announced_on: str, follow_up_started_on: str) -> dict[str, object]:
    return {"kind": "situation", "situation_id": situation_id, "version": 1, "institution": "ORP", "unit": None,
            "announced_on": announced_on, "public": "ADULT", "situation_type": "COMPLEX", "region": "SION",
            "sex": "F", "age": 40, "education_level": "NONE", "gravity_index": 1.0, "risk_factor_count": 2,
            "follow_up_started_on": follow_up_started_on, "status": "SUBMITTED", "triage_due_on": None,
            "procuration_id": None, "person_pseudonym": f"p-{situation_id}"}


def test_early_detection_gives_the_mean_delay_besides_the_share() -> None:
    """Seed 000, section 9 ("Détection précoce"): "la durée moyenne entre le moment où la personne démarre
    un suivi auprès du dispositif annonceur et celui où elle est signalée au bureau", beside the share
    announced within six months."""
    model = ReadModel()
    model.apply(_situation_fact("a", "2024-03-01", "2024-01-01"))  # 60 days
    model.apply(_situation_fact("b", "2024-06-01", "2023-06-01"))  # 366 days
    early = annual_report(model, 2024, {"ORP"})["early_detection"]
    assert early == {"within_6_months_share": 0.5, "mean_delay_days": 213.0}


def test_closed_situations_are_counted_by_outcome_and_leave_the_open_ones() -> None:
    """Issue 14 point 7: a closure, whatever the way, counts in the report and on the dashboard."""
    model = ReadModel()
    for situation_id in ("a", "b", "c"):
        model.apply(_situation_fact(situation_id, "2024-03-01", "2024-01-01"))
    model.apply({"kind": "situation_closed", "situation_id": "a", "closed_on": "2024-04-01",
                 "outcome": "REDIRECTED_NETWORK", "reason": "REDIRECT_NETWORK"})
    model.apply({"kind": "situation_closed", "situation_id": "b", "closed_on": "2025-01-10",
                 "outcome": "CLOSED_BY_COORDINATOR", "reason": "PERSON_MOVED_AWAY"})
    assert annual_report(model, 2024, {"ORP"})["closures"] == {"total": 1, "by_outcome": {"REDIRECTED_NETWORK": 1}}
    board = dashboard(model, date(2025, 2, 1))
    assert board["situations_closed"] == {"total": 2, "by_outcome": {"CLOSED_BY_COORDINATOR": 1,
                                                                      "REDIRECTED_NETWORK": 1}}
    assert board["open_situations"]["total"] == 1
