"""Start-up migration to one data key per (person, category, controlling institution).

Sections sealed under a former shared per-person key are sealed again under their controller's own key:
the identity and summary under the announcing institution's (`recorded_by`), a triage reason under the
triaging institution's (the bureau). Idempotent: a section already under a controller's key is left
alone, a situation changed meanwhile is taken again at the next pass. Until a section is migrated, its
shared key is released only under a procuration PERMIT (the custodian's rule), so nothing is exposed.
"""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from cii_platform.contracts.codes import BUREAU
from cii_platform.security.custody import KeyCustody, KeyErased, KeyReleaseDenied, reseal_legacy
from cii_platform.startup import start_up_job

from .ports import Document

log = logging.getLogger(__name__)
PROJECTION = {"sealed": 1, "versions": 1, "triage": 1, "recorded_by": 1, "version": 1, "status": 1}


async def _resealed(custody: KeyCustody, sections: dict[str, Any], controller: str,
                    context: str) -> dict[str, Any] | None:
    changed = False
    result = dict(sections)
    for name, section in sections.items():
        resealed = await reseal_legacy(custody, section, controller=controller, context=context)
        if resealed is not None:
            result[name], changed = resealed, True
    return result if changed else None


async def migrated_fields(custody: KeyCustody, situation: Document) -> dict[str, Any]:
    """The fields to write for one situation (empty when nothing is under a shared key)."""
    context, announcer = situation["_id"], situation["recorded_by"]
    fields: dict[str, Any] = {}
    sealed = await _resealed(custody, situation.get("sealed") or {}, announcer, context)
    if sealed is not None:
        fields["sealed"] = sealed
    versions, versions_changed = [], False
    for entry in situation.get("versions") or []:
        resealed = await _resealed(custody, entry.get("sealed") or {}, announcer, context)
        versions_changed |= resealed is not None
        versions.append({**entry, "sealed": resealed} if resealed is not None else entry)
    if versions_changed:
        fields["versions"] = versions
    triage = situation.get("triage") or {}
    if triage.get("reason"):
        triager = str(triage.get("triaged_by") or BUREAU).split(":", 1)[0] or BUREAU
        reason = await reseal_legacy(custody, triage["reason"], controller=triager, context=context)
        if reason is not None:
            fields["triage.reason"] = reason
    return fields


async def migrate_once(collection: Any, custody: KeyCustody) -> int:
    """One pass over the situations; how many were re-sealed."""
    migrated = 0
    async for situation in collection.find({"erased": {"$ne": True}}, PROJECTION):
        try:
            fields = await migrated_fields(custody, situation)
        except KeyErased:
            continue  # the keys are gone: the erasure handling drops these copies
        except (KeyReleaseDenied, httpx.HTTPStatusError) as exc:
            log.error("situation %s keeps a section under a shared key: %s", situation["_id"], exc)
            continue
        if not fields:
            continue
        result = await collection.update_one(
            {"_id": situation["_id"], "version": situation.get("version"), "status": situation.get("status")},
            {"$set": fields})
        migrated += result.modified_count
    return migrated


def migration_loop(collection: Any, custody: KeyCustody) -> Callable[[], Awaitable[None]]:
    """Runs at start in the background, retrying while the key custodian is not reachable yet."""
    return start_up_job(lambda: migrate_once(collection, custody), until_nothing_left=True,
                        waiting="key migration waits for the key custodian",
                        done="key migration: %d situation(s) re-sealed under their controller's own keys")
