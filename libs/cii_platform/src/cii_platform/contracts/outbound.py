"""Payloads the platform sends to institutions (docs/contract.md sections 3 and 6)."""

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from .codes import DataCategory, Purpose
from .inbound import PersonRef


class Outbound(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FieldError(Outbound):
    field: str
    message: str


class EventAccepted(Outbound):
    event_id: str
    type: str
    resource_id: str


class EventRejected(Outbound):
    event_id: str | None
    type: str | None
    errors: list[FieldError]


class ExchangeFulfil(Outbound):
    request_id: str
    requester: str
    person: PersonRef
    categories: list[DataCategory]
    purpose: Purpose
    procuration_id: str


class ExchangeDelivered(Outbound):
    request_id: str
    provider: str
    sections: dict[DataCategory, dict[str, Any]]


class ExchangeDenied(Outbound):
    request_id: str
    denied_categories: list[DataCategory]
    reason: str


class SituationClosedNotice(Outbound):
    """A situation the institution announced, co-follows or took part in was closed (codes and dates only).
    `external_ref` only for the institution that announced it; `outcome` from the closing measure."""

    situation_id: str
    external_ref: str | None = None
    closed_on: date
    outcome: Literal["REINSERTION", "NO_REINSERTION"] | None = None
