"""The internal key API (service tokens only; docs/platform-library.md), the audit of other services'
reads, and an operator trigger for the daily checks (expiry watch, retention purge)."""

import base64

from fastapi import APIRouter

from cii_platform.http import CurrentPrincipal, ProblemError, forbidden
from cii_platform.openapi import problem_responses
from cii_platform.security.custody import KeyErased, KeyReleaseDenied, ReleaseRequest, key_id_for

from ...bootstrap import run_daily_checks
from ...service_layer.audit import Action, AuditEvent
from ...service_layer.custody import UnknownKey
from .dependencies import Service, require_service
from .schemas import (
    KeyIssueBatch,
    KeyIssued,
    KeyIssuedBatch,
    KeyIssueRequest,
    KeyMigrated,
    KeyMigrateRequest,
    KeyPublic,
    KeyReleaseRequest,
    ReadRecord,
)

router = APIRouter(prefix="/internal/v1", tags=["internal"])


ERASED = problem_responses(status_410="the person's data was erased: no key is issued or released any more")


def gone(what: str) -> ProblemError:
    return ProblemError(410, "Gone", f"{what}: the person's data was erased")


@router.post("/keys/issue", response_model=KeyPublic, responses=ERASED)
async def issue_key(body: KeyIssueRequest, principal: CurrentPrincipal, service: Service) -> KeyPublic:
    require_service(principal)
    try:
        key_id, key = await service.custodian.issue(body.person_pseudonym, body.category.value, body.controller,
                                                    principal.audit_actor())
    except KeyErased as exc:
        raise gone(body.person_pseudonym) from exc
    return KeyPublic(key_id=key_id, key=base64.b64encode(key).decode())


@router.post("/keys/issue-batch", response_model=KeyIssuedBatch)
async def issue_keys(body: KeyIssueBatch, principal: CurrentPrincipal, service: Service) -> KeyIssuedBatch:
    """`keys/issue` for a batch, in one store round trip per step and one audit group commit; a person
    whose data was erased gets `erased` in place of a key (the others are issued)."""
    require_service(principal)
    issued = await service.custodian.issue_many(
        [(k.person_pseudonym, k.category.value, k.controller) for k in body.keys], principal.audit_actor())
    return KeyIssuedBatch(keys=[
        KeyIssued(key_id=key_id_for(k.person_pseudonym, k.category.value, k.controller), erased=True)
        if isinstance(answer, KeyErased) else KeyIssued(key_id=answer[0], key=base64.b64encode(answer[1]).decode())
        for k, answer in zip(body.keys, issued, strict=True)])


@router.post("/keys/release", response_model=KeyPublic, responses=ERASED)
async def release_key(body: KeyReleaseRequest, principal: CurrentPrincipal, service: Service) -> KeyPublic:
    require_service(principal)
    actor = ({**body.actor.model_dump(exclude_none=True), "via": principal.subject} if body.actor
             else principal.audit_actor())
    try:
        key = await service.custodian.release(ReleaseRequest(
            key_id=body.key_id, institution=body.institution, purpose=body.purpose.value, actor=actor,
            resource=body.resource))
    except KeyErased as exc:
        raise gone(body.key_id) from exc
    except UnknownKey as exc:
        raise ProblemError(404, "Not Found", "no such key") from exc
    except KeyReleaseDenied as exc:
        raise forbidden(exc.reason) from exc
    return KeyPublic(key_id=body.key_id, key=base64.b64encode(key).decode())


@router.post("/keys/migrate", response_model=KeyMigrated, responses=ERASED)
async def migrate_key(body: KeyMigrateRequest, principal: CurrentPrincipal, service: Service) -> KeyMigrated:
    """Once per stored section sealed under a former shared key: that key and the controller's own key,
    to re-seal the section (the service's start-up migration)."""
    require_service(principal)
    try:
        legacy, key_id, key = await service.custodian.migrate(body.key_id, body.controller,
                                                              principal.audit_actor())
    except KeyErased as exc:
        raise gone(body.key_id) from exc
    except UnknownKey as exc:
        raise ProblemError(404, "Not Found", "no such shared key") from exc
    except KeyReleaseDenied as exc:
        raise forbidden(exc.reason) from exc
    return KeyMigrated(legacy_key=base64.b64encode(legacy).decode(), key_id=key_id,
                       key=base64.b64encode(key).decode())


@router.post("/audit/reads", status_code=201)
async def record_read(body: ReadRecord, principal: CurrentPrincipal, service: Service) -> dict[str, int]:
    """Other services append the reads of personal data they serve (who, about whom, which categories)."""
    require_service(principal)
    seq = await service.audit.record(AuditEvent(
        actor={**body.actor.model_dump(exclude_none=True), "via": principal.subject}, action=Action.READ,
        person_pseudonym=body.person_pseudonym,
        outcome=body.outcome, categories=[c.value for c in body.categories],
        purpose=body.purpose.value if body.purpose else None, details={"resource": body.resource}))
    return {"seq": seq}


@router.post("/daily-checks/run")
async def daily_checks(principal: CurrentPrincipal, service: Service) -> dict[str, int]:
    """Run the daily expiry watch and retention purge now (operators, and process tests that cannot
    wait a day); answers how many procurations were announced expiring or expired, persons purged."""
    if not (principal.is_service or principal.is_cantonal_officer):
        raise forbidden("only a platform service or the cantonal officer may run the daily checks")
    return await run_daily_checks(service)
