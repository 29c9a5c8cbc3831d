"""Writes to outbox documents never overlap (FerretDB v1 updates are read-then-write)."""

import asyncio
from typing import Any, cast

import pytest
from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.store import serialized

pytestmark = pytest.mark.unit


class SlowCollection:
    def __init__(self) -> None:
        self.running = 0
        self.overlaps = 0

    async def update_one(self, *_: Any) -> str:
        self.running += 1
        self.overlaps += self.running > 1
        await asyncio.sleep(0.01)
        self.running -= 1
        return "updated"

    def find(self, *_: Any) -> str:
        return "cursor"


async def test_concurrent_writes_wait_for_each_other_and_reads_pass_through() -> None:
    slow = SlowCollection()
    collection = serialized(cast(AsyncCollection[dict[str, Any]], slow), asyncio.Lock())
    results = await asyncio.gather(*(collection.update_one({"_id": i}, {}) for i in range(5)))
    assert results == ["updated"] * 5 and slow.overlaps == 0
    assert collection.find({}) == "cursor"
    unserialized = await asyncio.gather(*(slow.update_one({"_id": i}, {}) for i in range(5)))
    assert unserialized == ["updated"] * 5 and slow.overlaps > 0  # what the lock prevents
