"""The consent-gated exchange (policy enforcement point): what may travel, whatever the provider sends."""

import hashlib
import json
from collections.abc import Iterable
from enum import StrEnum
from typing import Any


class ExchangeStatus(StrEnum):
    AWAITING_PROVIDER = "AWAITING_PROVIDER"  # fulfil sent, waiting for exchange.provided
    DELIVERED = "DELIVERED"
    DENIED = "DENIED"                        # nothing permitted at request or at delivery time
    TIMED_OUT = "TIMED_OUT"


def permitted_sections(sections: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """Only the categories permitted both at request and at delivery time; the rest is dropped."""
    allowed_set = set(allowed)
    return {category: body for category, body in sections.items() if category in allowed_set}


def section_digests(sections: dict[str, Any]) -> dict[str, str]:
    """What the platform keeps of a delivered section: its SHA-256, never its content."""
    return {category: hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                                default=str).encode()).hexdigest()
            for category, body in sections.items()}
