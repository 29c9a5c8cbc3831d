"""At-least-once handling with exactly-once effects: dedupe, retry, dead-letter.

- Transient failures (store or broker unreachable) are retried with backoff for as long as it takes:
  the offset is not committed, nothing goes to the dead-letter topic.
- Any other failure is retried `max_attempts` times, then the record goes to the service's dead-letter
  topic with headers naming the error, and the partition moves on.
- A shutdown during a retry cancels the handler: FastStream nacks (seeks back), nothing is committed.
"""

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError, RequestTimedOutError
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import AutoReconnect, BulkWriteError, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError

from ..contracts.topics import dead_letter
from ..store import insert_new
from ..telemetry import metrics
from .publisher import EventPublisher

log = logging.getLogger(__name__)


# The headers a dead-lettered record gets beside its own (the AsyncAPI document lists them from here).
DEAD_LETTER_HEADERS: dict[str, str] = {
    "x-original-topic": "the topic the record was read from",
    "x-original-partition": "its partition",
    "x-original-offset": "its offset",
    "x-error-type": "the class of the last error",
    "x-error-message": "the last error's message (at most 1,000 characters)",
    "x-error-trace": "the end of the last error's traceback (at most 2,000 characters)",
    "x-attempts": "how many times the handler failed on it",
    "x-service": "the service that gave up on it",
}


class TransientError(Exception):
    """A dependency is unavailable for now; the same work will succeed later."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError, ConnectionFailure, AutoReconnect, NetworkTimeout, ServerSelectionTimeoutError,
    KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError, RequestTimedOutError,
    httpx.TransportError, ConnectionError, TimeoutError,
)


@dataclass(frozen=True)
class RecordInfo:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]


def backoff_seconds(attempt: int, *, cap: float = 5.0) -> float:
    return float(min(cap, 0.1 * (2 ** min(attempt, 10))))


class Inbox:
    """Processed event ids per consumer (unique `_id`), with the answer given, for redeliveries."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self._collection = collection

    @staticmethod
    def key(consumer: str, source: str, event_id: str) -> str:
        return f"{consumer}|{source}|{event_id}"

    async def seen(self, key: str) -> dict[str, Any] | None:
        return await self._collection.find_one({"_id": key})

    async def remember(self, key: str, answer: dict[str, Any] | None = None) -> None:
        await insert_new(self._collection, {"_id": key, "answer": answer, "at": datetime.now(UTC)})

    async def seen_many(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """One lookup for a batch: the entries of those keys that were processed already."""
        if not keys:
            return {}
        return {entry["_id"]: entry async for entry in self._collection.find({"_id": {"$in": keys}})}

    async def remember_many(self, answers: dict[str, dict[str, Any] | None]) -> None:
        """One unordered insert for a batch; keys remembered already (a redelivery) are left as they are."""
        if not answers:
            return
        now = datetime.now(UTC)
        await insert_many_new(self._collection, [{"_id": key, "answer": answer, "at": now}
                                                 for key, answer in answers.items()])


DUPLICATE_KEY = 11000


async def insert_many_new(collection: Any, documents: list[dict[str, Any]]) -> set[Any]:
    """Insert unordered; the `_id`s written. Documents whose `_id` exists already are skipped (a redelivery),
    any other write error is raised."""
    if not documents:
        return set()
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise
        failed = {int(error["index"]) for error in errors}
        return {document["_id"] for index, document in enumerate(documents) if index not in failed}
    return {document["_id"] for document in documents}


class ReliableRunner:
    def __init__(self, service: str, publisher: EventPublisher, *, max_attempts: int = 3) -> None:
        self._service = service
        self._publisher = publisher
        self._max_attempts = max_attempts

    async def run(self, record: RecordInfo, work: Callable[[], Awaitable[None]]) -> None:
        failures = 0
        transient_attempts = 0
        while True:
            try:
                await work()
                return
            except TRANSIENT_ERRORS as exc:
                transient_attempts += 1
                metrics.handler_retries.labels(self._service, "transient").inc()
                log.warning("transient failure on %s[%s]@%s, retrying: %r",
                            record.topic, record.partition, record.offset, exc)
                await asyncio.sleep(backoff_seconds(transient_attempts))
            except Exception as exc:
                failures += 1
                metrics.handler_retries.labels(self._service, "error").inc()
                if failures >= self._max_attempts:
                    await self._dead_letter(record, exc, failures)
                    return
                log.warning("handler failed on %s[%s]@%s (attempt %s): %r",
                            record.topic, record.partition, record.offset, failures, exc)
                await asyncio.sleep(backoff_seconds(failures))

    async def run_batch(self, records: list[RecordInfo], work: Callable[[], Awaitable[None]]) -> bool:
        """The batch's work, retried while a dependency is down; False when it failed otherwise (the caller
        then handles the records one by one, so that only the culprit is retried and dead-lettered)."""
        transient_attempts = 0
        while True:
            try:
                await work()
                return True
            except TRANSIENT_ERRORS as exc:
                transient_attempts += 1
                metrics.handler_retries.labels(self._service, "transient").inc()
                log.warning("transient failure on a batch of %s records from %s[%s]@%s, retrying: %r",
                            len(records), records[0].topic, records[0].partition, records[0].offset, exc)
                await asyncio.sleep(backoff_seconds(transient_attempts))
            except Exception as exc:
                metrics.handler_retries.labels(self._service, "error").inc()
                log.warning("batch of %s records failed (%r): handling them one by one", len(records), exc)
                return False

    async def _dead_letter(self, record: RecordInfo, exc: Exception, attempts: int) -> None:
        headers = {
            **record.headers,
            "x-original-topic": record.topic,
            "x-original-partition": str(record.partition),
            "x-original-offset": str(record.offset),
            "x-error-type": type(exc).__name__,
            "x-error-message": str(exc)[:1000],
            "x-error-trace": "".join(traceback.format_exception(exc))[-2000:],
            "x-attempts": str(attempts),
            "x-service": self._service,
        }
        assert set(headers) >= set(DEAD_LETTER_HEADERS)
        while True:  # the dead-letter topic is on the same broker: wait for it rather than lose the record
            try:
                await self._publisher.publish_raw(dead_letter(self._service), record.key, record.value, headers)
                break
            except TRANSIENT_ERRORS as publish_exc:
                log.warning("dead-letter publish failed, retrying: %r", publish_exc)
                await asyncio.sleep(1.0)
        metrics.dead_letters.labels(self._service, record.topic).inc()
        log.error("record %s[%s]@%s dead-lettered after %s attempts: %r",
                  record.topic, record.partition, record.offset, attempts, exc)
