"""Recording, renewing and revoking procurations: one code path for Kafka and HTTP."""

from dataclasses import dataclass
from typing import Any

from cii_platform.clock import Clock
from cii_platform.consent.model import Procuration, Status
from cii_platform.contracts.codes import BUREAU, DataCategory
from cii_platform.contracts.inbound import ProcurationRevoked, ProcurationSigned
from cii_platform.security.crypto import seal
from cii_platform.security.custody import KeyErased
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.validation import DomainValidationError, error

from . import events
from .audit import Action, AuditEvent, AuditTrail
from .custody import KeyCustodian
from .ports import ProcurationRepository


@dataclass(frozen=True)
class RecordProcuration:
    institution: str
    payload: ProcurationSigned
    actor: dict[str, Any]


@dataclass(frozen=True)
class RevokeProcuration:
    institution: str
    payload: ProcurationRevoked
    actor: dict[str, Any]


def may_manage(procuration: Procuration, institution: str) -> bool:
    return institution in (BUREAU, procuration.recorded_by) or institution in procuration.parties


class ProcurationRegistry:
    def __init__(self, repository: ProcurationRepository, custodian: KeyCustodian,
                 pseudonymizer: Pseudonymizer, audit: AuditTrail, clock: Clock) -> None:
        self._repository = repository
        self._custodian = custodian
        self._pseudonymizer = pseudonymizer
        self._audit = audit
        self._clock = clock

    async def record(self, command: RecordProcuration) -> str:
        payload = command.payload
        if payload.signed_on > self._clock.today():
            raise DomainValidationError([error("signed_on", "must not be in the future")])
        procuration = self._procuration_of(command)
        existing = await self._repository.get(procuration.procuration_id)
        if existing is not None and not existing.same_terms(procuration):
            raise DomainValidationError([error("procuration_id", "already recorded with other terms")])
        if existing is None:
            identity = await self._sealed_identity(command, procuration)
            await self._repository.insert(procuration, identity, [events.procuration_recorded(procuration)])
            await self._audit.record(AuditEvent(
                actor=command.actor, action=Action.PROCURATION_RECORDED,
                person_pseudonym=procuration.person_pseudonym, outcome="RECORDED",
                categories=procuration.categories, procuration_id=procuration.procuration_id))
        await self._apply_renewals(procuration.person_pseudonym)
        return procuration.procuration_id

    def _procuration_of(self, command: RecordProcuration) -> Procuration:
        payload = command.payload
        return Procuration(
            procuration_id=payload.procuration_id,
            person_pseudonym=self._pseudonymizer.person(payload.person.avs_number),
            signed_on=payload.signed_on, valid_from=payload.valid_from, valid_until=payload.valid_until,
            parties=frozenset(payload.parties), categories=frozenset(c.value for c in payload.categories),
            purposes=frozenset(p.value for p in payload.purposes), document_sha256=payload.document_sha256,
            recorded_by=command.institution)

    async def _sealed_identity(self, command: RecordProcuration, procuration: Procuration) -> dict[str, Any]:
        try:
            key_id, key = await self._custodian.issue(procuration.person_pseudonym, DataCategory.IDENTITY.value,
                                                      command.institution, command.actor)
        except KeyErased as exc:
            raise DomainValidationError([error("person", "this person's data was erased")]) from exc
        identity = command.payload.person.model_dump(mode="json")
        return seal(identity, key, key_id, context=procuration.procuration_id).model_dump()

    async def _apply_renewals(self, person_pseudonym: str) -> None:
        """Renewal: the latest procuration covering the same parties supersedes the older ones
        from its valid_from (idempotent: guarded by the stored state)."""
        procurations = await self._repository.for_person(person_pseudonym)
        for older in procurations:
            newer = older.successor_among(procurations)
            if newer is None or (older.superseded_by, older.superseded_on) == (newer.procuration_id,
                                                                              newer.valid_from):
                continue
            event = events.procuration_status(older, Status.SUPERSEDED, newer.valid_from, newer.procuration_id)
            await self._repository.transition(
                older.procuration_id,
                {"status": older.status.value, "superseded_by": older.superseded_by},
                {"status": Status.SUPERSEDED.value, "superseded_by": newer.procuration_id,
                 "superseded_on": newer.valid_from.isoformat()}, [event])

    async def revoke(self, command: RevokeProcuration) -> str:
        while True:
            procuration = await self._revocable(command)
            if procuration.status is Status.REVOKED:
                return procuration.procuration_id
            if await self._apply_revocation(command, procuration):
                break
            # The stored status changed between the read and the write (a renewal superseded it): the
            # compare-and-set wrote nothing, so decide again on what is stored now.
        await self._audit.record(AuditEvent(
            actor=command.actor, action=Action.PROCURATION_REVOKED, person_pseudonym=procuration.person_pseudonym,
            outcome="REVOKED", procuration_id=procuration.procuration_id))
        return procuration.procuration_id

    async def _revocable(self, command: RevokeProcuration) -> Procuration:
        procuration = await self._repository.get(command.payload.procuration_id)
        if procuration is None or not may_manage(procuration, command.institution):
            raise DomainValidationError([error("procuration_id", "no such procuration")])
        if command.payload.revoked_on < procuration.signed_on:
            raise DomainValidationError([error("revoked_on", "must not be before signed_on")])
        return procuration

    async def _apply_revocation(self, command: RevokeProcuration, procuration: Procuration) -> bool:
        revoked_on = command.payload.revoked_on
        reason = await self._sealed_reason(command, procuration)
        event = events.procuration_status(procuration, Status.REVOKED, revoked_on)
        return await self._repository.transition(
            procuration.procuration_id, {"status": procuration.status.value},
            {"status": Status.REVOKED.value, "revoked_on": revoked_on.isoformat(), "revoke_reason": reason,
             "revoked_by": command.institution}, [event])

    async def _sealed_reason(self, command: RevokeProcuration, procuration: Procuration) -> dict[str, Any] | None:
        """The revocation reason is free text: kept sealed under the person's identity key."""
        try:
            key_id, key = await self._custodian.issue(
                procuration.person_pseudonym, DataCategory.IDENTITY.value, command.institution, command.actor)
        except KeyErased:
            return None
        return seal({"reason": command.payload.reason}, key, key_id,
                    context=procuration.procuration_id).model_dump()

