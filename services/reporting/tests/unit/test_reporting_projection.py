"""The projection folds each event once: redeliveries, lost acknowledgements, a restart from the log."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cii_platform.testing.generator import HistoryGenerator, internal_events
from reporting.adapters.event_facts import logged_fact_of_record
from reporting.adapters.mongo_projection_log import decode_page, encode_page
from reporting.domain.facts import Fact, LoggedFact
from reporting.entrypoints.kafka.subscribers import projection_handler
from reporting.service_layer.projection import Projection
from reporting.service_layer.rebuild import replay

pytestmark = pytest.mark.unit


class FakeProjectionLog:
    def __init__(self) -> None:
        self.facts: dict[str, Fact] = {}
        self.lose_next_ack = False

    async def append(self, fact_id: str, fact: Fact) -> bool:
        if fact_id in self.facts:
            return False
        self.facts[fact_id] = dict(fact)
        if self.lose_next_ack:
            self.lose_next_ack = False
            raise TimeoutError("acknowledgement lost")
        return True

    async def get(self, fact_id: str) -> Fact | None:
        return self.facts.get(fact_id)

    async def load(self) -> AsyncIterator[LoggedFact]:
        for entry in sorted(self.facts.items(), key=lambda entry: entry[1]["seq"]):
            yield entry


def events() -> list[Any]:
    history = HistoryGenerator(seed=3).year(2024, scale=0.05)
    return [event for _, _, event in internal_events(history, lambda avs: f"p_{avs}")]


async def test_each_event_is_folded_once_and_a_restart_gives_the_same_model() -> None:
    log = FakeProjectionLog()
    projection = Projection(log)
    on_event = projection_handler(projection)
    await projection.load()
    stream = events()
    for event in stream + stream[:20]:
        await on_event(event)
    assert projection.model.facts_applied == len(stream)
    log.lose_next_ack = True
    extra = stream[0].model_copy(update={"id": "another-event"})
    with pytest.raises(TimeoutError):
        await on_event(extra)
    await on_event(extra)  # the retry folds the fact it had stored
    assert projection.model.facts_applied == len(stream) + 1
    restarted = Projection(log)
    await restarted.load()
    assert restarted.model == projection.model


def test_a_rebuild_page_round_trips() -> None:
    entries: list[LoggedFact] = [("a|1", {"kind": "transition", "seq": 0}), ("a|2", {"kind": "status", "seq": 1})]
    assert decode_page(encode_page(entries)) == entries


class FakeHistory:
    def __init__(self, values: list[bytes | None]) -> None:
        self.values = values

    async def batches(self) -> AsyncIterator[list[bytes | None]]:
        for start in range(0, len(self.values), 7):
            yield self.values[start:start + 7]


class FakeTarget:
    def __init__(self) -> None:
        self.pages: list[list[LoggedFact]] = []

    async def drop(self) -> None:
        self.pages.clear()

    async def append_page(self, entries: list[LoggedFact]) -> None:
        self.pages.append(list(entries))


async def test_a_rebuild_folds_each_event_once_skips_the_unreadable_and_matches_the_live_projection() -> None:
    stream = events()
    records: list[bytes | None] = [e.model_dump_json().encode() for e in stream]
    records += [*records[:15], b"not json", None]  # redeliveries and what the live consumer dead-lettered
    target = FakeTarget()
    summary = await replay(FakeHistory(records), logged_fact_of_record, target)
    assert summary.events == len(records) and summary.skipped == 2
    rebuilt = [entry for page in target.pages for entry in page]
    assert [fact["seq"] for _, fact in rebuilt] == list(range(summary.facts))
    live = Projection(FakeProjectionLog())
    await live.load()
    for event in stream:
        await projection_handler(live)(event)
    assert summary.facts == live.model.facts_applied
