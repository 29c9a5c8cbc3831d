"""The shared messaging library against the real Kafka broker and store (no service code involved)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from faststream import AckPolicy

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, dead_letter, inbound, outbound
from cii_platform.messaging.broker import UnsafeSubscriberError, assert_at_least_once, create_broker
from cii_platform.messaging.inbound import Accepted, InboundCommand
from cii_platform.messaging.outbox import new_document_outbox, outbox_entry
from cii_platform.runtime import ServiceRuntime
from cii_platform.settings import ServiceSettings
from cii_platform.telemetry.tracing import configure_tracing
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform
from cii_platform.validation import DomainValidationError, error

pytestmark = pytest.mark.integration


def announcement(ref: str, avs: str | None = None) -> dict[str, Any]:
    return {
        "external_ref": ref, "announced_on": "2024-03-01",
        "announcer": {"collaborator": "C. Favre", "respondent": "R. Imboden"},
        "person": {"avs_number": avs or format_avs("756123456789"), "last_name": "Test", "first_name": "Ana",
                   "birth_date": "1980-05-04", "sex": "F", "region": "SION", "education_level": "NONE"},
        "situation_type": "COMPLEX", "risk_factors": ["HEALTH"], "employment_gap": "UNDER_1_YEAR",
        "follow_up_started_on": "2024-01-10",
    }


class Recorder:
    """A handler with a real effect: one document per external_ref, its event in the outbox."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.calls = 0

    async def __call__(self, command: InboundCommand) -> Accepted:
        self.calls += 1
        ref = command.payload.external_ref
        if ref.startswith("boom"):
            raise RuntimeError("handler bug")
        if ref.startswith("refuse"):
            raise DomainValidationError([error("data.external_ref", "refused by a business rule")])
        event = new_event("test.recorded", platform_source("signalement"), {"ref": ref})
        await self.runtime.db["things"].insert_one(
            {"_id": ref, **new_document_outbox([outbox_entry(SIGNALEMENT_EVENTS, ref, event)])})
        self.runtime.notify_outbox()
        return Accepted(resource_id=f"thing-{ref}")


@pytest.fixture(scope="module")
async def runtime(infra_only: LocalPlatform) -> AsyncIterator[tuple[ServiceRuntime, Recorder]]:
    settings = ServiceSettings(service_name="signalement", mongodb_database=f"test_lib_{uuid.uuid4().hex[:8]}",
                               KAFKA_BOOTSTRAP_SERVERS=infra_only.infra.kafka_bootstrap,
                               MONGODB_URL=infra_only.infra.mongodb_url, CII_DATA_DIR=infra_only.infra.data_dir,
                               CII_MAX_MESSAGE_BYTES=20_000, CII_OUTBOX_POLL_SECONDS=0.2)
    configure_tracing("test-messaging")
    service = ServiceRuntime(settings)
    recorder = Recorder(service)
    service.consume_inbound({types.SIGNALEMENT_SUBMITTED: recorder}, owns_envelope=True)
    service.use_outbox(service.db["things"])
    async with service.lifespan():
        yield service, recorder


async def test_accepts_dedupes_rejects_and_keeps_flowing(runtime: tuple[ServiceRuntime, Recorder],
                                                         infra_only: LocalPlatform) -> None:
    service, recorder = runtime
    bootstrap = infra_only.infra.kafka_bootstrap
    ok = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement("r-1"))
    wrong_source = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement("r-2"), source="/institutions/CMS")
    bad_avs = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement("r-3", avs="756.1234.5678.90"))
    refused = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement("refuse-1"))
    after = inbound_event("ORP", types.SIGNALEMENT_SUBMITTED, announcement("r-4"))
    async with TopicReader(bootstrap, outbound("ORP")) as answers, \
            TopicReader(bootstrap, SIGNALEMENT_EVENTS) as internal, InstitutionClient(bootstrap) as orp:
        topic = inbound("ORP")
        await orp.send(topic, ok, key="r-1")
        await orp.send(topic, b"{not json", key="x")
        await orp.send(topic, wrong_source, key="r-2")
        await orp.send(topic, bad_avs, key="r-3")
        await orp.send(topic, refused, key="refuse-1")
        await orp.send(topic, ok, key="r-1")  # duplicate id
        await orp.send(topic, b"x" * 30_000, key="huge")
        await orp.send(topic, after, key="r-4")
        await answers.wait_for(lambda r: True, count=8, timeout=30)
        await asyncio.sleep(1.0)
        await answers.poll()

        values = [r["value"] for r in answers.records]
        accepted_ok = answers.answers_to(ok["id"])
        assert len(accepted_ok) == 2 and {a["data"]["resource_id"] for a in accepted_ok} == {"thing-r-1"}
        assert accepted_ok[0]["id"] == accepted_ok[1]["id"], "a redelivered answer keeps its id"
        malformed = [v for v in values if v["type"] == types.EVENT_REJECTED and v["data"]["event_id"] is None]
        assert len(malformed) == 2 and any("malformed JSON" in v["data"]["errors"][0]["message"] for v in malformed)
        assert any("exceeds the limit" in v["data"]["errors"][0]["message"] for v in malformed)
        assert answers.answers_to(wrong_source["id"])[0]["data"]["errors"][0]["field"] == "source"
        assert answers.answers_to(bad_avs["id"])[0]["data"]["errors"][0]["field"] == "data.person.avs_number"
        assert answers.answers_to(refused["id"])[0]["data"]["errors"][0]["field"] == "data.external_ref"
        assert answers.answers_to(after["id"])[0]["type"] == types.EVENT_ACCEPTED
        assert len(values) == 8

        recorded = await internal.wait_for(lambda r: r["value"]["type"] == "test.recorded", count=2)
        assert sorted(r["value"]["data"]["ref"] for r in recorded) == ["r-1", "r-4"]
    assert recorder.calls == 3  # r-1 once, refuse-1, r-4: the duplicate never reached the handler
    assert await service.db["things"].count_documents({}) == 2
    assert await service.db["things"].count_documents({"outbox_pending": True}) == 0


