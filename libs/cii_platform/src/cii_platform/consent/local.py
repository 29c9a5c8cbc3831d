"""The in-process decision point: decisions on the service's consent replica, each one audited.

The audit entries are published in batches on the deciding service's internal topic, where the
procuration service appends each one to its hash-chained audit log. Publishing happens in the background,
so a decision takes microseconds: a decision releases nothing by itself (keys are released, and audited
durably, by the custodian), and what is still buffered when the process dies is the only audit loss.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from typing import Any

from ..contracts.envelope import new_event, platform_source
from ..contracts.internal_consent import CONSENT_DECIDED, ConsentDecided, ConsentDecision
from ..messaging.broker import create_broker
from ..messaging.publisher import EventPublisher, KafkaEventPublisher
from ..settings import PlatformSettings
from .feed import ReplicaFeed
from .policy import Decision
from .replica import ConsentReplica

log = logging.getLogger(__name__)


class DecisionAuditPublisher:
    def __init__(self, service: str, topic: str, publisher: EventPublisher, *, flush_seconds: float = 0.05,
                 batch_size: int = 500) -> None:
        self._service = service
        self._topic = topic
        self._publisher = publisher
        self._flush_seconds = flush_seconds
        self._batch_size = batch_size
        self._buffer: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None

    def record(self, decision: dict[str, Any]) -> None:
        self._buffer.append(decision)  # validated at flush time: recording costs nothing on the decision path

    def start(self) -> None:
        self._task = asyncio.create_task(self._flush_forever(), name="decision-audit")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.flush()

    async def flush(self) -> None:
        while self._buffer:
            batch = self._buffer[:self._batch_size]
            body = ConsentDecided(decided_by=self._service, decisions=[ConsentDecision(**d) for d in batch])
            # The broker away: the batch stays buffered (and the error reaches the caller) for the next flush.
            await self._publisher.publish(self._topic, self._service,
                                          new_event(CONSENT_DECIDED, platform_source(self._service), body))
            del self._buffer[:len(batch)]

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(self._flush_seconds)
            try:
                await self.flush()
            except Exception as exc:
                log.warning("decision audit not published yet (%s kept): %r", len(self._buffer), exc)


class LocalDecisionPoint:
    def __init__(self, replica: ConsentReplica, audit: DecisionAuditPublisher, *,
                 today: Callable[[], date] = date.today) -> None:
        self._replica = replica
        self._audit = audit
        self._today = today

    def decide(self, *, actor: dict[str, Any], requester: str, person_pseudonym: str, category: str,
               purpose: str) -> Decision:
        decision = self._replica.decide(requester=requester, person_pseudonym=person_pseudonym,
                                        category=category, purpose=purpose, today=self._today())
        self._audit.record({
            "decided_at": datetime.now(UTC), "actor": actor, "requester": requester,
            "person_pseudonym": person_pseudonym, "category": category, "purpose": purpose,
            "decision": decision.decision, "reason": decision.reason, "procuration_id": decision.procuration_id})
        return decision


@contextlib.asynccontextmanager
async def running_local_decisions(service: str, bootstrap_servers: str, audit_topic: str, *,
                                  today: Callable[[], date] = date.today, flush_seconds: float = 0.05,
                                  catch_up_seconds: float = 60) -> AsyncIterator[LocalDecisionPoint]:
    """A service's decision point, wired: its replica fed from the procuration topic (caught up before it is
    handed out), its audit published on `audit_topic` (the service's internal topic), all stopped on exit."""
    replica = ConsentReplica()
    feed = ReplicaFeed(replica, bootstrap_servers)
    broker = create_broker(PlatformSettings(service_name=service, KAFKA_BOOTSTRAP_SERVERS=bootstrap_servers))
    await broker.connect()
    audit = DecisionAuditPublisher(service, audit_topic, KafkaEventPublisher(broker), flush_seconds=flush_seconds)
    try:
        await feed.start()
        audit.start()
        try:
            await asyncio.wait_for(feed.caught_up.wait(), timeout=catch_up_seconds)
            yield LocalDecisionPoint(replica, audit, today=today)
        finally:
            await audit.stop()
            await feed.stop()
    finally:
        await broker.stop()
