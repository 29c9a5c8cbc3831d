"""The MongoDB-compatible store (MongoDB 7 in production, FerretDB v1 locally), PyMongo async API."""

import asyncio
from typing import Any, cast

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]


def create_mongo_client(url: str, *, timeout_ms: int = 5000) -> AsyncMongoClient[Document]:
    """One client per process, created in the lifespan and closed there."""
    return AsyncMongoClient(
        url,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        tz_aware=True,
        appname="cii-platform",
    )


async def ping(database: AsyncDatabase[Document]) -> bool:
    try:
        await database.command("ping")
        return True
    except Exception:
        return False


def is_duplicate_key(exc: BaseException) -> bool:
    return isinstance(exc, DuplicateKeyError)


async def insert_new(collection: Any, document: Document) -> bool:
    """Insert `document`; False (and nothing written) when a document with its `_id` exists already.
    The unique `_id` is what makes a redelivered event's insert harmless, on MongoDB and FerretDB alike."""
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True


WRITE_METHODS = frozenset({"insert_one", "insert_many", "update_one", "update_many", "replace_one",
                           "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
                           "delete_one", "delete_many", "bulk_write"})


class SerializedCollection:
    """A collection whose writes wait for each other within the process; reads pass straight through.

    FerretDB v1 applies an update as "read the document, apply the operators, write it back", not as
    one atomic step: two concurrent writers of one document (a handler and the outbox relay, two HTTP
    requests) can lose an update (measured: 180 lost of 200 concurrent pairs). MongoDB needs none of
    this; with one process per service it makes FerretDB behave.
    """

    def __init__(self, collection: AsyncCollection[Document], lock: asyncio.Lock) -> None:
        self._collection = collection
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name not in WRITE_METHODS:
            return attribute

        async def serialized(*args: Any, **kwargs: Any) -> Any:
            async with self._lock:
                return await attribute(*args, **kwargs)

        return serialized


def serialized(collection: AsyncCollection[Document], lock: asyncio.Lock) -> AsyncCollection[Document]:
    return cast(AsyncCollection[Document], SerializedCollection(collection, lock))
