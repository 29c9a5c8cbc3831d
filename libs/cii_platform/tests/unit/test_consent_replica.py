"""The consent replica decides like the custodian on the events it received, and replays harmlessly."""

from datetime import date
from typing import Any

import pytest

from cii_platform.consent.local import DecisionAuditPublisher, LocalDecisionPoint
from cii_platform.consent.policy import DENY, PERMIT, Reason
from cii_platform.consent.replica import ConsentReplica
from cii_platform.contracts import internal_procuration as events
from cii_platform.contracts.internal_consent import CONSENT_DECIDED
from cii_platform.contracts.topics import MEASURES_EVENTS
from cii_platform.messaging.publisher import FakeEventPublisher

pytestmark = pytest.mark.unit

TODAY = date(2026, 6, 1)
ASK = {"requester": "CMS", "person_pseudonym": "p-1", "category": "EMPLOYMENT", "purpose": "CII_COORDINATION"}


def recorded(procuration_id: str = "proc-1", **overrides: Any) -> dict[str, Any]:
    return {"procuration_id": procuration_id, "person_pseudonym": "p-1", "signed_on": "2026-01-10",
            "valid_from": "2026-01-10", "valid_until": "2026-12-31", "parties": ["ORP", "CMS"],
            "categories": ["EMPLOYMENT"], "purposes": ["CII_COORDINATION"], "status": "ACTIVE",
            "recorded_by": "ORP", **overrides}


def status(event_type: str, status_value: str, effective_on: str, procuration_id: str = "proc-1",
           superseded_by: str | None = None) -> tuple[str, dict[str, Any]]:
    return event_type, {"procuration_id": procuration_id, "person_pseudonym": "p-1", "status": status_value,
                        "valid_until": "2026-12-31", "effective_on": effective_on, "superseded_by": superseded_by}


def test_a_recorded_procuration_permits_what_it_covers_and_nothing_else() -> None:
    replica = ConsentReplica()
    replica.apply(events.PROCURATION_RECORDED, recorded())
    assert replica.decide(**ASK, today=TODAY).decision == PERMIT
    assert replica.decide(**{**ASK, "requester": "OAI"}, today=TODAY).reason == Reason.NO_PROCURATION
    assert replica.decide(**{**ASK, "category": "HEALTH"}, today=TODAY).reason == Reason.CATEGORY_NOT_COVERED
    assert replica.decide(**ASK, today=date(2027, 1, 1)).reason == Reason.EXPIRED
    assert replica.decide(**{**ASK, "person_pseudonym": "p-2"}, today=TODAY).reason == Reason.NO_PROCURATION


def test_a_revocation_denies_at_once_even_when_the_record_is_delivered_again() -> None:
    replica = ConsentReplica()
    replica.apply(events.PROCURATION_RECORDED, recorded())
    replica.apply(*status(events.PROCURATION_REVOKED, "REVOKED", "2026-05-20"))
    replica.apply(events.PROCURATION_RECORDED, recorded())  # a redelivery must not bring it back
    decision = replica.decide(**ASK, today=TODAY)
    assert (decision.decision, decision.reason) == (DENY, Reason.REVOKED)


def test_a_renewal_takes_over_from_its_valid_from() -> None:
    replica = ConsentReplica()
    replica.apply(events.PROCURATION_RECORDED, recorded())
    replica.apply(events.PROCURATION_RECORDED, recorded("proc-2", valid_from="2026-07-01", signed_on="2026-05-01",
                                                         valid_until="2027-12-31"))
    replica.apply(*status(events.PROCURATION_SUPERSEDED, "SUPERSEDED", "2026-07-01", superseded_by="proc-2"))
    assert replica.decide(**ASK, today=TODAY).procuration_id == "proc-1"
    assert replica.decide(**ASK, today=date(2026, 8, 1)).procuration_id == "proc-2"


def test_an_erased_person_is_denied_whatever_arrives_later() -> None:
    replica = ConsentReplica()
    replica.apply(events.PROCURATION_RECORDED, recorded())
    replica.apply(events.PERSON_ERASED, {"person_pseudonym": "p-1", "erased_at": "2026-05-30T10:00:00Z"})
    replica.apply(events.PROCURATION_RECORDED, recorded("proc-3"))
    assert replica.decide(**ASK, today=TODAY).reason == Reason.PERSON_ERASED


async def test_every_local_decision_is_published_for_the_audit_chain() -> None:
    replica = ConsentReplica()
    replica.apply(events.PROCURATION_RECORDED, recorded())
    publisher = FakeEventPublisher()
    audit = DecisionAuditPublisher("measures", MEASURES_EVENTS, publisher)
    point = LocalDecisionPoint(replica, audit, today=lambda: TODAY)
    actor = {"institution": "CMS", "roles": ["case_manager"], "subject": "u-1"}
    point.decide(actor=actor, **ASK)
    point.decide(actor=actor, **{**ASK, "category": "HEALTH"})
    await audit.flush()
    [published] = publisher.of_type(CONSENT_DECIDED)
    assert [(d["decision"], d["reason"]) for d in published.data["decisions"]] == [
        (PERMIT, Reason.PERMITTED), (DENY, Reason.CATEGORY_NOT_COVERED)]
    assert {topic for topic, _, _ in publisher.events} == {MEASURES_EVENTS}
    assert published.data["decisions"][0]["actor"] == actor and published.data["decided_by"] == "measures"
    await audit.flush()
    assert len(publisher.events) == 1, "a flushed batch is never published again"
