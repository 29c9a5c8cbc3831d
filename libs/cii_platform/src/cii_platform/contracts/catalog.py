"""Every event type with its payload model and channel: the source of the AsyncAPI document.

Internal modules list their own types in `EVENTS` (type -> model); inbound and outbound types are the
contract's. `scripts/generate_docs.py` turns this catalog into docs/asyncapi.yaml and JSON Schemas.
"""

from dataclasses import dataclass
from types import ModuleType

from pydantic import BaseModel

from . import (
    inbound,
    internal_measures,
    internal_procuration,
    internal_reporting,
    internal_signalement,
    outbound,
)
from . import topics as t
from . import types as ty

Model = type[BaseModel]


@dataclass(frozen=True)
class CatalogEntry:
    type: str
    model: Model
    channel: str  # a topic, or a topic pattern with {institution}
    publisher: str  # who writes it
    summary: str


INBOUND_CHANNEL = t.INBOUND_PREFIX + "{institution}"
OUTBOUND_CHANNEL = t.OUTBOUND_PREFIX + "{institution}"

_OUTBOUND: dict[str, tuple[Model, str]] = {
    ty.EVENT_ACCEPTED: (outbound.EventAccepted, "an inbound event was applied"),
    ty.EVENT_REJECTED: (outbound.EventRejected, "an inbound event was rejected, with every invalid field"),
    ty.EXCHANGE_FULFIL: (outbound.ExchangeFulfil, "a data-exchange request to fulfil (permitted categories only)"),
    ty.EXCHANGE_DELIVERED: (outbound.ExchangeDelivered, "data delivered under a procuration"),
    ty.EXCHANGE_DENIED: (outbound.ExchangeDenied, "a data-exchange request denied"),
    ty.SITUATION_CLOSED: (outbound.SituationClosedNotice, "a situation the institution announced or co-follows ended"),
}

_INTERNAL: list[tuple[ModuleType, str, str]] = [
    (internal_signalement, t.SIGNALEMENT_EVENTS, "signalement"),
    (internal_measures, t.MEASURES_EVENTS, "measures"),
    (internal_procuration, t.PROCURATION_EVENTS, "procuration"),
    (internal_reporting, t.REPORTING_EVENTS, "reporting"),
]


def _doc(model: type[BaseModel]) -> str:
    return (model.__doc__ or model.__name__).strip().splitlines()[0]


def catalog() -> list[CatalogEntry]:
    entries = [CatalogEntry(name, model, INBOUND_CHANNEL, "institution", _doc(model))
               for name, model in inbound.INBOUND_PAYLOADS.items()]
    entries += [CatalogEntry(name, model, OUTBOUND_CHANNEL, "platform", summary)
                for name, (model, summary) in _OUTBOUND.items()]
    for module, topic, service in _INTERNAL:
        events: dict[str, type[BaseModel]] = getattr(module, "EVENTS", {})
        outbound_types: dict[str, type[BaseModel]] = getattr(module, "OUTBOUND_EVENTS", {})
        entries += [CatalogEntry(name, model, topic, service, _doc(model)) for name, model in events.items()]
        entries += [CatalogEntry(name, model, OUTBOUND_CHANNEL, service, _doc(model))
                    for name, model in outbound_types.items()]
    return entries
