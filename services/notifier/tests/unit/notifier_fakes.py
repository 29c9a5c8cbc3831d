"""In-memory adapters of the notifier's ports, for the service-layer tests."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from cii_platform.clock import SWISS_TIME
from cii_platform.contracts.envelope import CloudEvent
from notifier.adapters.directory import RosterFileDirectory
from notifier.bootstrap import NotifierService, build_service
from notifier.domain.people import Preferences
from notifier.service_layer.notify import MAIL_DIGEST, MAIL_IN_DIGEST, MAIL_PENDING, MAIL_SENT
from notifier.service_layer.ports import MailUnavailable, OutgoingMail

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WORKSPACE = "http://127.0.0.1:8005"


class FakeClock:
    def __init__(self) -> None:
        self.current = NOW

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.astimezone(SWISS_TIME).date()


class FakeDeliveries:
    def __init__(self) -> None:
        self.documents: dict[str, dict[str, Any]] = {}

    async def add(self, document: dict[str, Any]) -> bool:
        if document["_id"] in self.documents:
            return False
        self.documents[document["_id"]] = dict(document)
        return True

    async def exists(self, delivery_id: str) -> bool:
        return delivery_id in self.documents

    async def due_mails(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        due = [d for d in self.documents.values() if d["mail"] == MAIL_PENDING and d["next_attempt_at"] <= now]
        return sorted(due, key=lambda d: d["next_attempt_at"])[:limit]

    async def mark_sent(self, delivery_id: str, at: datetime) -> None:
        self.documents[delivery_id].update(mail=MAIL_SENT, sent_at=at)

    async def postpone(self, delivery_id: str, attempts: int, next_attempt_at: datetime, error: str) -> None:
        self.documents[delivery_id].update(attempts=attempts, next_attempt_at=next_attempt_at, last_error=error)

    async def inbox(self, username: str, *, unread_only: bool, offset: int, limit: int
                    ) -> tuple[list[dict[str, Any]], int]:
        found = [d for d in self.documents.values() if d["username"] == username and d.get("inbox", True)
                 and (not unread_only or d["read_at"] is None)]
        return found[offset:offset + limit], len(found)

    async def mark_read(self, username: str, delivery_id: str, at: datetime) -> bool:
        document = self.documents.get(delivery_id)
        if document is None or document["username"] != username:
            return False
        document["read_at"] = document["read_at"] or at
        return True

    async def claim_for_digest(self, username: str, digest_id: str) -> list[dict[str, Any]]:
        for d in self.documents.values():
            if d["username"] == username and d["mail"] == MAIL_DIGEST:
                d.update(mail=MAIL_IN_DIGEST, digest_id=digest_id)
        return [d for d in self.documents.values() if d.get("digest_id") == digest_id]

    async def digest_pending_people(self) -> list[str]:
        return sorted({d["username"] for d in self.documents.values() if d["mail"] == MAIL_DIGEST})

    def mails(self, state: str) -> list[dict[str, Any]]:
        return [d for d in self.documents.values() if d["mail"] == state]


class FakePreferences:
    def __init__(self) -> None:
        self.stored: dict[str, Preferences] = {}

    async def get(self, username: str) -> Preferences:
        return self.stored.get(username, Preferences())

    async def put(self, username: str, preferences: Preferences) -> None:
        self.stored[username] = preferences


class FakeProjections:
    def __init__(self) -> None:
        self.situations: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}

    async def situation(self, situation_id: str) -> dict[str, Any] | None:
        return self.situations.get(situation_id)

    async def situation_of_person(self, person_pseudonym: str) -> dict[str, Any] | None:
        found = sorted(((s.get("announced_on", ""), key) for key, s in self.situations.items()
                        if s.get("person_pseudonym") == person_pseudonym), reverse=True)
        return {"_id": found[0][1], **self.situations[found[0][1]]} if found else None

    async def save_situation(self, situation_id: str, fields: dict[str, Any]) -> None:
        self.situations.setdefault(situation_id, {}).update(fields)

    async def schedule(self, measure_id: str) -> dict[str, Any] | None:
        return self.schedules.get(measure_id)

    async def save_schedule(self, measure_id: str, event_key: str, fields: dict[str, Any]) -> None:
        stored = self.schedules.setdefault(measure_id, {"applied": []})
        if event_key not in stored["applied"]:
            stored.update(fields)
            stored["applied"].append(event_key)


class FakeTransport:
    def __init__(self) -> None:
        self.sent: list[OutgoingMail] = []
        self.down = False

    async def send(self, mail: OutgoingMail) -> None:
        if self.down:
            raise MailUnavailable("connection refused")
        self.sent.append(mail)


@dataclass
class Fixture:
    deliveries: FakeDeliveries = field(default_factory=FakeDeliveries)
    preferences: FakePreferences = field(default_factory=FakePreferences)
    projections: FakeProjections = field(default_factory=FakeProjections)
    transport: FakeTransport = field(default_factory=FakeTransport)
    clock: FakeClock = field(default_factory=FakeClock)
    service: NotifierService = field(init=False)

    def __post_init__(self) -> None:
        self.service = build_service(
            directory=RosterFileDirectory(), deliveries=self.deliveries, preferences=self.preferences,
            projections=self.projections, transport=self.transport, workspace_url=WORKSPACE,
            sender="cii-noreply@cii.local", clock=self.clock)


def event(type_: str, data: dict[str, Any], event_id: str, source: str = "/cii/measures") -> CloudEvent:
    return CloudEvent.model_validate({"specversion": "1.0", "id": event_id, "source": source, "type": type_,
                                      "time": NOW.isoformat(), "datacontenttype": "application/json",
                                      "data": data})


def recorded(situation_id: str = "sit-1", *, institution: str = "CMS", region: str = "SION",
             theme: str | None = None, version: int = 1) -> dict[str, Any]:
    return {
        "situation_id": situation_id, "version": version, "institution": institution, "external_ref": "EXT-1",
        "announced_on": "2026-03-01", "person_pseudonym": "p" * 64, "sex": "F", "birth_year": 1990, "age": 36,
        "region": region, "public": "ADULT", "education_level": "SECONDARY_II", "situation_type": "COMPLEX",
        "risk_factors": ["HEALTH"], "employment_gap": "UNDER_1_YEAR", "gravity_index": 1.0,
        "gravity_policy": "v1", "follow_up_started_on": "2026-01-01", "status": "SUBMITTED",
        "triage_due_on": "2026-03-13",
        "routing": {"coordinator_id": "coord-sion", "region": region, "theme": theme}}


def scheduled(day: date, *, measure_id: str = "m-1", participants: tuple[str, ...] = ("CMS", "ORP"),
              type_: str = "TRO") -> dict[str, Any]:
    return {"measure_id": measure_id, "situation_id": "sit-1", "type": type_, "region": "SION",
            "date": day.isoformat(), "participants": list(participants)}
