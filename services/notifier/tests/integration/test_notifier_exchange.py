"""Issue 17, "an exchange request waiting -> the provider's respondent", through the real platform: a procuration
recorded, the person announced, then CMS asks ORP for employment data on Kafka; ORP's people (Keycloak's realm)
get one e-mail with the situation's reference, the requester, the categories and no AVS number."""

import asyncio
import uuid
from datetime import date

import pytest
from test_notifier_flow import People, announcement, ok

from cii_platform.contracts import types
from cii_platform.contracts.avs import format_avs
from cii_platform.contracts.references import human_reference
from cii_platform.contracts.topics import inbound
from cii_platform.testing.kafka_client import InstitutionClient, inbound_event
from cii_platform.testing.mailpit import MailpitClient, addressed_to
from cii_platform.testing.platform import LocalPlatform
from procuration.testing import procuration_payload, record_procuration

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]


async def test_an_exchange_request_waiting_tells_the_providers_respondent(
        notifier_platform: LocalPlatform, mailpit: MailpitClient) -> None:
    platform = notifier_platform
    avs = format_avs(f"7568{uuid.uuid4().int % 10**8:08d}")
    await asyncio.to_thread(record_procuration, platform, procuration_payload(
        avs, parties=["ORP", "CMS"], categories=["EMPLOYMENT"], purposes=["CII_COORDINATION"],
        valid_from=date(2026, 1, 1), valid_until=date(2027, 12, 31)))
    people = People(platform)
    announced = announcement(avs)
    announced["person"]["region"] = "MARTIGNY"  # the flow test counts coord.sion's inbox: not this situation
    situation_id = str((await ok(people.cms_worker, "POST", "/api/v1/signalements", announced))["id"])
    reference = human_reference(situation_id)
    # the notifier knows the situation once the coordinator is told of it
    await mailpit.wait_for(addressed_to("coord.martigny@cii.local", reference), timeout=120)

    request_id = f"req-{uuid.uuid4().hex[:12]}"
    async with InstitutionClient(platform.infra.kafka_bootstrap) as cms:
        await cms.send(inbound("CMS"), inbound_event("CMS", types.EXCHANGE_REQUESTED, {
            "request_id": request_id, "provider": "ORP", "person": {"avs_number": avs},
            "categories": ["EMPLOYMENT"], "purpose": "CII_COORDINATION"}), key=request_id)
    [summary] = await mailpit.wait_for(addressed_to("worker.orp@cii.local", f"échange en attente de votre réponse "
                                                                           f"— {reference}"), timeout=120)
    mail = await asyncio.to_thread(mailpit.mail, summary["ID"])
    assert "CMS demande à votre institution des données sur cette situation (emploi)" in mail.text
    assert f"/situations/{situation_id}" in mail.text
    for secret in (avs, avs.replace(".", ""), request_id, "Tesfay", "Selam"):
        assert secret not in f"{mail.subject}\n{mail.text}"
    await asyncio.sleep(2)  # one e-mail per person, not more
    about = [m for m in await asyncio.to_thread(mailpit.summaries) if "échange" in m["Subject"]
             and reference in m["Subject"]]
    assert [a["Address"] for m in about for a in m["To"]] == ["worker.orp@cii.local"]
