"""Start-up migration: staff names of round-table participants stored in clear before they were sealed
are sealed now, under the bureau's key (the bureau schedules the round tables). Idempotent: a record
without a clear name is left alone; a measure changed meanwhile is taken at the next start."""

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from cii_platform.contracts.codes import BUREAU
from cii_platform.security.custody import KeyErased
from cii_platform.startup import start_up_job

from .measure_handlers import participant_context
from .sealing import Sealer

log = logging.getLogger(__name__)


async def seal_clear_names(collection: Any, sealer: Sealer) -> int:
    sealed_measures = 0
    async for document in collection.find({"participants.0": {"$exists": True}},
                                           {"participants": 1, "version": 1, "situation": 1}):
        participants = document.get("participants") or []
        if not any(isinstance(p.get("person_name"), str) for p in participants):
            continue
        person = str((document.get("situation") or {}).get("person_pseudonym") or "")
        try:
            changed = [await _sealed(sealer, p, person, participant_context(document["_id"], i))
                       for i, p in enumerate(participants)]
        except KeyErased:
            changed = [{**p, "person_name": None} for p in participants]  # unreadable anyway: dropped
        result = await collection.update_one({"_id": document["_id"], "version": document.get("version")},
                                             {"$set": {"participants": changed}})
        sealed_measures += result.modified_count
    return sealed_measures


async def _sealed(sealer: Sealer, participant: dict[str, Any], person: str, context: str) -> dict[str, Any]:
    name = participant.get("person_name")
    if not isinstance(name, str) or not person:
        return participant
    section = await sealer.seal_text(BUREAU, name, person, context)
    return {**participant, "person_name": section.model_dump() if section else None}


def sealing_loop(collection: Any, sealer: Sealer) -> Callable[[], Awaitable[None]]:
    """Runs at start in the background, retrying while the key custodian is not reachable yet."""
    return start_up_job(lambda: seal_clear_names(collection, sealer),
                        waiting="participant names wait for the key custodian",
                        done="sealed the participant names of %d measure(s)")
