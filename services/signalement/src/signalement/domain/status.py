"""The situation's life cycle: SUBMITTED -> TRIAGED -> OPEN (a measure runs) -> CLOSED."""

from cii_platform.contracts.codes import TriageDecision
from cii_platform.contracts.internal_signalement import (
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_SUBMITTED,
    STATUS_TRIAGED,
)

STATUSES = (STATUS_SUBMITTED, STATUS_TRIAGED, STATUS_OPEN, STATUS_CLOSED)


class InvalidTransition(Exception):
    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a situation in state {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def status_after_triage(current: str) -> str:
    """Triage is a one-time decision on a submitted situation."""
    if current != STATUS_SUBMITTED:
        raise InvalidTransition(current, STATUS_TRIAGED)
    return STATUS_TRIAGED


def may_open(current: str, decision: str | None) -> bool:
    """A measure held or started opens the situation. The measures service records facts, so a measure
    on a not yet triaged situation still opens it; a rejected or closed one never reopens."""
    if decision == TriageDecision.REJECT:
        return False
    return current in (STATUS_SUBMITTED, STATUS_TRIAGED)


def may_close(current: str) -> bool:
    return current != STATUS_CLOSED
