"""The policy decision point over HTTP, and the audit log's verification."""

from typing import Annotated, Any

from fastapi import APIRouter, Body

from cii_platform.contracts.codes import Role
from cii_platform.contracts.fields import KNOWN_INSTITUTIONS
from cii_platform.http import CurrentPrincipal, forbidden
from cii_platform.openapi import documented_body

from ...service_layer.audit import Action, AuditEvent
from .dependencies import Service, is_bureau_staff, is_data_protection_officer
from .schemas import DecisionPublic, DecisionRequest, VerificationPublic

router = APIRouter(prefix="/api/v1", tags=["decisions", "audit"])
DECISION_BODY = "{ requester, person: { avs_number }, category, purpose } (docs/contract.md section 7)"


@router.post("/decisions", response_model=DecisionPublic, openapi_extra=documented_body(DecisionRequest))
async def decide(body: Annotated[dict[str, Any], Body(description=DECISION_BODY)], principal: CurrentPrincipal,
                 service: Service) -> DecisionPublic:
    """PERMIT or DENY now, with the reason and the procuration used; every decision is audited.
    Platform services ask for any institution; an institution's system only for itself."""
    known = service.runtime.reference.institution_codes
    request = DecisionRequest.model_validate(body, context={KNOWN_INSTITUTIONS: known})
    own_system = principal.has_role(Role.INSTITUTION_SYSTEM) and principal.institution == request.requester
    person_pseudonym = service.runtime.pseudonymizer.person(request.person.avs_number)
    if not (principal.is_service or own_system or principal.is_cantonal_officer):
        await service.audit.record(AuditEvent(  # a refused attempt about a person is audited too
            actor=principal.audit_actor(), action=Action.REFUSED, person_pseudonym=person_pseudonym,
            outcome="REFUSED", categories=[request.category.value], purpose=request.purpose.value,
            details={"requester": request.requester, "reason": "caller_may_not_ask", "route": "POST /decisions"}))
        raise forbidden("a decision may be asked by a platform service, or by an institution's system for itself")
    decision = await service.decisions.decide(
        actor=principal.audit_actor(), requester=request.requester, person_pseudonym=person_pseudonym,
        category=request.category.value, purpose=request.purpose.value)
    return DecisionPublic(decision=decision.decision, reason=decision.reason,
                          procuration_id=decision.procuration_id)


@router.get("/audit/verify", response_model=VerificationPublic, response_model_exclude_none=True)
async def verify_audit(principal: CurrentPrincipal, service: Service) -> VerificationPublic:
    """Recompute the keyed chain from the first entry and check it against the anchors outside the store
    (the latest signed checkpoint on Kafka, the head this process wrote); names the first broken entry or
    the deleted tail."""
    if not (is_bureau_staff(principal) or is_data_protection_officer(principal) or principal.is_service):
        raise forbidden("the audit log is verified by the bureau (its data-protection officer too) or a service")
    result = await service.audit.verify()
    return VerificationPublic(valid=result.valid, entries=result.entries, first_broken=result.first_broken,
                              problem=result.problem, missing_from=result.missing_from,
                              missing_to=result.missing_to, checkpoint_entries=result.checkpoint_entries)
