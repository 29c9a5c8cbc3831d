"""The MongoDB-compatible store (MongoDB 7 in production, FerretDB v1 locally), PyMongo async API."""

from typing import Any

from pymongo import AsyncMongoClient
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
