"""Measures run during the load: the bureau requests, schedules and holds a round table (TRO) over HTTP
for some of the accepted announcements, while services are killed or Kafka or the store is down.

It behaves like a careful integrator: every step starts from what the measures service has stored, so a
request whose answer was lost (the service killed mid-request) is never sent twice, and a failure
(connection refused, 503 during an outage, the situation not yet known) is retried until it succeeds.
"""

import asyncio
import time
from typing import Any

import httpx
from workload import Workload, answer_readers

from cii_platform.contracts import types
from cii_platform.testing.platform import LocalPlatform

MEASURES = "/api/v1/measures"


class NotYet(Exception):
    """The step cannot succeed yet (service down, outage, situation not yet projected): try again."""


def round_tables_during_the_load(platform: LocalPlatform, work: Workload, timeout: float) -> asyncio.Task[None]:
    """Starts holding the workload's round tables; await the task once the load is answered."""
    return asyncio.create_task(hold_round_tables(platform, work, timeout))


async def hold_round_tables(platform: LocalPlatform, work: Workload, timeout: float) -> None:
    """For each measured announcement, once accepted, a TRO held in the workload's year, recorded in
    `work.round_tables` ({situation id: measure id}). Reads the answers from the beginning of the
    topics, so none published before this task started is missed."""
    deadline = time.monotonic() + timeout
    waiting = set(work.measured)
    token = platform.token("BUREAU", "cantonal_officer")
    async with answer_readers(platform, from_beginning=True) as answers, \
            httpx.AsyncClient(base_url=platform.url("measures"), timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as http:
        while waiting and time.monotonic() < deadline:
            for record in await answers.poll(1.0):
                data = record["value"].get("data", {}) if isinstance(record["value"], dict) else {}
                if data.get("event_id") in waiting and record["value"]["type"] == types.EVENT_ACCEPTED:
                    waiting.discard(data["event_id"])
                    work.round_tables[data["resource_id"]] = await held_round_table(
                        http, data["resource_id"], work.year, deadline)
    assert not waiting, f"{len(waiting)} measured announcements never accepted in time"


async def held_round_table(http: httpx.AsyncClient, situation_id: str, year: int, deadline: float) -> str:
    while True:
        try:
            return await advance_round_table(http, situation_id, year)
        except (NotYet, httpx.TransportError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1.0)


async def advance_round_table(http: httpx.AsyncClient, situation_id: str, year: int) -> str:
    """Moves the situation's TRO one step at a time, from what is stored, until it is held."""
    while True:
        measure = await stored_round_table(http, situation_id)
        if measure is None:
            await step(http, MEASURES, {"situation_id": situation_id, "type": "TRO",
                                        "requested_on": f"{year}-12-28"})
        elif measure["status"] == "requested":
            await step(http, f"{MEASURES}/{measure['id']}/schedule", {"date": f"{year}-12-29", "participants": []})
        elif measure["status"] == "scheduled":
            await step(http, f"{MEASURES}/{measure['id']}/hold", {"held_on": f"{year}-12-30"})
        else:
            assert measure["status"] == "held", f"unexpected status of {measure['id']}: {measure['status']}"
            return str(measure["id"])


async def stored_round_table(http: httpx.AsyncClient, situation_id: str) -> dict[str, Any] | None:
    response = await http.get(MEASURES, params={"situation_id": situation_id, "type": "TRO"})
    items = checked(response).json()["items"]
    assert len(items) <= 1, f"situation {situation_id} has {len(items)} round tables: {items}"
    return items[0] if items else None


async def step(http: httpx.AsyncClient, path: str, body: dict[str, Any]) -> None:
    checked(await http.post(path, json=body))


def checked(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 500:
        raise NotYet(f"{response.request.url} answered {response.status_code}")
    if response.status_code == 422 and "no such situation" in response.text:
        raise NotYet("the measures service has not projected the situation yet")
    assert response.status_code < 400, f"{response.request.method} {response.request.url}: {response.text}"
    return response
