"""The whole way: a demo year published on the institutions' inbound topics, announced through the real
signalement service (with procuration for the keys), appears in reporting's annual report."""

import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from reporting_dataset import get, normalised
from reporting_expectations import FIRST_CIRCLE, expected_follow_up

from cii_platform.contracts import types
from cii_platform.contracts.topics import outbound
from cii_platform.demo import demo_history, publish_demo_year
from cii_platform.testing.kafka_client import TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e
YEAR, SCALE = 2025, 0.04


async def test_a_demo_year_announced_through_kafka_is_in_the_annual_report(
        reporting_platform: LocalPlatform, bureau_token: str) -> None:
    for name in ("procuration", "signalement"):
        reporting_platform.start_service(name)
    history = demo_history(YEAR, scale=SCALE)
    announced = [s for s in history.situations if s.institution != "PRIVATE"]
    senders = sorted({s.institution for s in announced} | {c.institution for c in history.caseloads})
    async with TopicReader(reporting_platform.infra.kafka_bootstrap, *[outbound(i) for i in senders]) as reader:
        sent = await publish_demo_year(reporting_platform.infra.kafka_bootstrap, history, revoked=None,
                                       revoked_on=date(YEAR, 12, 1))
        assert sent[types.SIGNALEMENT_SUBMITTED] == len(announced)
        answers = await reader.wait_for(lambda r: r["value"].get("data", {}).get("type") in (
            types.SIGNALEMENT_SUBMITTED, types.CASELOAD_SNAPSHOT), count=len(announced) + len(history.caseloads),
            timeout=120)
    rejected = [a["value"]["data"] for a in answers if a["value"]["type"] == types.EVENT_REJECTED]
    assert rejected == []

    adults = [s for s in announced if s.public == "ADULT" and s.situation_type == "COMPLEX"]
    young = [s for s in announced if s.public == "YOUNG"]
    report = wait_until(reporting_platform, bureau_token, lambda r: r["adult_complex"]["total"] == len(adults)
                        and r["young"]["total"] == len(young))
    assert report["adult_complex"]["by_institution"] == dict(sorted(Counter(s.institution for s in adults).items()))
    assert report["young"]["first_circle"] == sum(1 for s in young if s.institution in FIRST_CIRCLE)
    assert report["profile"]["mean_age"] == pytest.approx(sum(s.age for s in adults) / len(adults))
    assert normalised(report["simultaneous_follow_up"]) == normalised(expected_follow_up(history.caseloads))


def wait_until(platform: LocalPlatform, token: str, done: Callable[[dict[str, Any]], bool],
               timeout: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        report: dict[str, Any] = get(platform, token, f"/api/v1/reports/annual/{YEAR}").json()
        if done(report) or time.monotonic() > deadline:
            return report
        time.sleep(0.5)
