"""`python -m reporting rebuild`: drop the projection and replay the internal topics from the beginning.

Run with the reporting service stopped (`make rebuild-reporting` stops and restarts it). The replay reads
every partition up to the end offsets seen at its start, appends the facts in bulk (deduplicated by
event identity, like the live consumer), then moves the live consumer group to those offsets, so the
service resumes exactly after what was replayed. Internal topics keep their history forever
(retention.ms=-1); inbound topics are never replayed: caseload snapshots come back from
REPORTING_EVENTS, where reporting republished them pseudonymised.
"""

from aiokafka import AIOKafkaConsumer

from cii_platform.contracts.topics import topic_specs
from cii_platform.messaging.topics_admin import ensure_topics
from cii_platform.reference import load_reference_data
from cii_platform.store import create_mongo_client

from ...adapters.event_facts import logged_fact_of_record
from ...adapters.kafka_replay import InternalTopicsHistory, assert_group_idle
from ...adapters.mongo_projection_log import PROJECTION_LOG, MongoProjectionLog
from ...config import Settings
from ...service_layer.rebuild import RebuildSummary, replay


async def run_rebuild(settings: Settings) -> RebuildSummary:
    group = f"cii-{settings.projection_consumer}"
    reference = load_reference_data(settings.reference_data_file)
    await ensure_topics(settings.kafka_bootstrap_servers, topic_specs(
        sorted(reference.institution_codes), inbound_retention_days=settings.inbound_retention_days,
        partitions=settings.topic_partitions))
    await assert_group_idle(settings.kafka_bootstrap_servers, group)
    mongo = create_mongo_client(settings.mongodb_url)
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, group_id=group,
                                enable_auto_commit=False, max_partition_fetch_bytes=8 * 1024 * 1024)
    await consumer.start()
    try:
        history = InternalTopicsHistory(consumer)
        await history.open()
        db = mongo[settings.mongodb_database]
        projection_log = MongoProjectionLog(db, PROJECTION_LOG)
        await projection_log.drop()  # only once Kafka answered: a failed start leaves the projection as it was
        await db["inbox"].delete_many({"_id": {"$regex": f"^{settings.projection_consumer}\\|"}})
        summary = await replay(history, logged_fact_of_record, projection_log)
        await consumer.commit(history.ends)
        return summary
    finally:
        await consumer.stop()
        await mongo.close()
