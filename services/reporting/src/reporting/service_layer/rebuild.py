"""Rebuilding the projection: every fact of the internal topics' history, deduplicated by event identity
like the live consumer, written in pages. What the live consumer dead-lettered (an unreadable record) is
skipped: it was never part of the projection. The Kafka side is in `adapters/kafka_replay.py`, the
command in `entrypoints/cli/rebuild.py`."""

import logging
import time
from dataclasses import dataclass

from pydantic import ValidationError

from ..domain.facts import LoggedFact
from .ports import RecordDecoder, RecordSource, ReplayTarget

log = logging.getLogger(__name__)
PAGE_SIZE = 5_000


@dataclass
class RebuildSummary:
    events: int = 0
    facts: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def describe(self) -> str:
        return (f"replayed {self.events} events into {self.facts} facts ({self.skipped} unreadable skipped) "
                f"in {self.seconds:.1f} s: {self.rate:.0f} events/s")


async def replay(source: RecordSource, decode: RecordDecoder, target: ReplayTarget) -> RebuildSummary:
    started = time.perf_counter()
    summary, seen, page = RebuildSummary(), set[str](), list[LoggedFact]()
    async for values in source.batches():
        for value in values:
            summary.events += 1
            _collect(value, decode, seen, page, summary)
        while len(page) >= PAGE_SIZE:
            await target.append_page(page[:PAGE_SIZE])
            page = page[PAGE_SIZE:]
    await target.append_page(page)
    summary.seconds = time.perf_counter() - started
    return summary


def _collect(value: bytes | None, decode: RecordDecoder, seen: set[str], page: list[LoggedFact],
             summary: RebuildSummary) -> None:
    try:
        logged = decode(value)
    except (ValidationError, ValueError) as exc:
        summary.skipped += 1
        log.warning("unreadable record skipped: %r", exc)
        return
    if logged is None or logged[0] in seen:
        return
    identity, fact = logged
    seen.add(identity)
    fact["seq"] = summary.facts
    page.append((identity, fact))
    summary.facts += 1
