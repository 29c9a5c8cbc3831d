"""The consent decision (policy decision point): pure, evaluated at a given date, microseconds per call.

PERMIT when one of the person's procurations is in force on `today`, names the requester as a party
and covers the category and the purpose. Otherwise DENY with the reason that concerns the requester
most closely (its most relevant procuration's first failing check). A requester that no procuration of
the person names learns nothing: `no_procuration` without an id, exactly as for a person without any.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .model import Procuration, Status

PERMIT = "PERMIT"
DENY = "DENY"


class Reason:
    PERMITTED = "permitted"
    NO_PROCURATION = "no_procuration"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    NOT_A_PARTY = "requester_not_party"
    PROVIDER_NOT_A_PARTY = "provider_not_party"
    CATEGORY_NOT_COVERED = "category_not_covered"
    PURPOSE_NOT_COVERED = "purpose_not_covered"
    PERSON_ERASED = "person_erased"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class Decision:
    decision: str
    reason: str
    procuration_id: str | None

    @property
    def permitted(self) -> bool:
        return self.decision == PERMIT


def first_failure(procuration: Procuration, requester: str, category: str, purpose: str,
                  today: date) -> str | None:
    """The first rule this procuration breaks for the request, or None when it permits it."""
    status = procuration.status_on(today)
    if status is Status.REVOKED:
        return Reason.REVOKED
    if status is Status.SUPERSEDED:
        return Reason.SUPERSEDED
    if today < procuration.valid_from:
        return Reason.NOT_YET_VALID
    if status is Status.EXPIRED:
        return Reason.EXPIRED
    if requester not in procuration.parties:
        return Reason.NOT_A_PARTY
    if category not in procuration.categories:
        return Reason.CATEGORY_NOT_COVERED
    if purpose not in procuration.purposes:
        return Reason.PURPOSE_NOT_COVERED
    return None


def _relevance(procuration: Procuration, requester: str, today: date) -> tuple[bool, bool, date, date]:
    in_force = procuration.in_force_on(today)
    return (requester in procuration.parties, in_force, procuration.valid_from, procuration.signed_on)


def decide(procurations: Iterable[Procuration], *, requester: str, category: str, purpose: str,
           today: date) -> Decision:
    candidates = list(procurations)
    if not candidates:
        return Decision(DENY, Reason.NO_PROCURATION, None)
    for procuration in candidates:
        if first_failure(procuration, requester, category, purpose, today) is None:
            return Decision(PERMIT, Reason.PERMITTED, procuration.procuration_id)
    closest = max(candidates, key=lambda p: _relevance(p, requester, today))
    if requester not in closest.parties:  # a non-party: the same answer as for a person without procuration
        return Decision(DENY, Reason.NO_PROCURATION, None)
    reason = first_failure(closest, requester, category, purpose, today) or Reason.NO_PROCURATION
    return Decision(DENY, reason, closest.procuration_id)


def decide_exchange(procurations: Iterable[Procuration], *, requester: str, provider: str,
                    category: str, purpose: str, today: date) -> Decision:
    """An exchange needs both ends under the same procuration: the requester and the provider are parties."""
    candidates = list(procurations)
    decision = decide(candidates, requester=requester, category=category, purpose=purpose, today=today)
    if not decision.permitted:
        return decision
    covering = [p for p in candidates if provider in p.parties
                and first_failure(p, requester, category, purpose, today) is None]
    if covering:
        return Decision(PERMIT, Reason.PERMITTED, covering[0].procuration_id)
    return Decision(DENY, Reason.PROVIDER_NOT_A_PARTY, decision.procuration_id)
