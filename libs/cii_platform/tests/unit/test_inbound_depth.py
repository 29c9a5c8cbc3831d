"""Deeply nested JSON on an inbound topic is refused before parsing (issue 12, finding 6)."""

import json
from typing import Any

import pytest

from cii_platform.messaging.inbound import MAX_JSON_DEPTH, InboundGateway, Rejection, json_depth_exceeds
from cii_platform.messaging.publisher import FakeEventPublisher
from cii_platform.messaging.reliable import RecordInfo

pytestmark = pytest.mark.unit


def test_depth_is_counted_outside_strings_only():
    assert json_depth_exceeds(b"[" * 2000 + b"]" * 2000, MAX_JSON_DEPTH)
    assert not json_depth_exceeds(json.dumps({"a": [{"b": 1}]}).encode(), MAX_JSON_DEPTH)
    in_a_string = json.dumps({"text": "[" * 500 + '\\" {{{'}).encode()
    assert not json_depth_exceeds(in_a_string, MAX_JSON_DEPTH)
    assert json_depth_exceeds(b"{" * 33, 32) and not json_depth_exceeds(b"{" * 32, 32)


def test_the_gateway_rejects_it_as_unreadable_instead_of_raising_recursion_error():
    gateway = InboundGateway("signalement", {}, publisher=FakeEventPublisher(), inbox=None,  # type: ignore[arg-type]
                             runner=None, known_institutions=set, max_message_bytes=1_000_000,  # type: ignore[arg-type]
                             owns_envelope=True)
    record = RecordInfo("cii.inbound.orp", 0, 0, None, b"[" * 2000 + b"]" * 2000, {})
    with pytest.raises(Rejection) as caught:
        gateway._read(record, "ORP")
    rejection: Any = caught.value
    assert rejection.event_id is None and "nested deeper" in rejection.errors[0].message