async def test_a_failing_handler_dead_letters_the_record_and_the_partition_moves_on(
        runtime: tuple[ServiceRuntime, Recorder], infra_only: LocalPlatform) -> None:
    bootstrap = infra_only.infra.kafka_bootstrap
    boom = inbound_event("CMS", types.SIGNALEMENT_SUBMITTED, announcement("boom-1"))
    next_one = inbound_event("CMS", types.SIGNALEMENT_SUBMITTED, announcement("r-5"))
    async with TopicReader(bootstrap, dead_letter("signalement")) as dead, \
            TopicReader(bootstrap, outbound("CMS")) as answers, InstitutionClient(bootstrap) as cms:
        await cms.send(inbound("CMS"), boom, key="same-key")
        await cms.send(inbound("CMS"), next_one, key="same-key")
        [record] = await dead.wait_for(lambda r: True, timeout=30)
        assert record["headers"]["x-error-type"] == b"RuntimeError"
        assert record["headers"]["x-original-topic"] == inbound("CMS").encode()
        assert record["value"]["id"] == boom["id"]
        await answers.wait_for(lambda r: r["value"]["data"].get("event_id") == next_one["id"])


def test_a_subscriber_that_commits_before_handling_is_refused() -> None:
    broker = create_broker(ServiceSettings())

    @broker.subscriber("cii.inbound.orp", group_id="g", ack_policy=AckPolicy.ACK_FIRST)
    async def unsafe(body: bytes) -> None: ...

    with pytest.raises(UnsafeSubscriberError):
        assert_at_least_once(broker)


def test_a_subscriber_that_acks_failures_is_refused() -> None:
    broker = create_broker(ServiceSettings())

    @broker.subscriber("cii.inbound.orp", group_id="g", ack_policy=AckPolicy.ACK)
    async def acks_on_error(body: bytes) -> None: ...

    with pytest.raises(UnsafeSubscriberError):
        assert_at_least_once(broker)


async def test_the_trace_of_an_inbound_record_continues_in_its_answer_and_its_events(
        runtime: tuple[ServiceRuntime, Recorder], infra_only: LocalPlatform) -> None:
    bootstrap = infra_only.infra.kafka_bootstrap
    trace_id = uuid.uuid4().hex
    traced = inbound_event("OAI", types.SIGNALEMENT_SUBMITTED, announcement("traced-1"))
    async with TopicReader(bootstrap, outbound("OAI")) as answers, \
            TopicReader(bootstrap, SIGNALEMENT_EVENTS) as internal, InstitutionClient(bootstrap) as oai:
        await oai.send(inbound("OAI"), traced, key="traced-1",
                       headers={"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"})
        [answer] = await answers.wait_for(lambda r: r["value"]["data"].get("event_id") == traced["id"])
        [event] = await internal.wait_for(lambda r: r["value"]["data"].get("ref") == "traced-1")
    assert trace_id in answer["headers"]["traceparent"].decode()
    assert trace_id in event["headers"]["traceparent"].decode()


async def test_serialized_writes_lose_no_update_when_the_relay_and_a_handler_race(
        runtime: tuple[ServiceRuntime, Recorder]) -> None:
    service, _ = runtime
    things = service.collection("race")
    await things.insert_one({"_id": "doc", "changes": [], **new_document_outbox([])})

    async def handler_write(n: int) -> None:
        event = new_event("test.changed", platform_source("signalement"), {"n": n})
        await things.update_one({"_id": "doc"}, {"$push": {"changes": n, "outbox": outbox_entry(
            SIGNALEMENT_EVENTS, "doc", event)}, "$set": {"outbox_pending": True}})

    relay = service.use_outbox(service.db["race"])
    writes = [handler_write(n) for n in range(100)]
    drains = [relay.drain() for _ in range(100)]
    await asyncio.gather(*[w for pair in zip(writes, drains, strict=True) for w in pair])
    await relay.drain()
    document = await things.find_one({"_id": "doc"})
    assert document is not None
    assert sorted(document["changes"]) == list(range(100)), "an update was lost"
    assert document["outbox"] == []
