"""What the notifier needs from the outside world (adapters implement these)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..domain.people import Person, Preferences

Document = dict[str, Any]


class PeopleDirectory(Protocol):
    """Who holds a function: read from the identity provider (Keycloak) or, in tests, reference data."""

    async def coordinators(self, region: str | None, theme: str | None) -> list[Person]: ...

    async def respondents(self, institution: str) -> list[Person]: ...

    async def person(self, subject_or_username: str) -> Person | None: ...

    async def bureau(self) -> list[Person]: ...


@dataclass(frozen=True)
class OutgoingMail:
    message_id: str  # stable per delivery: a resent message can be recognised downstream
    to: str
    subject: str
    text: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (file name, mime type, bytes)


class MailTransport(Protocol):
    async def send(self, mail: OutgoingMail) -> None:
        """Raises MailUnavailable while the server cannot take it (retried later, never dropped)."""


class MailUnavailable(Exception):
    """The mail server refused or could not be reached; the delivery is retried with backoff."""


class Deliveries(Protocol):
    """One document per (event, kind, person): the inbox item and the state of its e-mail."""

    async def add(self, document: Document) -> bool:
        """False when this delivery exists already (a redelivered event)."""

    async def exists(self, delivery_id: str) -> bool: ...

    async def due_mails(self, now: datetime, limit: int) -> list[Document]: ...

    async def mark_sent(self, delivery_id: str, at: datetime) -> None: ...

    async def postpone(self, delivery_id: str, attempts: int, next_attempt_at: datetime, error: str) -> None: ...

    async def inbox(self, username: str, *, unread_only: bool, offset: int, limit: int) -> tuple[list[Document], int]:
        ...

    async def mark_read(self, username: str, delivery_id: str, at: datetime) -> bool: ...

    async def claim_for_digest(self, username: str, digest_id: str) -> list[Document]: ...

    async def digest_pending_people(self) -> list[str]: ...


class PreferenceStore(Protocol):
    async def get(self, username: str) -> Preferences: ...

    async def put(self, username: str, preferences: Preferences) -> None: ...


class Projections(Protocol):
    """What the notifier remembers of situations and schedules to decide later events."""

    async def situation(self, situation_id: str) -> Document | None: ...

    async def save_situation(self, situation_id: str, fields: Document) -> None: ...

    async def situation_of_person(self, person_pseudonym: str) -> Document | None:
        """The person's latest situation (by pseudonym), with its `_id`."""

    async def schedule(self, measure_id: str) -> Document | None: ...

    async def save_schedule(self, measure_id: str, event_key: str, fields: Document) -> None:
        """Sets the fields once per event (`applied` keeps the event keys)."""
