"""The key custodian: one data key per (person, category, controlling institution), wrapped by the master
key; released to its controller, or to any other institution (the bureau included) only on a PERMIT
decision taken at the time of the release; every issue, release and migration audited.

Keys of the former layout (`{person}/{category}`, shared by every institution that announced the
person) have no controller any more: they are released only on a PERMIT, and `migrate` hands one, once
per stored section, to a platform service re-sealing that section under its controller's own key."""

import asyncio
import hashlib
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts.codes import BUREAU
from cii_platform.security.crypto import new_data_key, unwrap_key, wrap_key
from cii_platform.security.custody import (
    KeyErased,
    KeyReleaseDenied,
    ReleaseRequest,
    key_id_for,
    parse_key_id,
)

from .audit import Action, AuditEvent, AuditTrail
from .decisions import DecisionPoint
from .ports import KeyStore


class UnknownKey(Exception):
    pass


def master_fingerprint(master_key: bytes) -> str:
    """Which master key wrapped a data key (so a rotation can tell done from pending), never the key."""
    return hashlib.sha256(b"cii-master-key|" + master_key).hexdigest()[:16]


def person_of(key_id: str) -> tuple[str, str]:
    parsed = parse_key_id(key_id)
    return parsed.person_pseudonym, parsed.category


def controller_of(document: dict[str, Any]) -> str | None:
    """The one institution a key is released to without a decision (None for a former shared key)."""
    parsed = parse_key_id(str(document["_id"]))
    if parsed.controller is None or document.get("controller") != parsed.controller:
        return None
    return parsed.controller


