"""The quarterly follow-up of an open complex situation WITHOUT a running measure, through the running
services (seed 001, sections 5.3 and 5.4): its REVIEW_DUE alert is raised three months after triage,
only the coordinator of its region reviews it, a bad date is refused naming the field, and the review
clears the alert and announces the next due date."""

from datetime import UTC, datetime

import pytest
from measures_helpers import call, client, events_of, publish_situation, situation_recorded, wait_until

from cii_platform.contracts import internal_measures as ev
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.envelope import new_event, platform_source
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


async def triaged_complex_on(upstream: InstitutionClient, situation_id: str, triaged_at: datetime) -> None:
    payload = signalement.SituationTriaged(situation_id=situation_id, decision="ACCEPT_COMPLEX",
                                           triaged_at=triaged_at, triaged_by="coord-sion", status="TRIAGED")
    event = new_event(signalement.SITUATION_TRIAGED, platform_source("signalement"), payload)
    await upstream.send(SIGNALEMENT_EVENTS, event.model_dump(mode="json", exclude_none=True), key=situation_id)


async def test_an_open_complex_situation_without_measure_is_reviewed_quarterly(
        measures_platform: LocalPlatform, upstream: InstitutionClient, measures_events: TopicReader) -> None:
    situation = situation_recorded(region="SION")
    await publish_situation(upstream, situation)
    # Triaged on 1 May 2026; the service's today is 30 September 2026: the review was due on 1 August.
    await triaged_complex_on(upstream, situation.situation_id, datetime(2026, 5, 1, 9, tzinfo=UTC))
    coordinator = client(measures_platform, "BUREAU", "coordinator", region="SION")
    path = f"/api/v1/alerts?situation_id={situation.situation_id}&kind={ev.REVIEW_DUE}"

    async def review_due() -> list[dict[str, object]]:
        response = await call(coordinator, "GET", path)
        assert response.status_code == 200, response.text
        return list(response.json()["items"])

    [alert] = await wait_until(review_due, timeout=60)
    assert alert["due_on"] == "2026-08-01" and alert["measure_id"] is None

    review = f"/api/v1/situations/{situation.situation_id}/reviews"
    other_region = client(measures_platform, "BUREAU", "coordinator", region="MONTHEY")
    assert (await call(other_region, "POST", review, {"reviewed_on": "2026-09-28"})).status_code == 404
    field_worker = client(measures_platform, "ORP", "field_worker")
    assert (await call(field_worker, "POST", review, {"reviewed_on": "2026-09-28"})).status_code in (403, 404)
    too_early = await call(coordinator, "POST", review, {"reviewed_on": "2026-04-01"})
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["field"] == "reviewed_on"
    assert await review_due(), "a refused review changed nothing: the alert stays"

    reviewed = await call(coordinator, "POST", review, {"reviewed_on": "2026-09-28"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["next_review_due_on"] == "2026-12-28"
    [announced] = await events_of(measures_events, ev.SITUATION_REVIEWED, situation_id=situation.situation_id)
    assert announced["next_review_due_on"] == "2026-12-28"

    async def cleared() -> bool:
        return not await review_due()

    assert await wait_until(cleared, timeout=30)
