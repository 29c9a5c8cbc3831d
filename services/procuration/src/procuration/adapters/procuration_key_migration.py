"""Start-up migration of the procurations' sealed identity and revocation reason to one data key per
(person, category, controlling institution): the identity under the recording institution's own key,
the reason under the revoking institution's. Idempotent (sections already migrated are skipped)."""

import logging
from typing import Any

from cii_platform.security.custody import (
    KeyAnswer,
    KeyErased,
    KeyReleaseDenied,
    KeyRequest,
    ReleaseRequest,
    data_keys_one_by_one,
    reseal_legacy,
)

from ..service_layer.audit import system_actor
from ..service_layer.custody import KeyCustodian, UnknownKey
from .mongo_procurations import MongoProcurationRepository

log = logging.getLogger(__name__)
ACTOR = system_actor("key-migration")


class _Local:
    """The custodian in this process, seen through the client interface `reseal_legacy` uses."""

    def __init__(self, custodian: KeyCustodian) -> None:
        self._custodian = custodian

    async def data_key(self, person_pseudonym: str, category: str, *, controller: str) -> tuple[str, bytes]:
        return await self._custodian.issue(person_pseudonym, category, controller, ACTOR)

    async def data_keys(self, requests: list[KeyRequest]) -> dict[KeyRequest, KeyAnswer]:
        return await data_keys_one_by_one(self, requests)

    async def release(self, request: ReleaseRequest) -> bytes:
        return await self._custodian.release(request)

    async def migrate(self, legacy_key_id: str, *, controller: str) -> tuple[bytes, str, bytes]:
        return await self._custodian.migrate(legacy_key_id, controller, ACTOR)


async def migrate_procurations(repository: MongoProcurationRepository, custodian: KeyCustodian) -> int:
    custody, migrated = _Local(custodian), 0
    cursor = repository.collection.find({}, {"identity": 1, "revoke_reason": 1, "recorded_by": 1,
                                             "revoked_by": 1})
    async for document in cursor:
        fields: dict[str, Any] = {}
        try:
            for name, controller in (("identity", document.get("recorded_by")),
                                     ("revoke_reason", document.get("revoked_by") or document.get("recorded_by"))):
                if document.get(name) and controller:
                    resealed = await reseal_legacy(custody, document[name], controller=str(controller),
                                                   context=str(document["_id"]))
                    if resealed is not None:
                        fields[name] = resealed
        except (KeyErased, UnknownKey, KeyReleaseDenied) as exc:
            log.warning("procuration %s keeps a section under a shared key: %r", document["_id"], exc)
            continue
        if fields:
            await repository.collection.update_one({"_id": document["_id"]}, {"$set": fields})
            migrated += 1
    if migrated:
        log.info("key migration: %d procuration(s) re-sealed under their controller's own keys", migrated)
    return migrated
