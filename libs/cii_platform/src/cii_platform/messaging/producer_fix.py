"""Keep an idempotent aiokafka producer usable after a broker outage (aio-libs/aiokafka#1017, aiokafka 0.14).

While a partition has no leader (the broker is stopping or down), aiokafka expires the batches waiting
for it after `request_timeout_ms`. To expire one it drains it first, which hands it the partition's next
sequence number, then fails it. The broker never sees that sequence, so it refuses every later batch to
the partition with OutOfOrderSequenceNumber, for the life of the process: after a 30-second broker stop a
service could never publish an answer to that partition again.

The correction, applied before aiokafka's own drain, for idempotent producers only:
- a batch never sent expires as before (its sender gets the error and may send again), but without
  taking a sequence number;
- a batch already sent holds its sequence number: it never expires and is retried until the broker takes
  it, as the Java client does.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiokafka
from aiokafka.errors import LeaderNotAvailableError, NotLeaderForPartitionError
from aiokafka.producer.message_accumulator import MessageAccumulator, MessageBatch

# The private internals below were read in these releases only; pyproject bounds aiokafka to them.
CHECKED_RELEASES = ("0.14",)
# What the correction relies on: attributes a batch and an accumulator set in their constructors.
_BATCH_ATTRIBUTES = ("_retry_count", "_ctime")
_ACCUMULATOR_ATTRIBUTES = ("_batches", "_cluster", "_txn_manager")

_original_drain_by_nodes = MessageAccumulator.drain_by_nodes
_original_expired = MessageBatch.expired


def _drain_by_nodes(self: Any, ignore_nodes: Any, muted_partitions: Any = frozenset()) -> Any:
    if self._txn_manager is not None:
        _settle_leaderless_batches(self, muted_partitions)
    return _original_drain_by_nodes(self, ignore_nodes, muted_partitions)


def _expired(self: Any) -> bool:
    # aiokafka's own expiry (which takes a sequence number) never fires for an idempotent producer's batch:
    # _settle_leaderless_batches decides, with the same clock, in the same synchronous drain.
    return False if getattr(self, "_cii_idempotent", False) else bool(_original_expired(self))


def _settle_leaderless_batches(accumulator: Any, muted_partitions: Any) -> None:
    for tp, waiting in list(accumulator._batches.items()):
        for batch in waiting:
            batch._cii_idempotent = True
        leader = accumulator._cluster.leader_for_partition(tp)
        if tp in muted_partitions or (leader is not None and leader != -1):
            continue
        # Only a batch never sent may expire (retry count 0): one already sent holds its sequence number.
        while waiting and waiting[0]._retry_count == 0 and _original_expired(waiting[0]):
            waiting.popleft().failure(
                exception=NotLeaderForPartitionError() if leader is None else LeaderNotAvailableError())
        if not waiting:
            del accumulator._batches[tp]


def unsupported_reason() -> str | None:
    """Why the correction cannot be installed on the aiokafka found, or None when it can."""
    release = ".".join(aiokafka.__version__.split(".")[:2])
    if release not in CHECKED_RELEASES:
        return (f"aiokafka {aiokafka.__version__} was not checked for aio-libs/aiokafka#1017: read the release, "
                f"run tests/messaging/test_producer_outage.py, then extend CHECKED_RELEASES or remove producer_fix")
    missing = [name for name in _BATCH_ATTRIBUTES if name not in MessageBatch.__init__.__code__.co_names]
    missing += [name for name in _ACCUMULATOR_ATTRIBUTES if name not in MessageAccumulator.__init__.__code__.co_names]
    if missing:
        return f"aiokafka {aiokafka.__version__} lacks the internals the #1017 correction relies on: {missing}"
    return None


def apply() -> None:
    """Install the correction (idempotent: installing it twice changes nothing).

    Refuses, loudly, on an aiokafka whose internals it was not checked against: a silent patch of changed
    private code could corrupt the producer worse than the bug it corrects."""
    reason = unsupported_reason()
    if reason is not None:
        raise RuntimeError(reason)
    MessageAccumulator.drain_by_nodes = _drain_by_nodes
    MessageBatch.expired = _expired


@contextmanager
def removed() -> Iterator[None]:
    """aiokafka as released, for the test that shows the correction is still needed."""
    was_applied = applied()
    MessageAccumulator.drain_by_nodes = _original_drain_by_nodes
    MessageBatch.expired = _original_expired
    try:
        yield
    finally:
        if was_applied:
            apply()


def applied() -> bool:
    return MessageAccumulator.drain_by_nodes is _drain_by_nodes
