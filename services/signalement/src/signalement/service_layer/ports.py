"""What the service layer needs from the outside world (adapters implement these)."""

from datetime import date
from typing import Any, Protocol

Document = dict[str, Any]


class SituationRepository(Protocol):
    @property
    def read_back_writes(self) -> bool:
        """True when the store may acknowledge a write it then does not show (FerretDB v1): read back."""

    async def get(self, situation_id: str) -> Document | None: ...

    async def existing_ids(self, situation_ids: list[str]) -> set[str]: ...

    async def insert_many(self, documents: list[Document]) -> set[str]:
        """One unordered insert; the ids written (those that existed already are skipped)."""

    async def applied(self, events: dict[str, str]) -> set[str]:
        """Of these situation ids, those whose document holds its event id (a read-back)."""

    async def open_situations_of_many(self, person_pseudonyms: list[str]) -> dict[str, list[str]]: ...

    async def insert(self, document: Document) -> bool:
        """False when a situation with this id already exists."""

    async def record_version(self, situation_id: str, *, expected_version: int, event_id: str,
                             fields: Document, version_entry: Document, outbox: list[Document]) -> bool:
        """Atomically: the new version's state, its history entry and its events. False when the version
        moved meanwhile or the event was already applied."""

    async def change_status(self, situation_id: str, *, event_id: str, guard: Document, fields: Document,
                            outbox: list[Document]) -> Document | None:
        """Atomically set `fields` and push the events if the document matches `guard` and `event_id` was
        not applied yet; the updated document, or None."""

    async def open_situations_of(self, person_pseudonym: str, *, excluding: str) -> list[str]: ...

    async def find(self, query: Document, *, offset: int, limit: int) -> list[Document]: ...

    async def count(self, query: Document) -> int: ...

    async def mark_erased(self, person_pseudonym: str) -> int: ...


class TransitionRepository(Protocol):
    async def insert(self, document: Document) -> bool:
        """False when this transition was recorded already."""


class ProcurationGrants(Protocol):
    async def record(self, procuration_id: str, fields: Document) -> None: ...

    async def set_status(self, procuration_id: str, person_pseudonym: str, status: str) -> None: ...

    async def persons_granted_to(self, institution: str, on: date) -> list[str]:
        """Pseudonyms of the persons whose procuration in force names the institution as a party."""


class ReadLog(Protocol):
    async def record(self, entry: Document) -> None: ...
