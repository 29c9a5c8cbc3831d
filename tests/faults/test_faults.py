"""Issue 8: nothing is lost, duplicated or leaked when things break.

Against the real Kafka, store and service processes. CI runs 400 announcements (plus procurations and
revocations) per scenario; CII_FAULTS_FULL=1 runs the full 5,000.
"""

import asyncio
import time
import uuid

import httpx
import pytest
from checks import annual_round_tables, annual_total, assert_exactly_once, officer, situations_of_year
from measures_load import round_tables_during_the_load
from workload import DRAIN_SECONDS, FULL, answer_readers, assert_one_answer_each, build_workload, publish

from cii_platform.contracts import types
from cii_platform.contracts.topics import dead_letter, inbound, outbound
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.faults, pytest.mark.timeout(7200 if FULL else 900)]


# Each scenario announces in its own past year, so its counts in the shared report are its own.
YEARS = {"kill": 2002, "kafka": 2003, "store": 2004, "poison": 2005, "revocation": 2006, "replay": 2007}


async def test_killing_each_service_during_the_load_loses_and_duplicates_nothing(platform: LocalPlatform) -> None:
    work = build_workload(YEARS["kill"])
    async with answer_readers(platform) as answers:
        load = asyncio.create_task(publish(platform, work))
        round_tables = round_tables_during_the_load(platform, work, DRAIN_SECONDS)
        for name in ("signalement", "procuration", "reporting", "measures"):
            await asyncio.sleep(1.5)
            platform.services[name].kill()  # SIGKILL: no graceful anything
            await asyncio.sleep(0.5)
            await asyncio.to_thread(platform.start_service, name)
        await load
        await assert_one_answer_each(answers, work)
        await round_tables
    await asyncio.to_thread(assert_exactly_once, platform, work)


async def test_a_kafka_outage_fails_fast_then_recovers_without_loss(platform: LocalPlatform) -> None:
    work = build_workload(YEARS["kafka"])
    readiness: set[int] = set()
    async with answer_readers(platform) as answers:
        load = asyncio.create_task(publish(platform, work))
        round_tables = round_tables_during_the_load(platform, work, DRAIN_SECONDS)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(platform.infra.run, "stop-kafka")
        outage_end = time.monotonic() + 30
        async with httpx.AsyncClient(timeout=10) as client:
            while time.monotonic() < outage_end:
                readiness.add((await client.get(f"{platform.url('signalement')}/readyz")).status_code)
                started = time.monotonic()
                write = await client.post(f"{platform.url('signalement')}/api/v1/signalements", json={},
                                          headers={"Authorization": f"Bearer {platform.token('ORP', 'field_worker')}"})
                if write.status_code == 503:
                    assert time.monotonic() - started < 2.0, "a write during the outage must fail fast"
                    assert write.headers["content-type"].startswith("application/problem+json")
                await asyncio.sleep(1.0)
        await asyncio.to_thread(platform.infra.run, "start-kafka")
        await load
        await assert_one_answer_each(answers, work)
        await round_tables
    assert 503 in readiness, "readiness must turn false while Kafka is down"
    for name in platform.services:
        await asyncio.to_thread(platform.services[name].wait_ready, 90)
    await asyncio.to_thread(assert_exactly_once, platform, work)


async def test_a_store_outage_pauses_consumers_without_dead_letters_or_loss(platform: LocalPlatform) -> None:
    work = build_workload(YEARS["store"])
    dead_topics = [dead_letter(name) for name in ("signalement", "measures", "procuration", "reporting")]
    async with answer_readers(platform) as answers, TopicReader(platform.infra.kafka_bootstrap, *dead_topics) as dead:
        load = asyncio.create_task(publish(platform, work))
        round_tables = round_tables_during_the_load(platform, work, DRAIN_SECONDS)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(platform.infra.run, "stop-store")
        await asyncio.sleep(30)
        await asyncio.to_thread(platform.infra.run, "start-store")
        await load
        await assert_one_answer_each(answers, work)
        await round_tables
        await dead.poll(1.0)
        assert dead.records == [], "a transient failure must never dead-letter a record"
    await asyncio.to_thread(assert_exactly_once, platform, work)


async def test_poison_records_are_answered_or_dead_lettered_and_the_partition_keeps_flowing(
        platform: LocalPlatform) -> None:
    year = YEARS["poison"]
    workload = build_workload(year, announcements=1)
    [(_, valid, key)] = workload.events
    bootstrap = platform.infra.kafka_bootstrap
    wrong_schema = inbound_event("OAI", types.SIGNALEMENT_SUBMITTED, {"external_ref": "x", "person": "nobody"})
    huge = inbound_event("OAI", types.SIGNALEMENT_SUBMITTED, {"external_ref": "huge", "summary": "x" * 1_000_100})
    async with TopicReader(bootstrap, outbound("OAI")) as answers, \
            TopicReader(bootstrap, dead_letter("reporting"), dead_letter("measures")) as dead, \
            InstitutionClient(bootstrap) as oai:
        same_partition = "poison"
        await oai.send(inbound("OAI"), b"{\"specversion\": ", key=same_partition)
        await oai.send(inbound("OAI"), wrong_schema, key=same_partition)
        await oai.send(inbound("OAI"), huge, key=same_partition)
        # An unreadable record on an internal topic: every consumer of it dead-letters it and moves on.
        await oai.send("cii.internal.signalement.v1", b"garbage", key=same_partition)
        valid["source"] = "/institutions/OAI"
        await oai.send(inbound("OAI"), valid, key=same_partition)
        await answers.wait_for(lambda r: r["value"]["data"].get("event_id") == valid["id"], timeout=60)
        rejected = [r["value"]["data"] for r in answers.records if r["value"]["type"] == types.EVENT_REJECTED]
        assert any(a["event_id"] is None and "malformed JSON" in a["errors"][0]["message"] for a in rejected)
        assert any(a["event_id"] == wrong_schema["id"] and any(e["field"] == "data.person" for e in a["errors"])
                   for a in rejected)
        assert any("exceeds the limit" in a["errors"][0]["message"] for a in rejected)
        records = await dead.wait_for(lambda r: r["value"] == {"raw": b"garbage"}, count=2, timeout=60)
        assert all(r["headers"]["x-error-type"] for r in records)
    assert await asyncio.to_thread(situations_of_year, platform, year) == {key}


