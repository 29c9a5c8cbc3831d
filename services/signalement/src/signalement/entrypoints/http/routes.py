"""HTTP routes of docs/contract.md section 7 (signalement) plus the coordinators' overdue-triage list."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import TypeAdapter, ValidationError

from cii_platform.contracts.avs import AvsNumber
from cii_platform.contracts.codes import BUREAU, Public, Region, Role
from cii_platform.contracts.fields import IsoDate
from cii_platform.contracts.inbound import SignalementSubmitted
from cii_platform.http import CurrentPrincipal, Page, Paging, forbidden, unprocessable
from cii_platform.security.tokens import Principal
from cii_platform.validation import error

from ...bootstrap import SignalementService
from ...domain.status import STATUSES
from ...service_layer.announcement_checks import PRIVATE_RECORDERS, Announcer
from ...service_layer.intake import SubmitSignalement
from ...service_layer.triage import TriageSituation
from ...service_layer.views import SituationFilter
from .presenters import public_of, summary_of
from .schemas import SituationCreated, SituationPublic, SituationSummary, TriageRequest

AVS_NUMBER: TypeAdapter[str] = TypeAdapter(AvsNumber)
router = APIRouter(prefix="/api/v1/signalements", tags=["signalements"])
ANNOUNCING_ROLES = (Role.FIELD_WORKER, Role.RESPONDENT, Role.INSTITUTION_SYSTEM, Role.CASE_MANAGER,
                    Role.COORDINATOR, Role.SECRETARIAT, Role.CANTONAL_OFFICER)


def service_of(request: Request) -> SignalementService:
    service: SignalementService = request.app.state.service
    return service


Service = Annotated[SignalementService, Depends(service_of)]


def announcer_for(principal: Principal, service: SignalementService) -> Announcer:
    """The institution is the token's; the bureau has no institution of its own but records private
    persons' announcements, as the T1 platform does."""
    known = principal.institution in service.reference.institution_codes
    if not principal.has_role(*ANNOUNCING_ROLES) or not (known or principal.institution == BUREAU):
        raise forbidden(f"{principal.institution} with roles {sorted(principal.roles)} may not announce")
    return Announcer(institution=principal.institution,
                     private_allowed=principal.institution in PRIVATE_RECORDERS)


@router.post("", status_code=201, response_model=SituationCreated)
async def announce(payload: SignalementSubmitted, principal: CurrentPrincipal, service: Service,
                   idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> SituationCreated:
    """The payload of `signalement.submitted.v1`; the same code path as Kafka. A resubmission with the
    same external_ref records a new version of the same situation."""
    announcer = announcer_for(principal, service)
    if principal.institution == BUREAU and not payload.announcer.private_person:
        raise forbidden("the bureau records only private persons' announcements (announcer.private_person)")
    event_id = f"http|{principal.institution}|{idempotency_key or uuid.uuid4()}"
    situation_id = await service.intake.submit(SubmitSignalement(payload=payload, announcer=announcer,
                                                                 event_id=event_id))
    return SituationCreated(id=situation_id)


@router.get("", response_model=Page[SituationSummary])
async def list_situations(
        principal: CurrentPrincipal, service: Service, paging: Paging,
        status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
        region: Region | None = None, public: Public | None = None,
        institution: Annotated[str | None, Query(max_length=20)] = None,
        announced_from: IsoDate | None = None, announced_to: IsoDate | None = None,
        triage_overdue: bool = False,
        avs_number: Annotated[str | None, Query(max_length=20, description="the person's AVS number")] = None,
        reference: Annotated[str | None, Query(max_length=200, description="the announcer's external_ref")] = None,
) -> Page[SituationSummary]:
    """Filters combine; `avs_number` finds the person's situations through the keyed pseudonym (the store
    never holds the number itself), among those the caller may see."""
    wanted = SituationFilter(status=status, region=region.value if region else None,
                             public=public.value if public else None, institution=institution,
                             announced_from=announced_from, announced_to=announced_to,
                             triage_overdue=triage_overdue, external_ref=reference,
                             person_pseudonym=_pseudonym_of(service, avs_number))
    return await _page(service, principal, wanted, paging.offset, paging.limit)


def _pseudonym_of(service: SignalementService, avs_number: str | None) -> str | None:
    if avs_number is None:
        return None
    try:
        valid = AVS_NUMBER.validate_python(avs_number.strip())
    except ValidationError as exc:
        raise unprocessable([error("avs_number", exc.errors()[0]["msg"].removeprefix("Value error, "))]) from exc
    assert service.runtime is not None
    return service.runtime.pseudonymizer.person(valid)


@router.get("/overdue-triage", response_model=Page[SituationSummary])
async def overdue_triage(principal: CurrentPrincipal, service: Service, paging: Paging,
                         region: Region | None = None) -> Page[SituationSummary]:
    """Situations still waiting for triage after the due date (10 working days), for the coordinators."""
    wanted = SituationFilter(region=region.value if region else None, triage_overdue=True)
    return await _page(service, principal, wanted, paging.offset, paging.limit)


async def _page(service: SignalementService, principal: Principal, wanted: SituationFilter, offset: int,
                limit: int) -> Page[SituationSummary]:
    items, total = await service.views.list(principal, wanted, offset=offset, limit=limit)
    now = service.views.clock.today()
    return Page[SituationSummary](items=[summary_of(item, now) for item in items], total=total)


@router.get("/{situation_id}", response_model=SituationPublic)
async def get_situation(situation_id: str, principal: CurrentPrincipal, service: Service) -> SituationPublic:
    read = await service.views.get(principal, situation_id)
    return public_of(read, service.views.clock.today())


@router.post("/{situation_id}/triage", response_model=SituationSummary)
async def triage(situation_id: str, body: TriageRequest, principal: CurrentPrincipal,
                 service: Service) -> SituationSummary:
    updated = await service.triage.triage(TriageSituation(situation_id=situation_id, decision=body.decision,
                                                          reason=body.reason, principal=principal))
    return summary_of(updated, service.views.clock.today())
