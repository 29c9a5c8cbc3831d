"""The local store's indexes serve the platform's filters (scripts/ferretdb-gin-indexes.sql).

FerretDB v1 pushes an equality filter down to PostgreSQL as a containment test that its own btree
indexes cannot serve: without the mirrored GIN indexes every lookup scanned the whole collection, and
the platform slowed down as the store filled. FerretDB's `explain` returns PostgreSQL's plan."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from cii_platform.store import create_mongo_client
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


@pytest.fixture
async def database(infra_only: LocalPlatform) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    client = create_mongo_client(infra_only.infra.mongodb_url)
    name = f"test_indexes_{uuid.uuid4().hex[:8]}"
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        await client.close()


def index_scans(plan: dict[str, Any]) -> list[str]:
    """Names of the indexes a PostgreSQL plan (as FerretDB's explain returns it) reads."""
    own = [plan["Index Name"]] if "Index Name" in plan else []
    return own + [name for child in plan.get("Plans", []) for name in index_scans(child)]


async def test_lookups_by_id_and_by_an_indexed_field_read_an_index_not_every_document(database) -> None:
    situations = database["situations"]
    await situations.create_index([("person_pseudonym", ASCENDING)])
    # Documents large enough to live out of line (TOAST), like sealed situations with their outbox.
    await situations.insert_many([{"_id": f"sit-{n}", "person_pseudonym": f"p-{n % 50}", "sealed": "x" * 4000}
                                  for n in range(300)])
    for query in ({"_id": "sit-42"}, {"person_pseudonym": "p-7"}, {"person_pseudonym": "p-7", "status": "OPEN"}):
        explained = await database.command("explain", {"find": "situations", "filter": query})
        assert explained["filterPushdown"] is True
        assert [name for name in index_scans(explained["queryPlanner"]["Plan"]) if name.startswith("gin_")], (
            f"{query} scans every document: {explained['queryPlanner']['Plan']}")
    assert len([d async for d in situations.find({"person_pseudonym": "p-7"})]) == 6