async def test_no_data_is_delivered_after_a_revocation_that_overtakes_requests_in_flight(
        platform: LocalPlatform) -> None:
    work = build_workload(YEARS["revocation"], announcements=4)
    [(_, signed, procuration_id)] = [e for e in work.events if e[1]["type"] == types.PROCURATION_SIGNED]
    avs = signed["data"]["person"]["avs_number"]
    bootstrap = platform.infra.kafka_bootstrap
    requests = [inbound_event("CMS", types.EXCHANGE_REQUESTED, {
        "request_id": f"req-{uuid.uuid4()}", "provider": "ORP", "person": {"avs_number": avs},
        "categories": ["EMPLOYMENT"], "purpose": "CII_COORDINATION"}) for _ in range(5)]
    async with TopicReader(bootstrap, outbound("ORP")) as to_orp, TopicReader(bootstrap, outbound("CMS")) as to_cms, \
            InstitutionClient(bootstrap) as client:
        await client.send(inbound("ORP"), signed, key=procuration_id)
        await to_orp.wait_for(lambda r: r["value"]["data"].get("event_id") == signed["id"], timeout=60)
        for request in requests:
            await client.send(inbound("CMS"), request, key=request["data"]["request_id"])
        await to_orp.wait_for(lambda r: r["value"]["type"] == types.EXCHANGE_FULFIL, count=len(requests), timeout=60)
        revoked = inbound_event("ORP", types.PROCURATION_REVOKED, {
            "procuration_id": procuration_id, "revoked_on": time.strftime("%Y-%m-%d"), "reason": "retrait"})
        await client.send(inbound("ORP"), revoked, key=procuration_id)
        await to_orp.wait_for(lambda r: r["value"]["data"].get("event_id") == revoked["id"], timeout=60)
        for request in requests:
            provided = inbound_event("ORP", types.EXCHANGE_PROVIDED, {
                "request_id": request["data"]["request_id"], "sections": {"EMPLOYMENT": {"employer": "ACME SA"}}})
            await client.send(inbound("ORP"), provided, key=request["data"]["request_id"])
        denied = await to_cms.wait_for(lambda r: r["value"]["type"] == types.EXCHANGE_DENIED,
                                       count=len(requests), timeout=60)
        await asyncio.sleep(2)
        await to_cms.poll(1.0)
    assert not [r for r in to_cms.records if r["value"]["type"] == types.EXCHANGE_DELIVERED]
    assert {r["value"]["data"]["request_id"] for r in denied} == {r["data"]["request_id"] for r in requests}


async def test_replaying_the_topics_from_the_beginning_changes_no_state(platform: LocalPlatform) -> None:
    work = build_workload(YEARS["replay"], announcements=60)
    async with answer_readers(platform) as answers:
        round_tables = round_tables_during_the_load(platform, work, DRAIN_SECONDS)
        await publish(platform, work)
        await assert_one_answer_each(answers, work)
        await round_tables
    await asyncio.to_thread(assert_exactly_once, platform, work)
    before = annual_total(platform, work.year), annual_round_tables(platform, work.year)
    for name in ("signalement", "reporting", "measures"):
        platform.services[name].stop()
    await platform_reset_offsets(platform, ("cii-signalement", "cii-reporting", "cii-reporting-internal",
                                            "cii-measures-situations", "cii-measures-procuration"))
    for name in ("signalement", "reporting", "measures"):
        await asyncio.to_thread(platform.start_service, name)
    await asyncio.sleep(10)  # let the replay run through the topics
    await asyncio.to_thread(assert_exactly_once, platform, work)
    assert (annual_total(platform, work.year), annual_round_tables(platform, work.year)) == before
    with platform.client("signalement", officer(platform)) as client:
        assert client.get("/readyz").status_code == 200


async def platform_reset_offsets(platform: LocalPlatform, groups: tuple[str, ...]) -> None:
    """Forget the consumer groups' committed offsets: they restart from the earliest record."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=platform.infra.kafka_bootstrap)
    await admin.start()
    try:
        existing = {group for group, _ in await admin.list_consumer_groups()}
        for _ in range(30):  # the stopped members leave the group asynchronously
            try:
                await admin.delete_consumer_groups([g for g in groups if g in existing])
                return
            except Exception:
                await asyncio.sleep(1)
    finally:
        await admin.close()
