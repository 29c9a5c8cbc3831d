"""What an institution's integrator and an operator see of the running platform: records the official
CloudEvents SDK reads, Swagger UI without internet, logs that are JSON on every line."""

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from datetime import date

import httpx
import pytest

from cii_platform.contracts import types
from cii_platform.contracts.topics import INTERNAL_TOPICS, SERVICES, inbound, outbound, topic_specs
from cii_platform.demo import demo_history, publish_demo_year
from cii_platform.reference import load_reference_data
from cii_platform.testing.cloudevents_sdk import platform_types, read_everything, read_with_the_sdk
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e

DEMO_YEAR = 2003  # a year no other test of this session announces in


async def test_the_official_cloudevents_sdk_reads_every_record_the_platform_produces(platform: LocalPlatform) -> None:
    bootstrap = platform.infra.kafka_bootstrap
    history = demo_history(DEMO_YEAR, scale=0.08)
    revoked = history.procurations[0] if history.procurations else None  # a revocation among the records too
    sent = await publish_demo_year(bootstrap, history, revoked=revoked, revoked_on=date(DEMO_YEAR, 12, 1))
    codes = sorted(load_reference_data().institution_codes)
    outbound_topics = [outbound(code) for code in codes]
    # Wait until every inbound event of the demo year has its answer.
    deadline = time.monotonic() + 240
    while True:
        records = await read_everything(bootstrap, [*outbound_topics, *INTERNAL_TOPICS], quiet_seconds=3)
        answers = [r for r in records if r.topic in outbound_topics
                   and json.loads(r.value)["type"] in (types.EVENT_ACCEPTED, types.EVENT_REJECTED)]
        if len(answers) >= sum(sent.values()) or time.monotonic() > deadline:
            break
    assert len(answers) >= sum(sent.values())
    assert {spec.name for spec in topic_specs(codes)} >= {*outbound_topics, *INTERNAL_TOPICS}

    seen = read_with_the_sdk(records)
    print(f"\nCloudEvents SDK read {len(records)} records: {dict(sorted(seen.items()))}")
    # Every type seen is one the platform documents, and the load covered answers and every service's facts.
    assert set(seen) <= platform_types()
    assert types.EVENT_ACCEPTED in seen
    produced_by = {r.topic for r in records if r.topic in INTERNAL_TOPICS}
    assert {"cii.internal.signalement.v1", "cii.internal.reporting.v1"} <= produced_by


async def test_an_inbound_record_in_binary_mode_is_rejected_and_changes_nothing(platform: LocalPlatform) -> None:
    bootstrap = platform.infra.kafka_bootstrap
    data = {"external_ref": "binary-mode-1"}
    async with TopicReader(bootstrap, outbound("ORP")) as answers, InstitutionClient(bootstrap) as orp:
        await orp.send(inbound("ORP"), data, key="binary-mode-1", headers={
            "ce_specversion": "1.0", "ce_id": "binary-1", "ce_source": "/institutions/ORP",
            "ce_type": types.SIGNALEMENT_SUBMITTED, "content-type": "application/json"})
        rejected = await answers.wait_for(lambda r: r["value"]["type"] == types.EVENT_REJECTED
                                          and "binary mode" in json.dumps(r["value"]["data"]["errors"]), timeout=90)
    assert rejected[0]["value"]["data"]["event_id"] is None
    with platform.client("signalement", platform.token("ORP", "field_worker")) as client:
        listed = client.get("/api/v1/signalements", params={"limit": 500}).json()
    assert not [s for s in listed["items"] if s.get("external_ref") == "binary-mode-1"]


def test_swagger_ui_renders_without_internet(platform: LocalPlatform) -> None:
    """Chromium with every non-local request sent to a dead proxy: the page renders only if the service
    serves Swagger UI's scripts and styles itself."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Debian's chromium is required (apt-get install -y chromium)"
    for name in SERVICES:
        page = httpx.get(f"{platform.url(name)}/docs")
        assert page.status_code == 200 and "cdn." not in page.text, page.text[:500]
        with tempfile.TemporaryDirectory() as profile:
            result = subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # Loopback is never proxied: only the service's own address is reachable.
                 "--proxy-server=http://127.0.0.1:9",
                 f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom",
                 f"{platform.url(name)}/docs"], capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, result.stderr[-2000:]
        dom = result.stdout
        assert 'class="swagger-ui' in dom, f"{name}: Swagger UI did not render:\n{dom[:2000]}"
        assert "opblock" in dom, f"{name}: no operation rendered:\n{dom[:2000]}"
        assert "/api/v1/" in dom


def test_every_line_of_every_service_log_is_json_with_the_trace_id(platform: LocalPlatform) -> None:
    # Some traffic that logs: a request with a trace context, a 404, a Kafka round trip done above.
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    with platform.client("signalement", platform.token("ORP", "field_worker")) as client:
        client.get("/api/v1/signalements/sit-none",
                   headers={"traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"})
        client.get("/nowhere")
    asyncio.run(asyncio.sleep(1))
    for name in SERVICES:
        lines = (platform.infra.data_dir / "logs" / f"{name}.log").read_text().splitlines()
        assert lines, f"{name}.log is empty"
        not_json = []
        for number, line in enumerate(lines, 1):
            try:
                entry = json.loads(line)
                assert isinstance(entry, dict) and {"time", "level", "logger", "message", "service"} <= set(entry)
            except (ValueError, AssertionError):
                not_json.append(f"{number}: {line[:200]}")
        assert not not_json, f"{name}.log has {len(not_json)} of {len(lines)} lines that are not JSON:\n" + \
            "\n".join(not_json[:20])
        loggers = {json.loads(line)["logger"] for line in lines}
        print(f"\n{name}.log: {len(lines)} JSON lines from {sorted(loggers)}")
    # The request sent with a trace context is logged under that trace id (the access log, inside its span).
    traced = [json.loads(line) for line in
              (platform.infra.data_dir / "logs" / "signalement.log").read_text().splitlines()
              if trace_id in line]
    assert any(entry.get("trace_id") == trace_id and entry.get("route") == "/api/v1/signalements/{situation_id}"
               for entry in traced), f"no line of signalement.log carries trace id {trace_id}: {traced}"
    assert not any("sit-none" in json.dumps(entry) for entry in traced), "a concrete path reached the log"

