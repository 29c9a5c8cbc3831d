"""Issue 12, finding 7, through the real services: staff names of round-table participants rest sealed in
the measures store, are shown only where the custodian releases them, and clear names of older records
are sealed at start."""

import asyncio

import pytest
from measures_helpers import (
    MEASURES,
    call,
    client,
    publish_situation,
    request_when_known,
    situation_recorded,
    wait_until,
)
from pymongo import MongoClient

from cii_platform.testing.kafka_client import InstitutionClient
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.integration


def _stored(platform: LocalPlatform, measure_id: str) -> dict:
    with MongoClient(platform.infra.mongodb_url) as mongo:
        return dict(mongo["cii_measures"]["measures"].find_one({"_id": measure_id}) or {})


async def test_participant_names_are_sealed_and_released_like_other_personal_fields(
        measures_platform: LocalPlatform, upstream: InstitutionClient) -> None:
    platform = measures_platform
    situation = situation_recorded()
    await publish_situation(upstream, situation)
    orp = client(platform, "ORP", "field_worker")
    tro_id = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "TRO",
                                            "requested_on": "2026-04-01"})
    body = {"date": "2026-04-10", "participants": [
        {"institution": "ORP", "person_name": "Staff-Name-Sealed", "role": "conseiller"}, {"institution": "CMS"}]}
    coordinator = client(platform, "BUREAU", "coordinator", region="SION")  # seed 001: the coordinator organises
    for _ in range(5):  # 503 "retry later" while the key custodian is slow to answer (nothing was stored)
        scheduled = await call(coordinator, "POST", f"{MEASURES}/{tro_id}/schedule", body)
        if scheduled.status_code != 503:
            break
        await asyncio.sleep(2)
    assert scheduled.status_code == 200, scheduled.text
    assert "Staff-Name-Sealed" not in str(_stored(platform, tro_id))  # today: in clear in the store
    assert "Staff-Name-Sealed" not in scheduled.text
    assert scheduled.json()["participants"][0] == {"institution": "ORP", "role": "conseiller",
                                                   "person_name_recorded": True}
    # sealed under the writer's key: the bureau, which scheduled it, reads it; ORP has no procuration
    own = (await call(coordinator, "GET", f"{MEASURES}/{tro_id}/participants")).json()["items"]
    others = (await call(orp, "GET", f"{MEASURES}/{tro_id}/participants")).json()["items"]
    assert own[0]["person_name"] == "Staff-Name-Sealed" and own[1]["person_name"] is None
    assert others[0]["person_name"] is None and others[0]["person_name_recorded"] is True


async def test_clear_names_of_older_records_are_sealed_at_start(
        measures_platform: LocalPlatform, upstream: InstitutionClient) -> None:
    platform = measures_platform
    situation = situation_recorded()
    await publish_situation(upstream, situation)
    orp = client(platform, "ORP", "field_worker")
    tro_id = await request_when_known(orp, {"situation_id": situation.situation_id, "type": "TRO",
                                            "requested_on": "2026-04-01"})
    coordinator = client(platform, "BUREAU", "coordinator", region="SION")  # seed 001: the coordinator organises
    assert (await call(coordinator, "POST", f"{MEASURES}/{tro_id}/schedule", {"date": "2026-04-10", "participants": [
        {"institution": "ORP", "role": "conseiller"}]})).status_code == 200
    platform.services["measures"].stop()  # stopped first: its alert scan would save its own copy over ours
    with MongoClient(platform.infra.mongodb_url) as mongo:  # as the former code stored it
        mongo["cii_measures"]["measures"].update_one({"_id": tro_id}, {"$set": {
            "participants": [{"institution": "ORP", "person_name": "Legacy-Staff-Name", "role": "conseiller"}]}})
        assert "Legacy-Staff-Name" in str(mongo["cii_measures"]["measures"].find_one({"_id": tro_id}))
    await asyncio.to_thread(platform.start_service, "measures")

    async def sealed() -> bool:
        return "Legacy-Staff-Name" not in str(_stored(platform, tro_id))

    await wait_until(sealed, timeout=60)
    shown = (await call(coordinator, "GET", f"{MEASURES}/{tro_id}/participants")).json()["items"]
    # the writer of an older record is not known: sealed under the bureau's key, which schedules round tables
    assert shown[0]["person_name"] == "Legacy-Staff-Name"
    by_orp = (await call(orp, "GET", f"{MEASURES}/{tro_id}/participants")).json()["items"]
    assert by_orp[0]["person_name"] is None and by_orp[0]["person_name_recorded"] is True
