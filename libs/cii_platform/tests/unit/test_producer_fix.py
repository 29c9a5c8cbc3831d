"""An idempotent producer's batch expires without taking a sequence number, and one already sent never expires."""

import time
from typing import Any

import pytest
from aiokafka.errors import LeaderNotAvailableError
from aiokafka.producer.message_accumulator import MessageAccumulator
from aiokafka.producer.transaction_manager import TransactionManager
from aiokafka.structs import TopicPartition

from cii_platform.messaging import producer_fix

pytestmark = pytest.mark.unit

TP = TopicPartition("cii.inbound.orp", 0)


class Cluster:
    """Cluster metadata where the partition's leader is known, or not (the broker is down)."""

    def __init__(self) -> None:
        self.leader: int | None = 1

    def leader_for_partition(self, _: Any) -> int | None:
        return self.leader


def accumulator(cluster: Cluster) -> tuple[MessageAccumulator, TransactionManager]:
    producer_fix.apply()
    transactions = TransactionManager(transactional_id=None, transaction_timeout_ms=60_000)
    transactions.set_pid_and_epoch(7, 0)
    return MessageAccumulator(cluster, 16_384, 0, batch_ttl=0.05, txn_manager=transactions), transactions


def age(accumulator: MessageAccumulator, seconds: float = 1.0) -> None:
    for batch in accumulator._batches[TP]:
        batch._ctime = time.monotonic() - seconds


async def test_an_unsent_batch_expires_without_taking_a_sequence_number() -> None:
    cluster = Cluster()
    queue, transactions = accumulator(cluster)
    first = await queue.add_message(TP, b"k", b"during the outage", timeout=1)
    cluster.leader = -1
    age(queue)
    queue.drain_by_nodes(ignore_nodes=set())
    assert isinstance(first.exception(), LeaderNotAvailableError)
    assert transactions.sequence_number(TP) == 0, "the broker never saw a sequence number: none may be used"
    cluster.leader = 1
    await queue.add_message(TP, b"k", b"after the outage", timeout=1)
    batches, _ = queue.drain_by_nodes(ignore_nodes=set())
    assert batches[1][TP].record_count == 1
    assert transactions.sequence_number(TP) == 1


async def test_a_batch_already_sent_keeps_waiting_for_the_leader() -> None:
    cluster = Cluster()
    queue, transactions = accumulator(cluster)
    sent = await queue.add_message(TP, b"k", b"in flight when the broker stopped", timeout=1)
    batches, _ = queue.drain_by_nodes(ignore_nodes=set())
    queue.reenqueue(batches[1][TP])  # what the sender does after NotLeaderForPartition
    cluster.leader = -1
    age(queue)
    queue.drain_by_nodes(ignore_nodes=set())
    assert not sent.done(), "a batch holding a sequence number must be retried, never expired"
    cluster.leader = 1
    batches, _ = queue.drain_by_nodes(ignore_nodes=set())
    assert TP in batches[1] and transactions.sequence_number(TP) == 1


async def test_a_producer_without_idempotence_keeps_aiokafkas_expiry() -> None:
    cluster = Cluster()
    producer_fix.apply()
    queue = MessageAccumulator(cluster, 16_384, 0, batch_ttl=0.05)
    sent = await queue.add_message(TP, b"k", b"v", timeout=1)
    cluster.leader = -1
    age(queue)
    queue.drain_by_nodes(ignore_nodes=set())
    assert isinstance(sent.exception(), LeaderNotAvailableError)


async def test_aiokafka_as_released_still_has_the_bug_so_the_correction_is_still_needed() -> None:
    """aio-libs/aiokafka#1017: when this fails, aiokafka no longer burns a sequence number on an expired
    batch. Then remove producer_fix (and this test) instead of extending CHECKED_RELEASES."""
    cluster = Cluster()
    with producer_fix.removed():
        transactions = TransactionManager(transactional_id=None, transaction_timeout_ms=60_000)
        transactions.set_pid_and_epoch(7, 0)
        queue = MessageAccumulator(cluster, 16_384, 0, batch_ttl=0.05, txn_manager=transactions)
        await queue.add_message(TP, b"k", b"during the outage", timeout=1)
        cluster.leader = -1
        age(queue)
        queue.drain_by_nodes(ignore_nodes=set())
        assert transactions.sequence_number(TP) == 1, "the expired batch took a sequence the broker never saw"
    assert producer_fix.applied()


def test_the_correction_refuses_an_aiokafka_it_was_not_checked_against(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(producer_fix.aiokafka, "__version__", "0.15.0")
    with pytest.raises(RuntimeError, match=r"0\.15\.0 was not checked"):
        producer_fix.apply()
    assert producer_fix.unsupported_reason() is not None
