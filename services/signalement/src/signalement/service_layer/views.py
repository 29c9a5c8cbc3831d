"""The read side: one situation (personal sections opened for an allowed caller, every read logged),
lists filtered to what the caller may see, overdue triages."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts.codes import DataCategory
from cii_platform.contracts.internal_signalement import STATUS_SUBMITTED
from cii_platform.security.custody import KeyErased, KeyReleaseDenied
from cii_platform.security.tokens import Principal

from .access import (
    SituationNotFound,
    coordinates,
    institution_scoped,
    invites_the_person,
    may_ask_procuration,
    reads_person_directly,
    sees_directly,
    sees_every_situation,
    visibility_query,
)
from .personal_data import PersonalData
from .ports import Document, ProcurationGrants, ReadLog, SituationRepository

GRANTED, DENIED, ERASED, NOT_AUTHORIZED = "GRANTED", "DENIED", "ERASED", "NOT_AUTHORIZED"


@dataclass(frozen=True)
class SituationFilter:
    status: str | None = None
    region: str | None = None
    public: str | None = None
    institution: str | None = None
    announced_from: date | None = None
    announced_to: date | None = None
    triage_overdue: bool = False
    person_pseudonym: str | None = None  # search by AVS number, through the keyed pseudonym
    external_ref: str | None = None


@dataclass
class OpenedSections:
    access: str
    sections: dict[str, Any]


@dataclass
class SituationRead:
    situation: Document
    opened: OpenedSections
    linked_situations: list[str]


class SituationViews:
    def __init__(self, repository: SituationRepository, personal_data: PersonalData, read_log: ReadLog,
                 grants: ProcurationGrants, clock: Clock) -> None:
        self._repository = repository
        self._grants = grants
        self._personal_data = personal_data
        self._read_log = read_log
        self.clock = clock

    async def get(self, principal: Principal, situation_id: str) -> SituationRead:
        situation = await self._repository.get(situation_id)
        if situation is None:
            raise SituationNotFound(situation_id)
        opened = await self._opened_for(principal, situation)
        linked: list[str] = []
        if coordinates(principal, situation) or sees_every_situation(principal):
            # the coordinator sees every open situation of the same person, linked, never merged
            linked = await self._repository.open_situations_of(situation["person_pseudonym"],
                                                               excluding=situation["_id"])
        return SituationRead(situation, opened, linked)

    async def _opened_for(self, principal: Principal, situation: Document) -> OpenedSections:
        if (reads_person_directly(principal, situation) or may_ask_procuration(principal, situation)
                or invites_the_person(principal)):
            opened = await self._open(principal, situation)
            if opened.access == GRANTED or sees_directly(principal, situation):
                return opened
            raise SituationNotFound(situation["_id"])  # a co-follower without a valid procuration
        if sees_directly(principal, situation):
            return OpenedSections(ERASED if situation.get("erased") else NOT_AUTHORIZED, {})
        raise SituationNotFound(situation["_id"])

    async def _open(self, principal: Principal, situation: Document) -> OpenedSections:
        """Each category on its own: a procuration may permit IDENTITY and not SOCIAL. Without the
        identity, nothing is shown."""
        if situation.get("erased"):
            return OpenedSections(ERASED, {})
        sections = dict(situation.get("sealed") or {})
        reason = (situation.get("triage") or {}).get("reason")
        if reason:
            sections["triage_reason"] = reason
        opened: dict[str, Any] = {}
        access = GRANTED
        try:
            for name, section in sections.items():
                try:
                    opened[name] = await self._personal_data.open_section(section, principal,
                                                                          context=situation["_id"])
                except KeyReleaseDenied:
                    if name == DataCategory.IDENTITY.value:
                        raise
        except KeyReleaseDenied:
            access, opened = DENIED, {}
        except KeyErased:
            access, opened = ERASED, {}
            await self._repository.mark_erased(situation["person_pseudonym"])
        await self._log_read(principal, situation, access)
        return OpenedSections(access, opened)

    async def _log_read(self, principal: Principal, situation: Document, access: str) -> None:
        await self._read_log.record({
            "situation_id": situation["_id"], "person_pseudonym": situation["person_pseudonym"],
            "actor": principal.audit_actor(), "institution": principal.institution, "outcome": access,
            "at": self.clock.now()})

    async def list(self, principal: Principal, wanted: SituationFilter, *, offset: int,
                   limit: int) -> tuple[list[Document], int]:
        query = await self._visible_query(principal)
        conditions = [c for c in (query, self._filter_query(wanted)) if c]
        combined = {"$and": conditions} if len(conditions) > 1 else (conditions[0] if conditions else {})
        return (await self._repository.find(combined, offset=offset, limit=limit),
                await self._repository.count(combined))

    async def _visible_query(self, principal: Principal) -> dict[str, Any]:
        direct = visibility_query(principal)
        if not institution_scoped(principal):
            return direct  # the bureau's roles: no co-following
        persons = await self._grants.persons_granted_to(principal.institution, self.clock.today())
        if not persons:
            return direct
        co_followed = {"co_following": principal.institution, "person_pseudonym": {"$in": persons}}
        return {"$or": [direct, co_followed]}

    def _filter_query(self, wanted: SituationFilter) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for name in ("status", "region", "public", "institution", "person_pseudonym", "external_ref"):
            if getattr(wanted, name):
                query[name] = getattr(wanted, name)
        announced: dict[str, str] = {}
        if wanted.announced_from:
            announced["$gte"] = wanted.announced_from.isoformat()
        if wanted.announced_to:
            announced["$lte"] = wanted.announced_to.isoformat()
        if announced:
            query["announced_on"] = announced
        if wanted.triage_overdue:
            query["status"] = STATUS_SUBMITTED
            query["triage_due_on"] = {"$lt": self.clock.today().isoformat()}
        return query
