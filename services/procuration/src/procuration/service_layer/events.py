"""Domain changes -> internal events on PROCURATION_EVENTS and outbound answers (the edge mapper)."""

from datetime import date, datetime
from typing import Any

from cii_platform.consent.model import Procuration, Status
from cii_platform.contracts import internal_procuration as internal
from cii_platform.contracts import types
from cii_platform.contracts.envelope import CloudEvent, derived_event_id, new_event, platform_source
from cii_platform.contracts.outbound import ExchangeDenied
from cii_platform.contracts.topics import PROCURATION_EVENTS, outbound
from cii_platform.messaging.outbox import outbox_entry

SOURCE = platform_source("procuration")

STATUS_EVENT_TYPES = {
    Status.REVOKED: internal.PROCURATION_REVOKED,
    Status.SUPERSEDED: internal.PROCURATION_SUPERSEDED,
    Status.EXPIRED: internal.PROCURATION_EXPIRED,
    Status.ACTIVE: internal.PROCURATION_EXPIRING,  # still active, expiring soon
}


def _internal(event_type: str, key: str, payload: Any, *id_parts: str) -> dict[str, Any]:
    event = new_event(event_type, SOURCE, payload, event_id=derived_event_id(event_type, *id_parts))
    return outbox_entry(PROCURATION_EVENTS, key, event)


def procuration_recorded(procuration: Procuration) -> dict[str, Any]:
    payload = internal.ProcurationRecorded(
        procuration_id=procuration.procuration_id, person_pseudonym=procuration.person_pseudonym,
        signed_on=procuration.signed_on, valid_from=procuration.valid_from, valid_until=procuration.valid_until,
        parties=sorted(procuration.parties), categories=sorted(procuration.categories),
        purposes=sorted(procuration.purposes), status=procuration.status.value,
        recorded_by=procuration.recorded_by)
    return _internal(internal.PROCURATION_RECORDED, procuration.person_pseudonym, payload,
                     procuration.procuration_id)


def procuration_status(procuration: Procuration, status: Status, effective_on: date,
                       superseded_by: str | None = None) -> dict[str, Any]:
    shown = "EXPIRING" if status is Status.ACTIVE else status.value
    payload = internal.ProcurationStatusEvent(
        procuration_id=procuration.procuration_id, person_pseudonym=procuration.person_pseudonym, status=shown,
        valid_until=procuration.valid_until, effective_on=effective_on, superseded_by=superseded_by)
    return _internal(STATUS_EVENT_TYPES[status], procuration.person_pseudonym, payload,
                     procuration.procuration_id, shown, superseded_by or "")


def person_erased(person_pseudonym: str, erased_at: datetime) -> dict[str, Any]:
    payload = internal.PersonErased(person_pseudonym=person_pseudonym, erased_at=erased_at)
    return _internal(internal.PERSON_ERASED, person_pseudonym, payload, person_pseudonym)


def exchange_awaiting(document: dict[str, Any]) -> dict[str, Any]:
    """Internal: a permitted request waits for its provider (pseudonym and codes only, no AVS number)."""
    payload = internal.ExchangeAwaiting(
        request_id=document["_id"], requester=document["requester"], provider=document["provider"],
        person_pseudonym=document["person_pseudonym"], categories=document["permitted"],
        purpose=document["purpose"], deadline=document["deadline"])
    return _internal(internal.EXCHANGE_AWAITING, document["person_pseudonym"], payload, document["_id"])


def exchange_answer(event_type: str, request_id: str, payload: Any, *id_parts: str) -> CloudEvent:
    """Answers to institutions have ids derived from the request, so a redelivery is deduplicated."""
    return new_event(event_type, SOURCE, payload, event_id=derived_event_id(event_type, request_id, *id_parts))


def exchange_denied(requester: str, request_id: str, categories: list[str], reason: str,
                    step: str) -> dict[str, Any]:
    payload = ExchangeDenied(request_id=request_id, denied_categories=sorted(categories),
                             reason=reason)
    event = exchange_answer(types.EXCHANGE_DENIED, request_id, payload, step)
    return outbox_entry(outbound(requester), request_id, event)
