"""The AsyncAPI, JSON Schema and OpenAPI documents are generated from the code, never edited by hand."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.unit


def test_generated_documents_are_up_to_date() -> None:
    result = subprocess.run([sys.executable, "scripts/generate_docs.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_asyncapi_names_every_contract_type_on_its_channel() -> None:
    document = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text())
    inbound = document["channels"]["cii_inbound_institution"]["messages"]
    assert {"signalement_submitted_v1", "procuration_signed_v1", "procuration_revoked_v1", "transition_signaled_v1",
            "caseload_snapshot_v1", "exchange_requested_v1", "exchange_provided_v1"} <= set(inbound)
    outbound = document["channels"]["cii_outbound_institution"]["messages"]
    assert {"event_accepted_v1", "event_rejected_v1", "exchange_fulfil_v1", "exchange_delivered_v1",
            "exchange_denied_v1"} <= set(outbound)
    envelope = document["components"]["messages"]["signalement_submitted_v1"]["payload"]
    assert envelope["properties"]["data"]["$ref"].endswith("/SignalementSubmitted")
    assert "avs_number" in document["components"]["schemas"]["AnnouncedPerson"]["properties"]


def test_every_event_type_a_service_declares_is_in_the_catalog() -> None:
    from cii_platform.contracts import internal_measures, internal_procuration, internal_reporting, internal_signalement
    from cii_platform.contracts.catalog import catalog

    catalogued = {entry.type for entry in catalog()}
    for module in (internal_signalement, internal_measures, internal_procuration, internal_reporting):
        declared = {value for name, value in vars(module).items()
                    if name.isupper() and isinstance(value, str) and value.startswith("ch.vs.cii.")}
        assert declared <= catalogued, f"{module.__name__} declares types missing from EVENTS: {declared - catalogued}"


def test_asyncapi_lists_every_dead_letter_topic_with_its_headers() -> None:
    from cii_platform.contracts.topics import SERVICES, dead_letter, topic_specs
    from cii_platform.messaging.reliable import DEAD_LETTER_HEADERS

    document = yaml.safe_load((ROOT / "docs" / "asyncapi.yaml").read_text())
    addresses = {channel["address"]: (channel_id, channel) for channel_id, channel in document["channels"].items()}
    created = {spec.name for spec in topic_specs(["ORP"])}
    for service in SERVICES:
        assert dead_letter(service) in created
        channel_id, channel = addresses[dead_letter(service)]
        assert list(channel["messages"]) == ["dead_letter"]
        sent = [op for op in document["operations"].values()
                if op["channel"]["$ref"] == f"#/channels/{channel_id}" and op["action"] == "send"]
        assert sent, f"no operation sends on {dead_letter(service)}"
    headers = document["components"]["messages"]["dead_letter"]["headers"]
    assert set(headers["required"]) == set(DEAD_LETTER_HEADERS) >= {"x-original-topic", "x-error-type"}
