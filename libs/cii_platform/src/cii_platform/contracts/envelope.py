"""CloudEvents 1.0 envelope in structured JSON mode (docs/contract.md section 3)."""

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

INSTITUTION_SOURCE_PREFIX = "/institutions/"
PLATFORM_SOURCE_PREFIX = "/cii/"


class CloudEvent(BaseModel):
    """The envelope alone; `data` is validated separately against the payload model of `type`,
    so that errors name `data.<field>` exactly as docs/contract.md asks."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"]
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    data: dict[str, Any]


def institution_source(code: str) -> str:
    return f"{INSTITUTION_SOURCE_PREFIX}{code.upper()}"


def platform_source(service: str) -> str:
    return f"{PLATFORM_SOURCE_PREFIX}{service}"


def new_event(event_type: str, source: str, data: BaseModel | dict[str, Any], *,
              event_id: str | None = None, time: datetime | None = None) -> CloudEvent:
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return CloudEvent(
        specversion="1.0",
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=event_type,
        time=time or datetime.now(UTC),
        data=payload,
    )


def derived_event_id(*parts: str) -> str:
    """A deterministic id for an event caused by another one (an answer, a re-publication),
    so a redelivery produces the same id and downstream consumers dedupe it."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "cii:" + "|".join(parts)))


def encode_event(event: CloudEvent) -> bytes:
    return event.model_dump_json().encode("utf-8")
