"""Erasure (right to be forgotten) and retention: destroying a person's data keys makes every sealed
copy of their data, in every topic and store, unreadable."""

from datetime import date
from typing import Any

from cii_platform.clock import Clock

from . import events
from .audit import Action, AuditEvent, AuditTrail, system_actor
from .ports import KeyStore, ProcurationRepository, SituationRepository


class Eraser:
    def __init__(self, keys: KeyStore, procurations: ProcurationRepository,
                 situations: SituationRepository, audit: AuditTrail, clock: Clock,
                 retention_years: int) -> None:
        self._keys = keys
        self._procurations = procurations
        self._situations = situations
        self._audit = audit
        self._clock = clock
        self._retention_years = retention_years

    async def knows(self, person_pseudonym: str) -> bool:
        """A person the CII holds something about (a key, a procuration, a situation) or already erased;
        an unknown pseudonym is answered 404 and leaves no erasure record."""
        return (await self._keys.is_erased(person_pseudonym) or await self._keys.has_keys(person_pseudonym)
                or bool(await self._procurations.for_person(person_pseudonym))
                or await self._situations.knows_person(person_pseudonym))

    async def erase(self, person_pseudonym: str, actor: dict[str, Any], *, cause: str = "request") -> bool:
        """Tombstone first (no key is issued after it), then destroy the keys; idempotent."""
        erased_at = self._clock.now()
        created = await self._keys.record_erasure(person_pseudonym, erased_at, actor,
                                                  [events.person_erased(person_pseudonym, erased_at)])
        destroyed = await self._keys.destroy_person(person_pseudonym)
        await self._procurations.forget_identity(person_pseudonym)
        if created:
            await self._audit.record(AuditEvent(
                actor=actor, action=Action.PERSON_ERASED, person_pseudonym=person_pseudonym, outcome="ERASED",
                details={"keys_destroyed": destroyed, "cause": cause}))
        return created

    def retention_cutoff(self) -> date:
        today = self._clock.today()
        try:
            return today.replace(year=today.year - self._retention_years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - self._retention_years, day=28)

    async def purge_expired_retention(self) -> list[str]:
        purged = []
        for person in await self._situations.persons_closed_before(self.retention_cutoff()):
            if await self._keys.is_erased(person):
                continue
            await self.erase(person, system_actor("retention"), cause="retention")
            purged.append(person)
        return purged

