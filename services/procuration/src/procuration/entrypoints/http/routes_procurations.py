"""Procurations over HTTP: the same handlers as the Kafka events, and the FHIR Consent export."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response

from cii_platform.contracts.codes import Purpose, Role
from cii_platform.contracts.fields import KNOWN_INSTITUTIONS
from cii_platform.contracts.inbound import ProcurationRevoked, ProcurationSigned
from cii_platform.http import CurrentPrincipal, ProblemError, content_disposition, not_found
from cii_platform.openapi import documented_body, problem_responses
from cii_platform.security.crypto import SealedSection, unseal
from cii_platform.security.custody import KeyErased, KeyReleaseDenied, ReleaseRequest
from cii_platform.security.tokens import Principal
from cii_platform.validation import DomainValidationError, error

from ...adapters.fhir import consent_resource
from ...adapters.mongo_procurations import from_document
from ...service_layer.procurations import RecordProcuration, RevokeProcuration, may_manage
from ...service_layer.signed_forms import FORM_TYPES, MAX_FORM_BYTES, StoredForm
from .dependencies import Service, is_bureau_staff, require_acting_institution
from .schemas import Created, ProcurationPublic, RevokeBody, SignedFormPublic

router = APIRouter(prefix="/api/v1/procurations", tags=["procurations"])

SIGNED_BODY = "the payload of ch.vs.cii.procuration.signed.v1 (docs/contract.md section 5)"


@router.post("", status_code=201, response_model=Created, openapi_extra=documented_body(ProcurationSigned))
async def record_procuration(body: Annotated[dict[str, Any], Body(description=SIGNED_BODY)],
                             principal: CurrentPrincipal, service: Service) -> Created:
    known = service.runtime.reference.institution_codes
    require_acting_institution(principal, known)
    # Validated here rather than by FastAPI: errors of cross-field rules then name their field too.
    payload = ProcurationSigned.model_validate(body, context={KNOWN_INSTITUTIONS: known})
    procuration_id = await service.registry.record(
        RecordProcuration(principal.institution, payload, principal.audit_actor()))
    service.runtime.notify_outbox()
    return Created(id=procuration_id)


@router.post("/{procuration_id}/revoke", response_model=ProcurationPublic)
async def revoke_procuration(procuration_id: str, body: RevokeBody, principal: CurrentPrincipal,
                             service: Service) -> ProcurationPublic:
    require_acting_institution(principal, service.runtime.reference.institution_codes)
    existing = await service.procurations.get(procuration_id)
    if existing is None or not may_manage(existing, principal.institution):
        raise not_found("procuration")
    payload = ProcurationRevoked(procuration_id=procuration_id, revoked_on=body.revoked_on, reason=body.reason)
    await service.registry.revoke(RevokeProcuration(principal.institution, payload, principal.audit_actor()))
    service.runtime.notify_outbox()
    return await _public(service, principal, procuration_id)


@router.get("/{procuration_id}", response_model=None)
async def read_procuration(procuration_id: str, principal: CurrentPrincipal, service: Service,
                           format: Literal["json", "fhir"] = Query("json")) -> Any:
    public = await _public(service, principal, procuration_id)
    if format == "fhir":
        procuration = await service.procurations.get(procuration_id)
        assert procuration is not None
        status = procuration.status_on(service.clock.today())
        return JSONResponse(consent_resource(procuration, status), media_type="application/fhir+json")
    return public


FORM_BODY = {"requestBody": {"required": True, "description": "the scan of the signed form, as is", "content": {
    media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in FORM_TYPES}}}
ERASED_FORM = problem_responses(status_410="the person's data was erased: the form can no longer be read")


@router.put("/{procuration_id}/document", response_model=SignedFormPublic, openapi_extra=FORM_BODY,
            responses=problem_responses(status_410="the person's data was erased: nothing is kept any more"))
async def store_signed_form(procuration_id: str, request: Request, principal: CurrentPrincipal,
                            service: Service) -> SignedFormPublic:
    """The signed form itself, kept sealed (the recording institution's key for the person); its SHA-256 must
    be the procuration's `document_sha256`. By the institution that recorded the procuration; idempotent."""
    require_acting_institution(principal, service.runtime.reference.institution_codes)
    procuration = await service.procurations.get(procuration_id)
    if procuration is None or procuration.recorded_by != principal.institution:
        raise not_found("procuration")
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:  # refused unread
        raise DomainValidationError([error("document", f"must be at most {MAX_FORM_BYTES} bytes")])
    content = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        stored = await service.forms.store(procuration, content, content_type, institution=principal.institution,
                                           actor=principal.audit_actor())
    except KeyErased as exc:
        raise ProblemError(410, "Gone", "the person's data was erased") from exc
    return _form_public(stored)


@router.get("/{procuration_id}/document", response_model=None, responses={
    200: {"description": "the signed form", "content": {t: {} for t in FORM_TYPES}}, **ERASED_FORM})
async def read_signed_form(procuration_id: str, principal: CurrentPrincipal, service: Service) -> Response:
    """The signed form, to whoever reads the procuration's identity: its recorder, and the cantonal officer when
    the procuration names the bureau (the custodian's rule); the key's release is in the person's access report."""
    document = await service.procurations.get_document(procuration_id)
    if document is None or not _may_read(principal, document["recorded_by"], document["parties"]) or not (
            principal.is_cantonal_officer or principal.institution == document["recorded_by"]):
        raise not_found("procuration")
    try:
        found = await service.forms.read(procuration_id, institution=principal.institution,
                                         actor=principal.audit_actor())
    except KeyErased as exc:
        raise ProblemError(410, "Gone", "the person's data was erased") from exc
    except KeyReleaseDenied as exc:
        raise not_found("signed form") from exc
    if found is None:
        raise not_found("signed form")
    content, media_type = found
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(media_type, "bin")
    return Response(content, media_type=media_type, headers={
        **content_disposition("attachment", f"procuration-{procuration_id}.{extension}")})


def _form_public(stored: StoredForm) -> SignedFormPublic:
    return SignedFormPublic(procuration_id=stored.procuration_id, sha256=stored.sha256, size=stored.size,
                            content_type=stored.content_type, stored_at=stored.stored_at)


def _may_read(principal: Principal, recorded_by: str, parties: list[str]) -> bool:
    """A reporting reader reads nothing about a person (neither the procuration nor its FHIR export),
    whichever its institution."""
    if principal.has_role(Role.REPORTING_READER):
        return False
    return principal.is_service or is_bureau_staff(principal) or principal.institution in (recorded_by, *parties)


async def _public(service: Service, principal: Principal, procuration_id: str) -> ProcurationPublic:
    document = await service.procurations.get_document(procuration_id)
    if document is None or not _may_read(principal, document["recorded_by"], document["parties"]):
        raise not_found("procuration")
    procuration = from_document(document)
    erased = await service.keys.is_erased(procuration.person_pseudonym)
    person = None
    if not erased and document.get("identity") and (
            principal.is_cantonal_officer or principal.institution == procuration.recorded_by):
        person = await _identity(service, principal, document)
    return ProcurationPublic(
        id=procuration.procuration_id, person_pseudonym=procuration.person_pseudonym, person=person,
        erased=erased, signed_on=procuration.signed_on, valid_from=procuration.valid_from,
        valid_until=procuration.valid_until, parties=sorted(procuration.parties),
        categories=sorted(procuration.categories), purposes=sorted(procuration.purposes),
        document_sha256=procuration.document_sha256, status=procuration.status_on(service.clock.today()).value,
        recorded_by=procuration.recorded_by, revoked_on=procuration.revoked_on,
        superseded_by=procuration.superseded_by, superseded_on=procuration.superseded_on,
        document_stored=await service.forms.summary(procuration_id) is not None)


async def _identity(service: Service, principal: Principal, document: dict[str, Any]) -> dict[str, Any] | None:
    """The identity is unsealed through the key custody like anywhere else: released and audited."""
    section = SealedSection.model_validate(document["identity"])
    try:
        key = await service.custodian.release(ReleaseRequest(
            key_id=section.key_id, institution=principal.institution, purpose=Purpose.CII_COORDINATION.value,
            actor=principal.audit_actor(), resource=f"procuration:{document['_id']}"))
    except (KeyErased, KeyReleaseDenied):
        return None
    identity: dict[str, Any] = unseal(section, key, context=document["_id"])
    return identity

