"""One generated data set (2023 and 2024), published once per session through the real Kafka.

On top of the generated volumes it holds the awkward cases: a re-announced situation (version 2 moves
it to another region), events delivered twice, a caseload snapshot replaced by a later complete one, an
incomplete later snapshot that must not count, and a snapshot with a wrong AVS number (rejected).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.internal_signalement import SITUATION_RECORDED
from cii_platform.contracts.topics import REPORTING_EVENTS, SIGNALEMENT_EVENTS, inbound, outbound
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.testing.generator import (
    Caseload,
    History,
    HistoryGenerator,
    internal_events,
    situation_recorded,
)
from cii_platform.testing.generator.events import emit
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform

CHUNK = 100


@dataclass
class PublishedDataset:
    history: History  # both years, as they are true after every correction
    caseloads: dict[int, list[Caseload]]  # the snapshots that count, per year
    rejected: list[dict[str, Any]]  # answers to the snapshot with a wrong AVS number
    reannounced_id: str


def generate() -> tuple[History, History]:
    return HistoryGenerator(seed=24, prefix="y24").year(2024, scale=0.2), \
        HistoryGenerator(seed=23, prefix="y23").year(2023, scale=0.05)


async def publish_dataset(platform: LocalPlatform, pseudonymizer: Pseudonymizer) -> PublishedDataset:
    current, previous = generate()
    history = History()
    history.extend(previous)
    history.extend(current)
    pseudonym = pseudonymizer.person
    records = [r for r in internal_events(history, pseudonym) if r[0] != REPORTING_EVENTS]
    moved = next(s for s in current.situations if s.public == "ADULT" and s.situation_type == "COMPLEX")
    moved.person.region = "HAUT_VALAIS" if moved.person.region != "HAUT_VALAIS" else "MONTHEY"
    records.append(emit(SIGNALEMENT_EVENTS, moved.situation_id, SITUATION_RECORDED, "signalement",
                                  situation_recorded(moved, pseudonym, version=2), moved.situation_id, "2"))
    async with InstitutionClient(platform.infra.kafka_bootstrap) as client:
        for topic, key, event in records + records[:40]:  # the first 40 twice: delivered again
            await client.send(topic, event.model_dump(mode="json", exclude_none=True), key)
        rejected = await send_caseloads(client, platform, current, previous)
    return PublishedDataset(history, {2024: current.caseloads, 2023: previous.caseloads}, rejected,
                            moved.situation_id)


async def send_snapshot(client: InstitutionClient, reader: TopicReader, caseload: Caseload,
                        chunks: list[list[str]] | None = None, total: int | None = None) -> None:
    parts = chunks if chunks is not None else caseload.chunks(CHUNK)
    ids = []
    for index, persons in enumerate(parts, start=1):
        event = inbound_event(caseload.institution, types.CASELOAD_SNAPSHOT, {
            "snapshot_id": caseload.snapshot_id, "year": caseload.year, "chunk": index,
            "chunks": total or len(parts), "persons": persons})
        ids.append(event["id"])
        await client.send(inbound(caseload.institution), event, caseload.snapshot_id)
    for event_id in ids:  # answered: recorded before anything sent later
        await reader.wait_for(answering(event_id), timeout=60)


def answering(event_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda record: (record["value"].get("data") or {}).get("event_id") == event_id


async def send_caseloads(client: InstitutionClient, platform: LocalPlatform, current: History,
                         previous: History) -> list[dict[str, Any]]:
    institutions = sorted({c.institution for c in current.caseloads + previous.caseloads})
    async with TopicReader(platform.infra.kafka_bootstrap, *[outbound(i) for i in institutions]) as reader:
        orp = next(c for c in current.caseloads if c.institution == "ORP")
        outdated = Caseload("ORP", "y24-snap-outdated", 2024, [format_avs(f"75699990{i:04d}") for i in range(30)])
        await send_snapshot(client, reader, outdated)
        for caseload in previous.caseloads + current.caseloads:
            await send_snapshot(client, reader, caseload)
        cms = next(c for c in current.caseloads if c.institution == "CMS")
        partial = Caseload("CMS", "y24-snap-partial", 2024, orp.persons[:40])
        await send_snapshot(client, reader, partial, chunks=[partial.persons], total=2)
        bad = inbound_event("OAI", types.CASELOAD_SNAPSHOT, {"snapshot_id": "y24-snap-bad", "year": 2024,
                                                             "chunk": 1, "chunks": 1,
                                                             "persons": [cms.persons[0], "756.1234.5678.90"]})
        await client.send(inbound("OAI"), bad, "y24-snap-bad")
        await reader.wait_for(lambda r: (r["value"].get("data") or {}).get("event_id") == bad["id"], timeout=60)
        return reader.answers_to(bad["id"])


def wait_for_report(platform: LocalPlatform, token: str, year: int, expected: dict[str, Any],
                    timeout: float = 120.0) -> dict[str, Any]:
    """The report once the service has caught up (or the last one seen, for the assertion's diff)."""
    deadline = time.monotonic() + timeout
    with platform.client("reporting", token) as http:
        while True:
            report = http.get(f"/api/v1/reports/annual/{year}").raise_for_status().json()
            if normalised(report) == normalised(expected) or time.monotonic() > deadline:
                return report
            time.sleep(0.5)


def normalised(report: dict[str, Any]) -> Any:
    """Rounded floats and zero cells dropped from the two-level table (docs/contract.md lets them out)."""
    if isinstance(report, dict):
        return {k: normalised(v) for k, v in report.items() if not (isinstance(v, int) and v == 0 and k in REGIONS)}
    if isinstance(report, float):
        return round(report, 9)
    return report


REGIONS = {"HAUT_VALAIS", "SIERRE", "SION", "MARTIGNY", "MONTHEY"}


def get(platform: LocalPlatform, token: str, path: str, **params: Any) -> httpx.Response:
    with platform.client("reporting", token) as http:
        return http.get(path, params=params)
