"""The policy decision point over HTTP, and the audit log's verification."""

from typing import Annotated, Any

from fastapi import APIRouter, Body

from cii_platform.contracts.codes import Role
from cii_platform.contracts.fields import KNOWN_INSTITUTIONS
from cii_platform.http import CurrentPrincipal, forbidden

from .dependencies import Service, is_bureau_staff, is_data_protection_officer
from .schemas import DecisionPublic, DecisionRequest, VerificationPublic

router = APIRouter(prefix="/api/v1", tags=["decisions", "audit"])
DECISION_BODY = "{ requester, person: { avs_number }, category, purpose } (docs/contract.md section 7)"


@router.post("/decisions", response_model=DecisionPublic)
async def decide(body: Annotated[dict[str, Any], Body(description=DECISION_BODY)], principal: CurrentPrincipal,
                 service: Service) -> DecisionPublic:
    """PERMIT or DENY now, with the reason and the procuration used; every decision is audited.
    Platform services ask for any institution; an institution's system only for itself."""
    known = service.runtime.reference.institution_codes
    request = DecisionRequest.model_validate(body, context={KNOWN_INSTITUTIONS: known})
    own_system = principal.has_role(Role.INSTITUTION_SYSTEM) and principal.institution == request.requester
    if not (principal.is_service or own_system or principal.is_cantonal_officer):
        raise forbidden("a decision may be asked by a platform service, or by an institution's system for itself")
    decision = await service.decisions.decide(
        actor=principal.audit_actor(), requester=request.requester,
        person_pseudonym=service.runtime.pseudonymizer.person(request.person.avs_number),
        category=request.category.value, purpose=request.purpose.value)
    return DecisionPublic(decision=decision.decision, reason=decision.reason,
                          procuration_id=decision.procuration_id)


@router.get("/audit/verify", response_model=VerificationPublic, response_model_exclude_none=True)
async def verify_audit(principal: CurrentPrincipal, service: Service) -> VerificationPublic:
    """Recompute the hash chain from the first entry; names the first broken entry, if any."""
    if not (is_bureau_staff(principal) or is_data_protection_officer(principal) or principal.is_service):
        raise forbidden("the audit log is verified by the bureau (its data-protection officer too) or a service")
    result = await service.audit.verify()
    return VerificationPublic(valid=result.valid, entries=result.entries, first_broken=result.first_broken,
                              problem=result.problem)
