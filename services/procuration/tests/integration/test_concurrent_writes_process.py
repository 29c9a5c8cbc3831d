"""Writes of the procuration service that race on one document, on the real FerretDB (issue 8: the fault
suite found revocations answered "accepted" but stored ACTIVE)."""

import asyncio
import uuid
from datetime import date

import pytest

from cii_platform.consent.model import Procuration, Status
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.messaging.outbox import OutboxRelay
from procuration.bootstrap import bootstrap
from procuration.config import Settings
from procuration.service_layer import events

pytestmark = pytest.mark.integration


class DiscardingPublisher:
    async def publish(self, topic: str, key: str | None, event: CloudEvent) -> None:
        await asyncio.sleep(0)

    async def publish_raw(self, topic: str, key: bytes | None, value: bytes, headers: dict[str, str]) -> None:
        await asyncio.sleep(0)


def procuration(index: int) -> Procuration:
    return Procuration(
        procuration_id=f"race-{uuid.uuid4().hex}", person_pseudonym=f"person-{index}", signed_on=date(2026, 1, 1),
        valid_from=date(2026, 1, 1), valid_until=date(2027, 1, 1), parties=frozenset({"ORP", "CMS"}),
        categories=frozenset({"SOCIAL"}), purposes=frozenset({"COACHING"}), document_sha256="ab" * 32,
        recorded_by="ORP")


async def test_a_revocation_racing_the_outbox_relay_on_the_same_document_is_kept(procuration_platform):
    """FerretDB v1 applies an update as read-modify-write: unless the service serializes its writes, the
    relay writing back a document it read before the revocation erases the revocation."""
    settings = Settings(KAFKA_BOOTSTRAP_SERVERS=procuration_platform.infra.kafka_bootstrap,
                        MONGODB_URL=procuration_platform.infra.mongodb_url,
                        CII_DATA_DIR=procuration_platform.infra.data_dir,
                        mongodb_database=f"race_{uuid.uuid4().hex[:8]}")
    service = bootstrap(settings, master_key=bytes(32))
    repository = service.procurations
    relay = OutboxRelay("procuration", [repository.collection], DiscardingPublisher())
    written = [procuration(index) for index in range(100)]
    try:
        for item in written:
            await repository.insert(item, None, [events.procuration_recorded(item)])
        pending = [document async for document in repository.collection.find({"outbox_pending": True})]

        async def revoke(item: Procuration) -> bool:
            return await repository.transition(item.procuration_id, {"status": "ACTIVE"}, {"status": "REVOKED"},
                                               [events.procuration_status(item, Status.REVOKED, date(2026, 6, 1))])

        results = await asyncio.gather(*(revoke(item) for item in written),
                                       *(relay._publish_document(repository.collection, d) for d in pending))
        stored = {item.procuration_id: (await repository.get(item.procuration_id)) for item in written}
    finally:
        await service.runtime.mongo.drop_database(settings.mongodb_database)
        await service.runtime.mongo.close()
    assert all(results[:len(written)])
    assert [pid for pid, found in stored.items() if found is None or found.status is not Status.REVOKED] == []
