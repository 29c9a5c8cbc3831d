"""The policy decision point as a service: the person's procurations, the pure policy, the audit."""

from typing import Any, Protocol

from cii_platform.clock import Clock
from cii_platform.consent.model import Procuration
from cii_platform.consent.policy import DENY, Decision, Reason, decide, decide_exchange

from .audit import Action, AuditEvent, AuditTrail


class ProcurationsOfPerson(Protocol):
    async def for_person(self, person_pseudonym: str) -> list[Procuration]: ...


class ErasureRegistry(Protocol):
    async def is_erased(self, person_pseudonym: str) -> bool: ...


class DecisionPoint:
    def __init__(self, procurations: ProcurationsOfPerson, erasures: ErasureRegistry, audit: AuditTrail,
                 clock: Clock, *, durable_decision_audit: bool = False) -> None:
        self._procurations = procurations
        self._erasures = erasures
        self._audit = audit
        self._clock = clock
        # A bare decision releases nothing (key releases and exchanges are audited durably before they
        # act); by default its entry joins the next group commit instead of delaying the answer.
        self._durable_decision_audit = durable_decision_audit

    async def evaluate(self, *, requester: str, person_pseudonym: str, category: str, purpose: str,
                       provider: str | None = None) -> Decision:
        """The decision now, without auditing it (callers audit the step it belongs to)."""
        if await self._erasures.is_erased(person_pseudonym):
            return Decision(DENY, Reason.PERSON_ERASED, None)
        procurations = await self._procurations.for_person(person_pseudonym)
        today = self._clock.today()
        if provider is None:
            return decide(procurations, requester=requester, category=category, purpose=purpose, today=today)
        return decide_exchange(procurations, requester=requester, provider=provider, category=category,
                               purpose=purpose, today=today)

    async def decide(self, *, actor: dict[str, Any], requester: str, person_pseudonym: str, category: str,
                     purpose: str) -> Decision:
        decision = await self.evaluate(requester=requester, person_pseudonym=person_pseudonym,
                                       category=category, purpose=purpose)
        await self._audit.record(AuditEvent(
            actor=actor, action=Action.DECISION, person_pseudonym=person_pseudonym, outcome=decision.decision,
            categories=[category], purpose=purpose, procuration_id=decision.procuration_id,
            details={"requester": requester, "reason": decision.reason}), durable=self._durable_decision_audit)
        return decision
