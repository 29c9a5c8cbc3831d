"""Helpers of the process tests: announcements as an institution's system writes them, answers, store."""

import itertools
import random
import uuid
from datetime import date, timedelta
from typing import Any

from pymongo import MongoClient

from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.topics import inbound, outbound
from cii_platform.contracts.types import EVENT_ACCEPTED, EVENT_REJECTED, SIGNALEMENT_SUBMITTED
from cii_platform.testing.kafka_client import InstitutionClient, TopicReader, inbound_event
from cii_platform.testing.platform import LocalPlatform

_serial = itertools.count(random.randint(1, 10**6) * 1000)


def fresh_avs() -> str:
    """A valid AVS number nobody else in the session uses (so persons are not linked by accident)."""
    return format_avs(f"756{next(_serial):09d}")


def announcement(**overrides: Any) -> dict[str, Any]:
    # Hyphenated names: random base64 ciphertext can never contain them, so "not in the store" greps are exact.
    person = {"avs_number": fresh_avs(), "last_name": "Rey-Zufferey", "first_name": "Anne-Lise",
              "birth_date": "1985-04-02", "sex": "F", "region": "SION", "education_level": "NONE",
              "residence_permit": "B",
              **overrides.pop("person", {})}
    announced_on = date.today() - timedelta(days=3)
    return {"external_ref": f"ref-{uuid.uuid4().hex[:12]}", "announced_on": announced_on.isoformat(),
            "announcer": {"collaborator": "C. Favre", "respondent": "R. Roh"}, "person": person,
            "situation_type": "COMPLEX", "risk_factors": ["HEALTH", "FINANCE"], "employment_gap": "OVER_THREE_YEARS",
            "follow_up_started_on": (announced_on - timedelta(days=90)).isoformat(), "co_following": ["CMS"],
            "summary": "lives alone, debts", **overrides}


def is_answer(record: dict[str, Any], event_id: str | None) -> bool:
    value = record["value"]
    return (isinstance(value, dict) and value.get("type") in (EVENT_ACCEPTED, EVENT_REJECTED)
            and (value.get("data") or {}).get("event_id") == event_id)


async def send_and_answer(platform: LocalPlatform, institution: str, data: dict[str, Any] | bytes, *,
                          event_type: str = SIGNALEMENT_SUBMITTED, event_id: str | None = None,
                          key: str | None = None) -> dict[str, Any]:
    """Send one event on the institution's inbound topic; its answer on the outbound topic."""
    bootstrap = platform.infra.kafka_bootstrap
    async with TopicReader(bootstrap, outbound(institution)) as reader, InstitutionClient(bootstrap) as client:
        if isinstance(data, bytes):
            await client.send(inbound(institution), data, key=key)
            [answer] = await reader.wait_for(lambda r: is_answer(r, None), timeout=30)
            return dict(answer["value"])
        event = inbound_event(institution, event_type, data, event_id=event_id)
        await client.send(inbound(institution), event, key=key or data.get("external_ref"))
        [answer] = await reader.wait_for(lambda r: is_answer(r, event["id"]), timeout=30)
        return dict(answer["value"])


def store(platform: LocalPlatform) -> Any:
    client: MongoClient[dict[str, Any]] = MongoClient(platform.infra.mongodb_url, tz_aware=True)
    return client["cii_signalement"]


def token(platform: LocalPlatform, institution: str, *roles: str, region: str | None = None,
          theme: str | None = None) -> str:
    return platform.token(institution, *roles, region=region, theme=theme)
