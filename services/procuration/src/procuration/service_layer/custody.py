"""The key custodian: data keys per (person, category), wrapped by the master key; released to the
controllers of the data, or to an institution only on a PERMIT decision; every release audited."""

import hashlib
from typing import Any

from cii_platform.contracts.codes import BUREAU
from cii_platform.security.crypto import new_data_key, unwrap_key, wrap_key
from cii_platform.security.custody import KeyErased, KeyReleaseDenied, ReleaseRequest, key_id_for

from ..adapters.mongo_key_store import MongoKeyStore
from ..clock import Clock
from .audit import Action, AuditEvent, AuditTrail
from .decisions import DecisionPoint


class UnknownKey(Exception):
    pass


def master_fingerprint(master_key: bytes) -> str:
    """Which master key wrapped a data key (so a rotation can tell done from pending), never the key."""
    return hashlib.sha256(b"cii-master-key|" + master_key).hexdigest()[:16]


def person_of(key_id: str) -> tuple[str, str]:
    person, _, category = key_id.partition("/")
    return person, category


class KeyCustodian:
    def __init__(self, store: MongoKeyStore, master_key: bytes, decisions: DecisionPoint, audit: AuditTrail,
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
        key_id = key_id_for(person_pseudonym, category)
        document = await self._store.get(key_id)
        if document is None:
            await self._store.create({
                "_id": key_id, "person_pseudonym": person_pseudonym, "category": category,
                "wrapped": wrap_key(new_data_key(), self._master_key, key_id=key_id),
                "master_fingerprint": self._fingerprint, "controllers": [controller],
                "created_at": self._clock.now()})
            document = await self._store.get(key_id)
        if document is None or await self._store.is_erased(person_pseudonym):
            await self._store.destroy_person(person_pseudonym)  # erased while we created it
            raise KeyErased(person_pseudonym)
        if controller not in document.get("controllers", []):
            await self._store.add_controller(key_id, controller)
        await self._audit.record(AuditEvent(actor=actor, action=Action.KEY_ISSUE, person_pseudonym=person_pseudonym,
                                            outcome="ISSUED", categories=[category],
                                            details={"controller": controller, "key_id": key_id}))
        return key_id, self._unwrap(document)

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
            if request.institution in (BUREAU, *document.get("controllers", [])):
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

    def _unwrap(self, document: dict[str, Any]) -> bytes:
        if document.get("master_fingerprint") not in (None, self._fingerprint):
            raise RuntimeError("data key wrapped by another master key: finish the master key rotation")
        return unwrap_key(document["wrapped"], self._master_key, key_id=document["_id"])

