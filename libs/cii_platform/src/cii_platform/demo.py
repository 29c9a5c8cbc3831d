"""One realistic demo year, published the way institutions do it: CloudEvents on `cii.inbound.<code>`.

    load_demo_year("127.0.0.1:9092", 2025)      # what `cii demo load` runs

About the 2024 report's volumes (80 adult complex situations, 462 young persons, 259 transitions, five
caseload snapshots with overlapping persons), with valid AVS numbers, every region and institution.
Procurations come first (announcements name them), then announcements, transitions, caseloads.
Measures and triage are people's decisions (HTTP), so they are not part of the Kafka load; private
persons' announcements are HTTP only (docs/contract.md 5) and are left out too.
"""

import asyncio
import json
from collections import Counter

from aiokafka import AIOKafkaProducer

from .contracts.topics import topic_specs
from .messaging.topics_admin import ensure_topics
from .reference import load_reference_data
from .testing.generator import HistoryGenerator, inbound_events


async def publish_demo_year(bootstrap: str, year: int, *, scale: float = 1.0,
                            seed: int | None = None) -> dict[str, int]:
    """Publish the year and return how many events of each type were sent."""
    reference = load_reference_data()
    await ensure_topics(bootstrap, topic_specs(sorted(reference.institution_codes)))
    generator = HistoryGenerator(seed=seed if seed is not None else year, prefix=f"demo{year}")
    history = generator.year(year, scale=scale)
    sent: Counter[str] = Counter()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=10)
    await producer.start()
    try:
        for topic, key, event in inbound_events(history):
            await producer.send_and_wait(topic, json.dumps(event).encode(), key=key.encode())
            sent[event["type"]] += 1
    finally:
        await producer.stop()
    return dict(sent)


def load_demo_year(bootstrap: str, year: int, *, scale: float = 1.0) -> dict[str, int]:
    """Synchronous entry point for the CLI."""
    return asyncio.run(publish_demo_year(bootstrap, year, scale=scale))
