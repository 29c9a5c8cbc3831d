"""Reading the e-mails back from Mailpit's API (tests): what the notifier sent, to whom, with what."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Mail:
    id: str
    to: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[dict[str, Any], ...]
    message_id: str


class MailpitClient:
    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url.rstrip("/"), timeout=10)

    def close(self) -> None:
        self._http.close()

    def summaries(self) -> list[dict[str, Any]]:
        response = self._http.get("/api/v1/messages", params={"limit": 1000})
        response.raise_for_status()
        return list(response.json()["messages"])

    def mail(self, message_id: str) -> Mail:
        response = self._http.get(f"/api/v1/message/{message_id}")
        response.raise_for_status()
        body = response.json()
        return Mail(id=body["ID"], to=tuple(a["Address"] for a in body["To"]), subject=body["Subject"],
                    text=body["Text"], attachments=tuple(body.get("Attachments") or []),
                    message_id=body.get("MessageID", ""))

    def mails(self) -> list[Mail]:
        return [self.mail(m["ID"]) for m in self.summaries()]

    def attachment(self, mail: Mail, part_id: str) -> bytes:
        response = self._http.get(f"/api/v1/message/{mail.id}/part/{part_id}")
        response.raise_for_status()
        return response.content

    def delete_all(self) -> None:
        self._http.delete("/api/v1/messages").raise_for_status()

    async def wait_for(self, predicate: Callable[[dict[str, Any]], bool], *, count: int = 1,
                       timeout: float = 60.0) -> list[dict[str, Any]]:
        """At least `count` message summaries matching `predicate` (To, Subject, ...)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in await asyncio.to_thread(self.summaries) if predicate(m)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(found)} of {count} e-mails after {timeout:.0f} s")
            await asyncio.sleep(0.5)


def addressed_to(address: str, subject_part: str = "") -> Callable[[dict[str, Any]], bool]:
    def matches(summary: dict[str, Any]) -> bool:
        recipients = {a["Address"] for a in summary["To"]}
        return (not address or address in recipients) and subject_part in summary["Subject"]

    return matches
