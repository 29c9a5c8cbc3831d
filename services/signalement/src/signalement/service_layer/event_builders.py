"""The events a state change announces, as outbox entries written with the state (one atomic update).

Event ids derive from what caused them, so a retried write produces the same ids and consumers dedupe.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from cii_platform.contracts.envelope import derived_event_id, new_event, platform_source
from cii_platform.contracts.internal_signalement import (
    SITUATION_RECORDED,
    SITUATION_ROUTING_NOTIFIED,
    SITUATION_STATUS_CHANGED,
    SITUATION_TRIAGE_NOTIFIED,
    SITUATION_TRIAGED,
    SituationRecorded,
    SituationRoutingNotified,
    SituationStatusChanged,
    SituationTriaged,
    SituationTriageNotified,
)
from cii_platform.contracts.outbound import SituationClosedNotice
from cii_platform.contracts.topics import SIGNALEMENT_EVENTS, outbound
from cii_platform.contracts.types import SITUATION_CLOSED
from cii_platform.messaging.outbox import outbox_entry

SOURCE = platform_source("signalement")


def entry(topic: str, key: str, event_type: str, body: BaseModel, *cause: str) -> dict[str, Any]:
    event = new_event(event_type, SOURCE, body, event_id=derived_event_id(event_type, *cause))
    return outbox_entry(topic, key, event)


def situation_recorded(situation_id: str, version: int, facts: dict[str, Any], *, status: str,
                       linked: list[str], sealed: dict[str, Any], recorded_at: datetime) -> dict[str, Any]:
    body = SituationRecorded.model_validate({
        **facts, "situation_id": situation_id, "version": version, "status": status,
        "linked_situations": linked, "sealed": sealed, "recorded_at": recorded_at})
    return entry(SIGNALEMENT_EVENTS, situation_id, SITUATION_RECORDED, body, situation_id, str(version))


def status_changed(situation_id: str, previous: str, status: str, *, at: datetime, cause: str,
                   cause_id: str) -> dict[str, Any]:
    body = SituationStatusChanged(situation_id=situation_id, previous_status=previous, status=status,
                                  changed_at=at, cause=cause)
    return entry(SIGNALEMENT_EVENTS, situation_id, SITUATION_STATUS_CHANGED, body, situation_id, cause_id)


def situation_triaged(situation_id: str, triage: dict[str, Any], status: str, cause_id: str) -> dict[str, Any]:
    body = SituationTriaged(situation_id=situation_id, decision=triage["decision"],
                            triaged_at=triage["triaged_at"], triaged_by=triage["triaged_by"], status=status,
                            reason=triage.get("reason"))
    return entry(SIGNALEMENT_EVENTS, situation_id, SITUATION_TRIAGED, body, situation_id, cause_id)


def triage_notice(situation: dict[str, Any], triage: dict[str, Any], status: str,
                  cause_id: str) -> dict[str, Any]:
    """The announcing institution's respondent learns the decision on its outbound topic."""
    body = SituationTriageNotified(situation_id=situation["_id"], external_ref=situation["external_ref"],
                                   decision=triage["decision"], status=status, triaged_at=triage["triaged_at"])
    return entry(outbound(situation["recorded_by"]), situation["external_ref"], SITUATION_TRIAGE_NOTIFIED, body,
                 situation["_id"], cause_id, "notice")


def closure_notices(situation: dict[str, Any], closed_on: date, outcome: str, cause_id: str,
                    known_institutions: set[str]) -> list[dict[str, Any]]:
    """docs/contract.md 6: `situation.closed` to the announcer (with its external_ref) and to every
    institution that co-follows the situation (without it)."""
    announcer = situation["recorded_by"]
    recipients = [announcer] if announcer in known_institutions else []
    recipients += sorted({c for c in situation.get("co_following", []) if c in known_institutions} - {announcer})
    return [entry(outbound(code), situation["_id"], SITUATION_CLOSED, SituationClosedNotice(
        situation_id=situation["_id"], external_ref=situation["external_ref"] if code == announcer else None,
        closed_on=closed_on, outcome=outcome), situation["_id"], cause_id, code) for code in recipients]


def routing_notices(situation_id: str, version: int, facts: dict[str, Any],
                    known_institutions: set[str]) -> list[dict[str, Any]]:
    """The institutions the routing also notifies (T1 for a young person) learn of each version."""
    routing = facts["routing"]
    body = SituationRoutingNotified(
        situation_id=situation_id, version=version, institution=facts["institution"],
        announced_on=facts["announced_on"], person_pseudonym=facts["person_pseudonym"], region=facts["region"],
        public=facts["public"], theme=routing["theme"], coordinator_id=routing["coordinator_id"])
    return [entry(outbound(code), situation_id, SITUATION_ROUTING_NOTIFIED, body, situation_id, str(version), code)
            for code in routing["also_notify"] if code in known_institutions and code != facts["recorded_by"]]
