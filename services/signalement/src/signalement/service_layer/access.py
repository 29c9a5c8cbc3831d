"""Who may see a situation, read its personal sections, triage it (object-level authorization).

- The announcing institution (for a private person's announcement: T1 or the bureau that recorded it).
- The coordinator of the situation's region or of one of its themes; the cantonal officer everywhere.
- The bureau's secretariat sees every situation; the person only under a PERMIT of the person's procuration
  to the bureau (it invites the person to the TRO or assessment: seed 001, section 5.2), audited.
- An institution the routing also notifies (the T1 platform for a young person) sees it; the person
  only if the custodian releases the key to it.
- An institution co-following the person sees it only when the custodian releases the person's identity
  key to it (a valid procuration); everybody else gets 404.
"""

from typing import Any

from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.security.tokens import Principal

NOTHING: dict[str, Any] = {"_id": {"$in": []}}


class SituationNotFound(Exception):
    """Also raised for a situation the caller may not see: 404, never 403."""


class NotAllowed(Exception):
    pass


def is_announcer(principal: Principal, situation: dict[str, Any]) -> bool:
    if principal.institution == BUREAU or principal.has_role(Role.REPORTING_READER):
        return False  # the bureau's rights come from its roles, not from having recorded an announcement
    return principal.institution == situation.get("recorded_by")


def is_notified(principal: Principal, situation: dict[str, Any]) -> bool:
    routing = situation.get("routing") or {}
    return institution_scoped(principal) and principal.institution in (routing.get("also_notify") or [])


def institution_scoped(principal: Principal) -> bool:
    """People and systems of an institution (not the bureau, not a reporting reader)."""
    return principal.institution != BUREAU and not principal.has_role(Role.REPORTING_READER)


def coordinates(principal: Principal, situation: dict[str, Any]) -> bool:
    return principal.coordinates(situation.get("region"), set(situation.get("themes") or []))


def sees_every_situation(principal: Principal) -> bool:
    return principal.is_cantonal_officer or (principal.institution == BUREAU
                                             and principal.has_role(Role.SECRETARIAT))


def sees_directly(principal: Principal, situation: dict[str, Any]) -> bool:
    return (sees_every_situation(principal) or is_announcer(principal, situation)
            or coordinates(principal, situation) or is_notified(principal, situation))


def reads_person_directly(principal: Principal, situation: dict[str, Any]) -> bool:
    """Controllers acting in their role: the announcer, the coordinator, the cantonal officer."""
    return is_announcer(principal, situation) or coordinates(principal, situation)


def invites_the_person(principal: Principal) -> bool:
    """The bureau's secretariat: asks the custodian like the coordinator (institution BUREAU), so it reads
    only what the person's procuration permits the bureau, and every release is in the access report."""
    return principal.institution == BUREAU and principal.has_role(Role.SECRETARIAT)


def may_ask_procuration(principal: Principal, situation: dict[str, Any]) -> bool:
    """A co-following or notified institution reads the person if the custodian permits it."""
    return institution_scoped(principal) and (principal.institution in (situation.get("co_following") or [])
                                              or is_notified(principal, situation))


def visibility_query(principal: Principal) -> dict[str, Any]:
    """Store filter of what the caller sees by its role (co-followed situations are added from the
    procurations in force)."""
    if sees_every_situation(principal):
        return {}
    if principal.institution == BUREAU and principal.has_role(Role.COORDINATOR):
        scopes: list[dict[str, Any]] = []
        if principal.region:
            scopes.append({"region": principal.region})
        if principal.theme:
            scopes.append({"themes": principal.theme})
        return {"$or": scopes} if scopes else NOTHING
    if not institution_scoped(principal):
        return NOTHING
    return {"$or": [{"recorded_by": principal.institution}, {"routing.also_notify": principal.institution}]}


def may_triage(principal: Principal, situation: dict[str, Any]) -> bool:
    return coordinates(principal, situation)