class KeyCustodian:
    def __init__(self, store: KeyStore, master_key: bytes, decisions: DecisionPoint, audit: AuditTrail,
                 clock: Clock) -> None:
        self._store = store
        self._master_key = master_key
        self._fingerprint = master_fingerprint(master_key)
        self._decisions = decisions
        self._audit = audit
        self._clock = clock

    async def issue(self, person_pseudonym: str, category: str, controller: str,
                    actor: dict[str, Any]) -> tuple[str, bytes]:
        """The controller's key for a person's category, created on first use."""
        if await self._store.is_erased(person_pseudonym):
            raise KeyErased(person_pseudonym)
        key_id = key_id_for(person_pseudonym, category, controller)
        document = await self._store.get(key_id)
        if document is None:
            await self._store.create({
                "_id": key_id, "person_pseudonym": person_pseudonym, "category": category,
                "wrapped": wrap_key(new_data_key(), self._master_key, key_id=key_id),
                "master_fingerprint": self._fingerprint, "controller": controller,
                "created_at": self._clock.now()})
            document = await self._store.get(key_id)
        if document is None or await self._store.is_erased(person_pseudonym):
            await self._store.destroy_person(person_pseudonym)  # erased while we created it
            raise KeyErased(person_pseudonym)
        await self._audit.record(AuditEvent(actor=actor, action=Action.KEY_ISSUE, person_pseudonym=person_pseudonym,
                                            outcome="ISSUED", categories=[category],
                                            details={"controller": controller, "key_id": key_id}))
        return key_id, self._unwrap(document)

    async def issue_many(self, requests: list[tuple[str, str, str]],
                         actor: dict[str, Any]) -> list[tuple[str, bytes] | KeyErased]:
        """`issue` for a batch of (person, category, controller): one lookup, one unordered insert of the
        new keys, one read of them, and the audit entries in one group commit."""
        key_ids = [key_id_for(*request) for request in requests]
        wanted: dict[str, tuple[str, str, str]] = {}
        for key_id, request in zip(key_ids, requests, strict=True):
            if not await self._store.is_erased(request[0]):
                wanted[key_id] = request
        documents = await self._store.get_many(sorted(wanted))
        new: list[dict[str, Any]] = []
        for key_id, (person, category, controller) in wanted.items():
            if key_id not in documents:
                new.append({"_id": key_id, "person_pseudonym": person, "category": category,
                            "wrapped": wrap_key(new_data_key(), self._master_key, key_id=key_id),
                            "master_fingerprint": self._fingerprint, "controller": controller,
                            "created_at": self._clock.now()})
        if new:
            await self._store.create_many(new)
            documents.update(await self._store.get_many([document["_id"] for document in new]))
        answers: list[tuple[str, bytes] | KeyErased] = []
        audited: list[AuditEvent] = []
        for key_id, (person, category, controller) in zip(key_ids, requests, strict=True):
            document = documents.get(key_id)
            if key_id not in wanted or await self._store.is_erased(person):
                if document is not None:
                    await self._store.destroy_person(person)  # erased while we created it
                answers.append(KeyErased(person))
                continue
            if document is None:  # acknowledged, not found (FerretDB v1): the caller retries the batch
                raise RuntimeError(f"key {key_id} was written but cannot be read back")
            answers.append((key_id, self._unwrap(document)))
            audited.append(AuditEvent(actor=actor, action=Action.KEY_ISSUE, person_pseudonym=person,
                                      outcome="ISSUED", categories=[category],
                                      details={"controller": controller, "key_id": key_id}))
        await asyncio.gather(*(self._audit.record(event) for event in audited))
        return answers

    async def release(self, request: ReleaseRequest) -> bytes:
        person_pseudonym, category = person_of(request.key_id)
        outcome, reason, procuration_id = "DENIED", "", None
        try:
            if await self._store.is_erased(person_pseudonym):
                outcome, reason = "ERASED", "person_erased"
                raise KeyErased(request.key_id)
            document = await self._store.get(request.key_id)
            if document is None:
                outcome, reason = "UNKNOWN", "no such key"
                raise UnknownKey(request.key_id)
            if request.institution == controller_of(document):
                outcome, reason = "RELEASED", "controller"
                return self._unwrap(document)
            decision = await self._decisions.evaluate(requester=request.institution,
                                                      person_pseudonym=person_pseudonym, category=category,
                                                      purpose=request.purpose)
            reason, procuration_id = decision.reason, decision.procuration_id
            if not decision.permitted:
                raise KeyReleaseDenied(f"{decision.reason}: no procuration permits {request.institution} "
                                       f"to read {category} for {request.purpose}")
            outcome = "RELEASED"
            return self._unwrap(document)
        finally:
            await self._audit.record(AuditEvent(
                actor=request.actor, action=Action.KEY_RELEASE, person_pseudonym=person_pseudonym,
                outcome=outcome, categories=[category], purpose=request.purpose, procuration_id=procuration_id,
                details={"institution": request.institution, "reason": reason, "resource": request.resource,
                         "key_id": request.key_id}))

    async def migrate(self, legacy_key_id: str, controller: str, actor: dict[str, Any]) -> tuple[bytes, str, bytes]:
        """A former shared key, to a platform service re-sealing a section it holds under the controller's
        own key (which is issued). The controller must have used the shared key (the bureau was a
        controller of every shared key by the former rule). Audited."""
        person_pseudonym, category = person_of(legacy_key_id)
        if await self._store.is_erased(person_pseudonym):
            raise KeyErased(legacy_key_id)
        document = await self._store.get(legacy_key_id)
        if document is None or controller_of(document) is not None:
            raise UnknownKey(legacy_key_id)
        if controller not in (BUREAU, *document.get("controllers", [])):
            raise KeyReleaseDenied(f"{controller} never controlled {legacy_key_id}")
        legacy_key = self._unwrap(document)
        key_id, key = await self.issue(person_pseudonym, category, controller, actor)
        await self._audit.record(AuditEvent(actor=actor, action=Action.KEY_MIGRATE, person_pseudonym=person_pseudonym,
                                            outcome="MIGRATED", categories=[category],
                                            details={"from": legacy_key_id, "to": key_id}))
        return legacy_key, key_id, key

    def _unwrap(self, document: dict[str, Any]) -> bytes:
        if document.get("master_fingerprint") not in (None, self._fingerprint):
            raise RuntimeError("data key wrapped by another master key: finish the master key rotation")
        return unwrap_key(document["wrapped"], self._master_key, key_id=document["_id"])

