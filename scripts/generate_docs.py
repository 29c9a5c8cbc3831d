"""Generate docs/asyncapi.yaml, docs/schemas/*.json and docs/openapi/*.json from the code.

Never edit those files by hand: `make docs` rewrites them, and a test fails when they are stale.
    python scripts/generate_docs.py [--check]
"""

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from cii_platform.contracts.catalog import INBOUND_CHANNEL, OUTBOUND_CHANNEL, CatalogEntry, catalog
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.topics import SERVICES, dead_letter
from cii_platform.messaging.reliable import DEAD_LETTER_HEADERS
from cii_platform.security.keys import init_local_keys

DOCS = Path(__file__).resolve().parents[1] / "docs"
REF_TEMPLATE = "#/components/schemas/{model}"


def _message_name(event_type: str) -> str:
    return event_type.removeprefix("ch.vs.cii.").replace(".", "_")


def _channel_id(address: str) -> str:
    return address.replace(".", "_").replace("{", "").replace("}", "")


def _envelope(entry: CatalogEntry) -> dict[str, Any]:
    schema = CloudEvent.model_json_schema(ref_template=REF_TEMPLATE)
    schema.pop("title", None)
    schema["properties"]["type"] = {"const": entry.type}
    schema["properties"]["data"] = {"$ref": REF_TEMPLATE.format(model=entry.model.__name__)}
    return schema


DEAD_LETTER_MESSAGE = "dead_letter"


def dead_letter_channels(channels: dict[str, Any], messages: dict[str, Any]) -> None:
    """`cii.deadletter.<service>`: where a service puts a record it gave up on, for operators to inspect and
    replay. The value is the original record's, byte for byte (often not JSON: that may be why it is there)."""
    messages[DEAD_LETTER_MESSAGE] = {
        "name": "dead letter", "title": "A record a service gave up on",
        "summary": "The original record (value, key and headers unchanged) after the handler failed "
                   "CII_HANDLER_MAX_ATTEMPTS times with a non-transient error, with headers naming the error.",
        "contentType": "application/octet-stream",
        "headers": {"type": "object", "required": sorted(DEAD_LETTER_HEADERS),
                    "properties": {name: {"type": "string", "description": description}
                                   for name, description in DEAD_LETTER_HEADERS.items()}},
        "payload": {"description": "the original record's value, unchanged (any bytes)"},
    }
    for service in SERVICES:
        address = dead_letter(service)
        channels[_channel_id(address)] = {
            "address": address,
            "description": f"records the {service} service could not handle (retention 90 days); read by operators",
            "messages": {DEAD_LETTER_MESSAGE: {"$ref": f"#/components/messages/{DEAD_LETTER_MESSAGE}"}}}


def asyncapi() -> dict[str, Any]:
    entries = catalog()
    models: list[tuple[type[BaseModel], Any]] = [(e.model, "validation") for e in entries]
    _, definitions = models_json_schema(list(dict.fromkeys(models)), ref_template=REF_TEMPLATE)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for entry in entries:
        name = _message_name(entry.type)
        messages[name] = {"name": entry.type, "title": entry.type, "summary": entry.summary,
                          "contentType": "application/json", "payload": _envelope(entry)}
        channel_id = _channel_id(entry.channel)
        channel = channels.setdefault(channel_id, {"address": entry.channel, "messages": {}})
        if "{institution}" in entry.channel:
            channel["parameters"] = {"institution": {"description": "lower-case institution code, e.g. orp"}}
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    dead_letter_channels(channels, messages)
    for channel_id, channel in channels.items():
        action = "receive" if channel["address"] == OUTBOUND_CHANNEL else "send"
        if channel["address"] == INBOUND_CHANNEL:
            action = "send"
        operations[f"{channel_id}_{action}"] = {
            "action": action, "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in channel["messages"]]}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "CII Valais platform events", "version": "1.0.0",
                 "description": "Generated from the Pydantic models by scripts/generate_docs.py; do not edit. "
                                "Every message is a CloudEvents 1.0 event in structured JSON mode."},
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": channels, "operations": operations,
        "components": {"messages": messages, "schemas": definitions.get("$defs", {})},
    }


def openapi(service: str) -> dict[str, Any] | None:
    try:
        app_module = importlib.import_module(f"{service}.entrypoints.http.app")
        config = importlib.import_module(f"{service}.config")
    except ImportError:
        return None
    app = app_module.create_app(config.Settings())
    document: dict[str, Any] = app.openapi()
    return document


def rendered() -> dict[Path, str]:
    # Building an app reads local keys: give it throw-away ones, so a fresh clone can generate the documents.
    keys_home = Path(tempfile.mkdtemp(prefix="cii-docs-"))
    init_local_keys(keys_home / "keys")
    os.environ["CII_DATA_DIR"] = str(keys_home)
    files = {DOCS / "asyncapi.yaml": yaml.safe_dump(asyncapi(), sort_keys=False, allow_unicode=True, width=120)}
    for entry in catalog():
        schema = entry.model.model_json_schema()
        files[DOCS / "schemas" / f"{entry.type}.json"] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    for service in SERVICES:
        document = openapi(service)
        if document is not None:
            files[DOCS / "openapi" / f"{service}.json"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a generated file differs")
    args = parser.parse_args()
    stale = []
    for path, content in rendered().items():
        if args.check:
            if not path.exists() or path.read_text() != content:
                stale.append(str(path))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    if stale:
        print("stale generated documents (run `make docs`):\n  " + "\n  ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
