"""What the reporting service layer needs from the outside (adapters implement these; tests fake them)."""

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from ..domain.facts import Fact, LoggedFact


class ProjectionLog(Protocol):
    """The durable projection: insert-only facts keyed by event identity."""

    def load(self) -> AsyncIterator[LoggedFact]: ...

    async def append(self, fact_id: str, fact: Fact) -> bool: ...

    async def get(self, fact_id: str) -> Fact | None: ...


class ReplayTarget(Protocol):
    """Where a rebuild writes: the projection log, emptied first, then filled page by page."""

    async def drop(self) -> None: ...

    async def append_page(self, entries: list[LoggedFact]) -> None: ...


class RecordSource(Protocol):
    """The internal topics from their beginning up to the end offsets seen at the start."""

    def batches(self) -> AsyncIterator[list[bytes | None]]: ...


# A raw record -> its fact (None: not reporting's business); ValueError when unreadable.
RecordDecoder = Callable[[bytes | None], LoggedFact | None]
