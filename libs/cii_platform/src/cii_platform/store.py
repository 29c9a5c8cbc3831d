"""The MongoDB-compatible store (MongoDB 7 in production, FerretDB v1 locally), PyMongo async API."""

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, cast

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

Document = dict[str, Any]

log = logging.getLogger(__name__)


@dataclass
class StoreProfile:
    """What the store behind the URL needs from us, detected at start (`detect_store_profile`).

    FerretDB v1 (the local store) applies an update as read-modify-write, not atomically, and has been
    seen to acknowledge a write it then did not show: on it, writes are serialized per collection within
    the process and writers read back what they wrote. MongoDB 7 needs neither: its single-document
    updates are atomic and an acknowledged write (w:1, journaled on the primary) is visible to the next
    read of the same client, so it takes the plain path. Until detection the safe (FerretDB) path is on.
    The GIN mirror of FerretDB's indexes lives in PostgreSQL (scripts/ferretdb-gin-indexes.sql) and is
    installed only with FerretDB.
    """

    name: str = "undetected"
    serialize_writes: bool = True
    read_back_writes: bool = True

    @property
    def is_ferretdb(self) -> bool:
        return self.name == "ferretdb"

    def adopt(self, other: "StoreProfile") -> None:
        self.name, self.serialize_writes, self.read_back_writes = (
            other.name, other.serialize_writes, other.read_back_writes)


FERRETDB = StoreProfile("ferretdb", serialize_writes=True, read_back_writes=True)
MONGODB = StoreProfile("mongodb", serialize_writes=False, read_back_writes=False)


def profile_of_build_info(info: Document) -> StoreProfile:
    """FerretDB answers `buildInfo` with a `ferretdbVersion` (MongoDB never does)."""
    if "ferretdbVersion" in info or "ferretdb" in str(info.get("ferretdbFeatures", "")).lower():
        return FERRETDB
    return MONGODB


async def detect_store_profile(database: AsyncDatabase[Document]) -> StoreProfile:
    profile = profile_of_build_info(await database.command("buildInfo"))
    log.info("store profile: %s (serialized writes %s, read-back %s)", profile.name, profile.serialize_writes,
             profile.read_back_writes)
    return StoreProfile(profile.name, profile.serialize_writes, profile.read_back_writes)


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
    this; with one process per service it makes FerretDB behave. On only under the FerretDB profile.
    """

    def __init__(self, collection: AsyncCollection[Document], lock: asyncio.Lock,
                 profile: StoreProfile | None = None) -> None:
        self._collection = collection
        self._lock = lock
        self._profile = profile or StoreProfile()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name not in WRITE_METHODS or not self._profile.serialize_writes:
            return attribute

        async def serialized(*args: Any, **kwargs: Any) -> Any:
            async with self._lock:
                return await attribute(*args, **kwargs)

        return serialized


def serialized(collection: AsyncCollection[Document], lock: asyncio.Lock,
               profile: StoreProfile | None = None) -> AsyncCollection[Document]:
    return cast(AsyncCollection[Document], SerializedCollection(collection, lock, profile))
