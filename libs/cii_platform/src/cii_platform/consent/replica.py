"""An in-memory replica of the procurations, built from the procuration service's events, and the
decision evaluated on it: the in-process decision point of issue 4 (microseconds, no network).

Pure: no I/O. `ReplicaFeed` (consent.feed) reads the events from Kafka and applies them here. The events
carry pseudonyms, codes and dates only, so the replica holds no personal data.

The replica lags the custodian by the time an event takes to arrive (milliseconds to a second). It is for
deciding what to show; the custodian still decides, and audits durably, every key it releases.
"""

from dataclasses import replace
from datetime import date
from typing import Any

from ..contracts import internal_procuration as events
from .model import Procuration, Status
from .policy import DENY, Decision, Reason, decide

# Applying an event twice changes nothing, so redeliveries and replays are harmless.
_STATUS_EVENTS = {events.PROCURATION_REVOKED, events.PROCURATION_SUPERSEDED}


class ConsentReplica:
    def __init__(self) -> None:
        self._by_person: dict[str, dict[str, Procuration]] = {}
        self._erased: set[str] = set()
        self.applied = 0

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type == events.PROCURATION_RECORDED:
            self._record(events.ProcurationRecorded.model_validate(data))
        elif event_type in _STATUS_EVENTS:
            self._change_status(events.ProcurationStatusEvent.model_validate(data))
        elif event_type == events.PERSON_ERASED:
            erased = events.PersonErased.model_validate(data)
            self._erased.add(erased.person_pseudonym)
            self._by_person.pop(erased.person_pseudonym, None)
        else:
            return  # expiring/expired: expiry is a date rule the policy applies itself
        self.applied += 1

    def decide(self, *, requester: str, person_pseudonym: str, category: str, purpose: str,
               today: date) -> Decision:
        if person_pseudonym in self._erased:
            return Decision(DENY, Reason.PERSON_ERASED, None)
        procurations = self._by_person.get(person_pseudonym, {}).values()
        return decide(procurations, requester=requester, category=category, purpose=purpose, today=today)

    def persons(self) -> int:
        return len(self._by_person)

    def _record(self, recorded: events.ProcurationRecorded) -> None:
        if recorded.person_pseudonym in self._erased:
            return
        known = self._by_person.setdefault(recorded.person_pseudonym, {})
        if recorded.procuration_id in known:
            return  # a redelivery: the later status events already apply to the one we hold
        known[recorded.procuration_id] = Procuration(
            procuration_id=recorded.procuration_id, person_pseudonym=recorded.person_pseudonym,
            signed_on=recorded.signed_on, valid_from=recorded.valid_from, valid_until=recorded.valid_until,
            parties=frozenset(recorded.parties), categories=frozenset(recorded.categories),
            purposes=frozenset(recorded.purposes), document_sha256="", recorded_by=recorded.recorded_by,
            status=Status(recorded.status))

    def _change_status(self, changed: events.ProcurationStatusEvent) -> None:
        current = self._by_person.get(changed.person_pseudonym, {}).get(changed.procuration_id)
        if current is None:
            return
        if changed.status == Status.REVOKED:
            updated = replace(current, status=Status.REVOKED, revoked_on=changed.effective_on)
        else:
            updated = replace(current, superseded_by=changed.superseded_by, superseded_on=changed.effective_on)
        self._by_person[changed.person_pseudonym][changed.procuration_id] = updated
