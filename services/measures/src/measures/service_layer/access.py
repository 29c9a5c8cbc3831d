"""Object-level authorization (docs/contract.md 7): who may see and act on a measure.

A measure is seen by the announcing institution, the measure's participants, the region's (or theme's)
coordinator, the situation's case manager and the cantonal officer; anybody else gets 404.
"""

from cii_platform.contracts.codes import BUREAU, SMR, MeasureType, Role
from cii_platform.security.tokens import Principal

from ..domain.model import CaseManager, Measure, SituationRef
from ..domain.situation import themes_of

ACTING_ROLES = (Role.FIELD_WORKER, Role.RESPONDENT, Role.COORDINATOR, Role.CASE_MANAGER, Role.SECRETARIAT,
                Role.CANTONAL_OFFICER, Role.INSTITUTION_SYSTEM)
CASE_MANAGER_ROLES = (Role.CASE_MANAGER, Role.RESPONDENT)


def acts_for_people(principal: Principal) -> bool:
    """A reporting reader alone reads nothing personal."""
    return principal.has_role(*ACTING_ROLES)


def coordinates(principal: Principal, ref: SituationRef) -> bool:
    return principal.coordinates(ref.region, themes_of(ref))


def is_bureau_staff(principal: Principal, ref: SituationRef) -> bool:
    """The region's coordinator or the cantonal officer (the secretariat of the bureau acts for them)."""
    if coordinates(principal, ref):
        return True
    return principal.institution == BUREAU and principal.has_role(Role.SECRETARIAT)


def is_case_manager(principal: Principal, case_manager: CaseManager | None) -> bool:
    if case_manager is None or not principal.has_role(*CASE_MANAGER_ROLES):
        return False
    if case_manager.subject is not None:
        return principal.subject == case_manager.subject
    return principal.institution == case_manager.institution


def case_managers(measures: list[Measure]) -> list[CaseManager]:
    return [m.case_manager for m in measures if m.case_manager is not None]


def participates(principal: Principal, measure: Measure) -> bool:
    institutions = {p.institution for p in measure.participants}
    if measure.type == MeasureType.MEDICAL_MANDATE:
        institutions.add(SMR)  # the regional medical service carries out the mandate
    return principal.institution in institutions


def sees_measure(principal: Principal, measure: Measure, situation_measures: list[Measure]) -> bool:
    if not acts_for_people(principal):
        return False
    ref = measure.situation
    return (is_bureau_staff(principal, ref) or principal.institution == ref.institution
            or participates(principal, measure)
            or any(is_case_manager(principal, cm) for cm in case_managers(situation_measures)))


def may_request_measure(principal: Principal, ref: SituationRef, situation_measures: list[Measure]) -> bool:
    """The announcer, the bureau, and the network already working on the situation."""
    if not acts_for_people(principal):
        return False
    return (is_bureau_staff(principal, ref) or principal.institution == ref.institution
            or any(participates(principal, m) for m in situation_measures)
            or any(is_case_manager(principal, cm) for cm in case_managers(situation_measures)))


def manages_case(principal: Principal, measure: Measure) -> bool:
    """Case-management duties: the designated case manager, or the bureau standing in."""
    return is_case_manager(principal, measure.case_manager) or is_bureau_staff(principal, measure.situation)
