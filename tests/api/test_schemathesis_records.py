"""After schemathesis wrote through every route (measures, procurations, decisions, triage, erasures...),
the official CloudEvents SDK reads every record the platform produced on its topics."""

import asyncio

import pytest

from cii_platform.contracts.topics import INTERNAL_TOPICS, outbound
from cii_platform.reference import load_reference_data
from cii_platform.testing.cloudevents_sdk import platform_types, read_everything, read_with_the_sdk
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e


def test_the_cloudevents_sdk_reads_what_the_api_traffic_produced(platform: LocalPlatform) -> None:
    topics = [*(outbound(code) for code in sorted(load_reference_data().institution_codes)), *INTERNAL_TOPICS]
    records = asyncio.run(read_everything(platform.infra.kafka_bootstrap, topics, quiet_seconds=5))
    seen = read_with_the_sdk(records)
    print(f"\nCloudEvents SDK read {len(records)} records of {len(seen)} types: {dict(sorted(seen.items()))}")
    assert records and set(seen) <= platform_types()
