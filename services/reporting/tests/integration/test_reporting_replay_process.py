"""`python -m reporting rebuild` drops the projection and replays the internal topics: the same report,
figure for figure; then the service carries on from where the replay stopped (nothing counted twice)."""

import subprocess
import sys

import pytest
from reporting_dataset import PublishedDataset, get, wait_for_report
from reporting_expectations import expected_report

from cii_platform.contracts.internal_signalement import TRANSITION_RECORDED, TransitionRecorded
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS
from cii_platform.testing.generator import emit
from cii_platform.testing.kafka_client import InstitutionClient
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e
ON = "2024-12-31"


def rebuild(platform: LocalPlatform) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reporting", "rebuild"], env=platform.service_env("reporting"),
                          capture_output=True, text=True, timeout=180)


def snapshot(platform: LocalPlatform, token: str) -> dict[str, object]:
    return {"2023": get(platform, token, "/api/v1/reports/annual/2023").json(),
            "2024": get(platform, token, "/api/v1/reports/annual/2024").json(),
            "csv": get(platform, token, "/api/v1/reports/annual/2024", format="csv").text,
            "dashboard": get(platform, token, "/api/v1/dashboard", on=ON).json()}


async def test_rebuild_reproduces_the_report_figure_for_figure(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    for year in (2023, 2024):
        wait_for_report(reporting_platform, bureau_token, year,
                        expected_report(dataset.history, year, dataset.caseloads[year]))
    before = snapshot(reporting_platform, bureau_token)

    refused = rebuild(reporting_platform)
    assert refused.returncode != 0 and "stop the reporting service" in refused.stderr

    service = reporting_platform.services["reporting"]
    service.stop()
    replayed = rebuild(reporting_platform)
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed" in replayed.stdout and "events/s" in replayed.stdout
    service.start()
    service.wait_ready()
    assert snapshot(reporting_platform, bureau_token) == before

    await publish_one_more_transition(reporting_platform)
    expected = dict(before["2024"]["transitions"])  # type: ignore[index]
    expected["CMS->ORP"] = expected.get("CMS->ORP", 0) + 1
    report = before["2024"] | {"transitions": expected}  # type: ignore[operator]
    assert wait_for_report(reporting_platform, bureau_token, 2024, report, timeout=60) == report


async def publish_one_more_transition(platform: LocalPlatform) -> None:
    payload = TransitionRecorded(transition_id="after-rebuild-1", from_institution="CMS", to_institution="ORP",
                                 signaled_on="2024-11-02", person_pseudonym="p_after_rebuild")
    topic, key, event = emit(SIGNALEMENT_EVENTS, "after-rebuild-1", TRANSITION_RECORDED, "signalement", payload,
                             "after-rebuild-1")
    async with InstitutionClient(platform.infra.kafka_bootstrap) as client:
        await client.send(topic, event.model_dump(mode="json", exclude_none=True), key)
