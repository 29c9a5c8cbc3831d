"""A local projection of the procurations (from the procuration service's internal events): which
persons an institution co-follows under a procuration in force, so a list is one store query.
Reading a person's data still asks the custodian, which decides on the procuration itself."""

from datetime import date
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from cii_platform.consent.model import Status, in_force_on
from cii_platform.store import Document

GRANTS = "procuration_grants"


def grant_in_force(document: Document, on: date) -> bool:
    """The procuration service's own rule (cii_platform.consent.model), applied to the projected fields."""
    superseded_on = document.get("superseded_on")
    return in_force_on(Status(document.get("status", Status.ACTIVE)), date.fromisoformat(document["valid_from"]),
                       date.fromisoformat(document["valid_until"]),
                       date.fromisoformat(superseded_on) if superseded_on else None, on)


class MongoProcurationGrants:
    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.collection = collection

    async def create_indexes(self) -> None:
        await self.collection.create_index("parties")

    async def record(self, procuration_id: str, fields: dict[str, Any]) -> None:
        await self.collection.update_one({"_id": procuration_id}, {"$set": fields}, upsert=True)

    async def set_status(self, procuration_id: str, person_pseudonym: str, status: str) -> None:
        await self.collection.update_one({"_id": procuration_id},
                                         {"$set": {"status": status, "person_pseudonym": person_pseudonym}},
                                         upsert=True)

    async def persons_granted_to(self, institution: str, on: date) -> list[str]:
        # The store narrows by party and period; the rule itself decides (superseded from the successor's start).
        cursor = self.collection.find({"parties": institution, "status": {"$ne": Status.REVOKED.value},
                                       "valid_from": {"$lte": on.isoformat()},
                                       "valid_until": {"$gte": on.isoformat()}})
        return sorted({d["person_pseudonym"] async for d in cursor if grant_in_force(d, on)})
