"""In-memory adapters and builders for the signalement unit tests (no I/O)."""

import copy
from datetime import UTC, date, datetime
from typing import Any

from cii_platform.clock import SWISS_TIME
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.inbound import SignalementSubmitted
from cii_platform.messaging.outbox import OUTBOX, with_outbox
from cii_platform.reference import load_reference_data
from cii_platform.security.custody import FakeKeyCustody
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.security.tokens import Principal
from signalement.adapters.mongo_procuration_grants import grant_in_force
from signalement.bootstrap import SignalementService, build_service

REFERENCE = load_reference_data()
TODAY = date(2026, 3, 16)  # a Monday


class FixedClock:
    def __init__(self, at: datetime = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.astimezone(SWISS_TIME).date()


def matches(document: dict[str, Any], query: dict[str, Any]) -> bool:
    """The subset of the MongoDB query language the service uses."""
    for field, condition in query.items():
        if field == "$and":
            if not all(matches(document, q) for q in condition):
                return False
        elif field == "$or":
            if not any(matches(document, q) for q in condition):
                return False
        elif not _field_matches(_value_at(document, field), condition):
            return False
    return True


def _value_at(document: dict[str, Any], path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _field_matches(value: Any, condition: Any) -> bool:
    if isinstance(condition, dict) and all(k.startswith("$") for k in condition):
        return all(_operator(value, op, arg) for op, arg in condition.items())
    if isinstance(value, list) and not isinstance(condition, list):
        return condition in value
    return bool(value == condition)


def _operator(value: Any, op: str, arg: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if op == "$ne":
        return arg not in values
    if op == "$in":
        return any(v in arg for v in values)
    comparisons = {"$gte": lambda v: v >= arg, "$lte": lambda v: v <= arg, "$lt": lambda v: v < arg}
    return value is not None and bool(comparisons[op](value))


class InMemorySituationRepository:
    read_back_writes = True

    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}
        self.insert_many_calls = 0

    async def existing_ids(self, situation_ids: list[str]) -> set[str]:
        return {i for i in situation_ids if i in self.documents}

    async def insert_many(self, documents: list[dict[str, Any]]) -> set[str]:
        self.insert_many_calls += 1
        return {d["_id"] for d in documents if await self.insert(d)}

    async def applied(self, events: dict[str, str]) -> set[str]:
        return {i for i, e in events.items() if i in self.documents and e in self.documents[i]["applied_events"]}

    async def open_situations_of_many(self, person_pseudonyms: list[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for i, d in sorted(self.documents.items()):
            if d["person_pseudonym"] in person_pseudonyms and d["status"] != "CLOSED":
                found.setdefault(d["person_pseudonym"], []).append(i)
        return found

    async def get(self, situation_id: str) -> dict[str, Any] | None:
        found = self.documents.get(situation_id)
        return copy.deepcopy(found) if found else None

    async def insert(self, document: dict[str, Any]) -> bool:
        if document["_id"] in self.documents:
            return False
        self.documents[document["_id"]] = copy.deepcopy(document)
        return True

    def _apply(self, document: dict[str, Any], update: dict[str, Any]) -> None:
        document.update(copy.deepcopy(update.get("$set", {})))
        for field, value in update.get("$push", {}).items():
            items = value["$each"] if isinstance(value, dict) and "$each" in value else [value]
            document.setdefault(field, []).extend(copy.deepcopy(items))

    async def record_version(self, situation_id: str, *, expected_version: int, event_id: str,
                             fields: dict[str, Any], version_entry: dict[str, Any],
                             outbox: list[dict[str, Any]]) -> bool:
        document = self.documents.get(situation_id)
        if not document or document["version"] != expected_version or event_id in document["applied_events"]:
            return False
        self._apply(document, with_outbox({"$set": fields, "$push": {"versions": version_entry,
                                                                      "applied_events": event_id}}, outbox))
        return True

    async def change_status(self, situation_id: str, *, event_id: str, guard: dict[str, Any],
                            fields: dict[str, Any], outbox: list[dict[str, Any]]) -> dict[str, Any] | None:
        document = self.documents.get(situation_id)
        if not document or event_id in document["applied_events"] or not matches(document, guard):
            return None
        self._apply(document, with_outbox({"$set": fields, "$push": {"applied_events": event_id}}, outbox))
        return copy.deepcopy(document)

    async def open_situations_of(self, person_pseudonym: str, *, excluding: str) -> list[str]:
        return sorted(i for i, d in self.documents.items()
                      if d["person_pseudonym"] == person_pseudonym and d["status"] != "CLOSED" and i != excluding)

    async def find(self, query: dict[str, Any], *, offset: int, limit: int) -> list[dict[str, Any]]:
        found = sorted((d for d in self.documents.values() if matches(d, query)),
                       key=lambda d: (d["announced_on"], d["_id"]), reverse=True)
        return copy.deepcopy(found[offset:offset + limit])

    async def count(self, query: dict[str, Any]) -> int:
        return sum(1 for d in self.documents.values() if matches(d, query))

    async def mark_erased(self, person_pseudonym: str) -> int:
        erased = [d for d in self.documents.values() if d["person_pseudonym"] == person_pseudonym]
        for document in erased:
            document.update({"erased": True, "sealed": {}})
        return len(erased)

    def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        return [e for d in self.documents.values() for e in d.get(OUTBOX, [])
                if event_type is None or e["event"]["type"] == event_type]


class InMemoryTransitionRepository:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def insert(self, document: dict[str, Any]) -> bool:
        if document["_id"] in self.documents:
            return False
        self.documents[document["_id"]] = copy.deepcopy(document)
        return True


class InMemoryProcurationGrants:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def record(self, procuration_id: str, fields: dict[str, Any]) -> None:
        self.documents.setdefault(procuration_id, {}).update(fields)

    async def set_status(self, procuration_id: str, person_pseudonym: str, status: str) -> None:
        self.documents.setdefault(procuration_id, {}).update(status=status, person_pseudonym=person_pseudonym)

    async def persons_granted_to(self, institution: str, on: date) -> list[str]:
        return sorted({d["person_pseudonym"] for d in self.documents.values()
                       if institution in d.get("parties", []) and grant_in_force(d, on)})


class InMemoryReadLog:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    async def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(dict(entry))


class Fixture:
    def __init__(self) -> None:
        self.situations = InMemorySituationRepository()
        self.transitions = InMemoryTransitionRepository()
        self.read_log = InMemoryReadLog()
        self.grants = InMemoryProcurationGrants()
        self.custody = FakeKeyCustody()
        self.clock = FixedClock()
        self.pseudonymizer = Pseudonymizer(b"k" * 32)
        self.service: SignalementService = build_service(
            reference=REFERENCE, situations=self.situations, transitions=self.transitions, read_log=self.read_log,
            grants=self.grants,
            custody=self.custody, pseudonymizer=self.pseudonymizer, clock=self.clock)


def avs(n: int) -> str:
    return format_avs(f"756{n:09d}")


def announcement(**overrides: Any) -> dict[str, Any]:
    person = {"avs_number": avs(1), "last_name": "Rey-Zufferey", "first_name": "Anne-Lise", "birth_date": "1985-04-02",
              "sex": "F", "region": "SION", "education_level": "NONE", **overrides.pop("person", {})}
    return {"external_ref": "ORP-1", "announced_on": "2026-03-10",
            "announcer": {"collaborator": "C. Favre", "respondent": "R. Roh"}, "person": person,
            "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "OVER_THREE_YEARS",
            "follow_up_started_on": "2025-11-01", "co_following": ["CMS"], "summary": "lives alone", **overrides}


def payload(**overrides: Any) -> SignalementSubmitted:
    return SignalementSubmitted.model_validate(announcement(**overrides))


def principal(institution: str, *roles: str, region: str | None = None, theme: str | None = None) -> Principal:
    return Principal(subject=f"{institution.lower()}-user", institution=institution, roles=frozenset(roles),
                     region=region, theme=theme)
