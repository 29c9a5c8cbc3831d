"""Request-scoped helpers: the wired service, and who may do what."""

from typing import Annotated

from fastapi import Depends, Request

from cii_platform.contracts.codes import BUREAU, Role
from cii_platform.http import CurrentPrincipal, ProblemError, forbidden
from cii_platform.security.tokens import Principal

from ...bootstrap import ProcurationService


def get_service(request: Request) -> ProcurationService:
    service: ProcurationService = request.app.state.procuration
    return service


Service = Annotated[ProcurationService, Depends(get_service)]

PEOPLE_AND_SYSTEMS = (Role.FIELD_WORKER, Role.RESPONDENT, Role.COORDINATOR, Role.CASE_MANAGER, Role.SECRETARIAT,
                      Role.CANTONAL_OFFICER, Role.INSTITUTION_SYSTEM)


def is_bureau_staff(principal: Principal) -> bool:
    return principal.institution == BUREAU and principal.has_role(
        Role.CANTONAL_OFFICER, Role.COORDINATOR, Role.SECRETARIAT)


def require_service(principal: Principal) -> None:
    if not principal.is_service:
        raise forbidden("only platform services may call this route")


def is_data_protection_officer(principal: Principal) -> bool:
    return principal.institution == BUREAU and principal.has_role(Role.DPO)


def require_audit_reader(principal: Principal) -> None:
    """The audit trail and a person's access report: the cantonal officer and the data-protection officer."""
    if not (principal.is_cantonal_officer or is_data_protection_officer(principal)):
        raise forbidden("only the cantonal officer or the data-protection officer (BUREAU) may read this")


def require_cantonal_officer(principal: Principal) -> None:
    if not principal.is_cantonal_officer:
        raise forbidden("only the cantonal officer (BUREAU) may do this")


def require_acting_institution(principal: Principal, known: set[str]) -> None:
    """People and systems of a known institution (or the bureau); never a reporting reader."""
    if not principal.has_role(*PEOPLE_AND_SYSTEMS):
        raise forbidden("this role may not manage procurations")
    if principal.institution not in known and principal.institution != BUREAU:
        raise ProblemError(403, "Forbidden", f"unknown institution {principal.institution!r} in the token")


__all__ = ["CurrentPrincipal", "Service"]
