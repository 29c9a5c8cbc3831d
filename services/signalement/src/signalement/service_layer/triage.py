"""Triage by the region's or theme's coordinator (or the cantonal officer), and the status changes that
the measures service's facts cause (a measure held or started opens, a closure closes)."""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts.codes import DataCategory, TriageDecision
from cii_platform.contracts.internal_signalement import (
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_SUBMITTED,
    STATUS_TRIAGED,
)
from cii_platform.reference import ReferenceData
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from ..domain.status import InvalidTransition, may_close, may_open, status_after_triage
from . import event_builders
from .access import NotAllowed, SituationNotFound, may_triage, sees_directly
from .personal_data import PersonalData
from .ports import Document, SituationRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TriageSituation:
    situation_id: str
    decision: TriageDecision
    reason: str | None
    principal: Principal


class TriageHandler:
    def __init__(self, repository: SituationRepository, personal_data: PersonalData, reference: ReferenceData,
                 clock: Clock, notify: Callable[[], None]) -> None:
        self._repository = repository
        self._personal_data = personal_data
        self._reference = reference
        self._clock = clock
        self._notify = notify

    async def triage(self, command: TriageSituation) -> Document:
        situation = await self._repository.get(command.situation_id)
        if situation is None or not sees_directly(command.principal, situation):
            raise SituationNotFound(command.situation_id)
        if not may_triage(command.principal, situation):
            raise NotAllowed("only the coordinator of the situation's region or theme, or the cantonal "
                             "officer, triages it")
        if command.decision == TriageDecision.REJECT and not command.reason:
            raise DomainValidationError([error("reason", "is required to reject a situation")])
        status = status_after_triage(situation["status"])
        triage = await self._triage_record(command, situation)
        cause_id = str(uuid.uuid4())
        outbox = [event_builders.situation_triaged(situation["_id"], triage, status, cause_id),
                  event_builders.status_changed(situation["_id"], situation["status"], status,
                                                at=triage["triaged_at"], cause=f"triage:{command.decision.value}",
                                                cause_id=cause_id)]
        if situation["recorded_by"] in self._reference.institution_codes:
            outbox.append(event_builders.triage_notice(situation, triage, status, cause_id))
        updated = await self._repository.change_status(
            situation["_id"], event_id=cause_id, guard={"status": STATUS_SUBMITTED},
            fields={"status": status, "decision": command.decision.value, "triage": triage}, outbox=outbox)
        if updated is None:  # triaged by someone else meanwhile
            current = await self._repository.get(situation["_id"])
            raise InvalidTransition(current["status"] if current else situation["status"], STATUS_TRIAGED)
        self._notify()
        return updated

    async def _triage_record(self, command: TriageSituation, situation: Document) -> dict[str, Any]:
        reason = None
        if command.reason:
            sealed = await self._personal_data.seal_sections(
                situation["person_pseudonym"], controller=command.principal.institution, context=situation["_id"],
                sections={DataCategory.SOCIAL.value: {"triage_reason": command.reason}})
            reason = sealed[DataCategory.SOCIAL.value]
        principal = command.principal
        return {"decision": command.decision.value, "reason": reason, "triaged_at": self._clock.now(),
                "triaged_by": f"{principal.institution}:{principal.subject}"}


class LifecycleHandler:
    """Facts from the measures service move the situation along; each is applied once."""

    def __init__(self, repository: SituationRepository, notify: Callable[[], None],
                 known_institutions: set[str] | None = None) -> None:
        self._repository = repository
        self._notify = notify
        self._known_institutions = known_institutions or set()

    async def measure_running(self, situation_id: str, event_id: str, at: datetime) -> None:
        await self._move(situation_id, event_id, STATUS_OPEN, at, "measure",
                         lambda situation: may_open(situation["status"], situation.get("decision")))

    async def situation_closed(self, situation_id: str, event_id: str, at: datetime, *,
                               closed_on: date | None = None, outcome: str | None = None) -> None:
        """CLOSED, and the announcer and co-followers told on their outbound topics (docs/contract.md 6)."""
        def notices(situation: Document) -> list[Document]:
            if closed_on is None or outcome is None:
                return []
            return event_builders.closure_notices(situation, closed_on, outcome, event_id, self._known_institutions)
        await self._move(situation_id, event_id, STATUS_CLOSED, at, f"closure:{outcome}" if outcome else "closure",
                         lambda situation: may_close(situation["status"]), notices,
                         {"closed_on": closed_on.isoformat(), "closure_outcome": outcome} if closed_on else {})

    async def _move(self, situation_id: str, event_id: str, status: str, at: datetime, cause: str,
                    allowed: Callable[[Document], bool],
                    notices: Callable[[Document], list[Document]] | None = None,
                    extra_fields: Document | None = None) -> None:
        while True:  # the guard is the status read: a concurrent change makes us read again
            situation = await self._repository.get(situation_id)
            if situation is None or event_id in situation.get("applied_events", []):
                return
            if situation["status"] == status or not allowed(situation):
                log.info("%s of %s in state %s: nothing to change", cause, situation_id, situation["status"])
                return
            outbox = [event_builders.status_changed(situation_id, situation["status"], status, at=at,
                                                    cause=cause, cause_id=event_id)]
            outbox += notices(situation) if notices else []
            if await self._repository.change_status(situation_id, event_id=event_id,
                                                    guard={"status": situation["status"]},
                                                    fields={"status": status, **(extra_fields or {})},
                                                    outbox=outbox):
                self._notify()
                return
