"""Decisions another service takes in process on its consent replica (consent.local).

Published in batches on the deciding service's own internal topic (key: the service); the procuration
service appends each decision to its hash-chained audit log.
"""

from datetime import datetime

from .internal_signalement import InternalEvent
from .topics import MEASURES_EVENTS, SIGNALEMENT_EVENTS

CONSENT_DECIDED = "ch.vs.cii.internal.consent.decided.v1"

# The topics the procuration service reads these from (the services that may decide in process).
PUBLISHED_ON = (SIGNALEMENT_EVENTS, MEASURES_EVENTS)


class ConsentDecision(InternalEvent):
    """One decision taken in process on a consent replica."""

    decided_at: datetime
    actor: dict[str, str | list[str]]  # who asked: institution, roles, subject of the token
    requester: str
    person_pseudonym: str
    category: str
    purpose: str
    decision: str
    reason: str
    procuration_id: str | None = None


class ConsentDecided(InternalEvent):
    """The decisions a service took in process since its previous batch (every 50 ms), for the
    custodian's audit chain: one event per batch keeps auditing 500 decisions a second cheap."""

    decided_by: str  # the service that decided
    decisions: list[ConsentDecision]


EVENTS: dict[str, type[InternalEvent]] = {CONSENT_DECIDED: ConsentDecided}
