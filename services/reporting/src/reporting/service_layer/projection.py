"""Projecting platform events: append the fact to the store, then fold it into the read model.

The store is the durable projection; memory holds its fold, rebuilt from the store at start. A fact is
folded only when it is new (its event identity unseen in memory, its insert not a duplicate), so a
redelivery never counts twice and a crash between the append and the fold loses nothing: the next
start folds the log.
"""

import asyncio
import gc
import logging
import time

from ..domain.facts import Fact
from ..domain.model import ReadModel
from .ports import ProjectionLog

log = logging.getLogger(__name__)


class Projection:
    def __init__(self, projection_log: ProjectionLog) -> None:
        self._log = projection_log
        self.model = ReadModel()
        self._known: set[str] = set()  # event identities folded (those of rebuild pages included)
        self._next_seq = 0
        self._lock = asyncio.Lock()
        self.loaded = asyncio.Event()

    async def load(self) -> None:
        started = time.perf_counter()
        model, known, next_seq = ReadModel(), set(), 0
        gc.disable()  # building millions of long-lived objects: collections would find nothing to free
        try:
            async for identity, fact in self._log.load():
                model.apply(fact)
                known.add(identity)
                next_seq = fact["seq"] + 1
        finally:
            gc.enable()
        self.model, self._known, self._next_seq = model, known, next_seq
        self.loaded.set()
        log.info("projection loaded: %s facts in %.2f s", len(known), time.perf_counter() - started)

    async def project(self, identity: str, fact: Fact) -> None:
        """Fold one fact, identified by its event's identity (a redelivery is recognised by it)."""
        await self.loaded.wait()
        async with self._lock:
            if identity in self._known:
                return
            fact["seq"] = self._next_seq
            if not await self._log.append(identity, fact):
                stored = await self._log.get(identity)
                # A duplicate from before is done; one at our own sequence is our insert whose
                # acknowledgement was lost (retried after a transient error): fold it now.
                if stored is None or stored["seq"] < self._next_seq:
                    return
                fact = stored
            self._next_seq = fact["seq"] + 1
            self._known.add(identity)
            self.model.apply(fact)
