"""The projection folds each event once: redeliveries, lost acknowledgements, a restart from the log."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cii_platform.testing.generator import HistoryGenerator, internal_events
from reporting.adapters.mongo_projection_log import LoggedFact, decode_page, encode_page
from reporting.domain.facts import Fact
from reporting.service_layer.projection import Projection

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
    projection = Projection(log)  # type: ignore[arg-type]
    await projection.load()
    stream = events()
    for event in stream + stream[:20]:
        await projection.project(event)
    assert projection.model.facts_applied == len(stream)
    log.lose_next_ack = True
    extra = stream[0].model_copy(update={"id": "another-event"})
    with pytest.raises(TimeoutError):
        await projection.project(extra)
    await projection.project(extra)  # the retry folds the fact it had stored
    assert projection.model.facts_applied == len(stream) + 1
    restarted = Projection(log)  # type: ignore[arg-type]
    await restarted.load()
    assert restarted.model == projection.model


def test_a_rebuild_page_round_trips() -> None:
    entries: list[LoggedFact] = [("a|1", {"kind": "transition", "seq": 0}), ("a|2", {"kind": "status", "seq": 1})]
    assert decode_page(encode_page(entries)) == entries
