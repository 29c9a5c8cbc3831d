"""The signed-in person's inbox and preferences (the workspace shows them). The person is the token's
`preferred_username` (Keycloak), else its subject."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, StrictBool

from cii_platform.http import CurrentPrincipal, not_found
from cii_platform.security.tokens import Principal

from ...bootstrap import NotifierService
from ...domain.people import Preferences

router = APIRouter(prefix="/api/v1", tags=["inbox"])


def service_of(request: Request) -> NotifierService:
    service: NotifierService = request.app.state.service
    return service


Service = Annotated[NotifierService, Depends(service_of)]


def username_of(principal: Principal) -> str:
    name = principal.claims.get("preferred_username")
    return name if isinstance(name, str) and name else principal.subject


class InboxItem(BaseModel):
    id: str
    kind: str
    reference: str
    situation_id: str
    created_at: datetime
    read: bool


class InboxPage(BaseModel):
    items: list[InboxItem]
    total: int


class PreferencesBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["fr", "de"]
    digest: StrictBool  # `0` or `"yes"` is not a yes or no: the document says boolean, the server holds to it


@router.get("/inbox", response_model=InboxPage)
async def inbox(principal: CurrentPrincipal, service: Service,
                unread: Annotated[bool, Query(description="only the unread items")] = False,
                limit: Annotated[int, Query(ge=1, le=200)] = 50,
                offset: Annotated[int, Query(ge=0)] = 0) -> InboxPage:
    """The person's notifications, newest first."""
    documents, total = await service.deliveries.inbox(username_of(principal), unread_only=unread,
                                                      offset=offset, limit=limit)
    return InboxPage(total=total, items=[InboxItem(
        id=d["_id"], kind=d["kind"], reference=d["reference"], situation_id=d["situation_id"],
        created_at=d["created_at"], read=d.get("read_at") is not None) for d in documents])


@router.post("/inbox/{item_id}/read", status_code=204, responses={404: {"description": "no such item of yours"}})
async def mark_read(item_id: str, principal: CurrentPrincipal, service: Service) -> None:
    """Marks one of the person's items read (again: no change)."""
    if not await service.deliveries.mark_read(username_of(principal), item_id, service.clock.now()):
        raise not_found("inbox item")


@router.get("/preferences", response_model=PreferencesBody)
async def get_preferences(principal: CurrentPrincipal, service: Service) -> PreferencesBody:
    stored = await service.preferences.get(username_of(principal))
    return PreferencesBody(language=stored.language or "fr", digest=stored.digest)


@router.put("/preferences", response_model=PreferencesBody)
async def put_preferences(body: PreferencesBody, principal: CurrentPrincipal, service: Service) -> PreferencesBody:
    """The language of the e-mails (fr, de) and a daily digest instead of one e-mail per event."""
    await service.preferences.put(username_of(principal), Preferences(body.language, body.digest))
    return body
