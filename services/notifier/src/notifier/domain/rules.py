"""Who is told what (issue 17), from the events the services publish on the internal topics. Pure.

A rule turns one event into notices: a kind, the situation it is about and an audience described by
function (the coordinator of a region or theme, the respondents of an institution, a case manager, the
bureau), never by name: the service layer resolves the audience through the PeopleDirectory port.
Nothing personal travels in a notice: codes, dates and ids only.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.codes import BUREAU, PRIVATE, MeasureType

# Notice kinds (the inbox's `kind`, the e-mail's subject line in the catalogs)
ANNOUNCEMENT_RECEIVED = "ANNOUNCEMENT_RECEIVED"
TRIAGE_DECIDED = "TRIAGE_DECIDED"
MEASURE_SCHEDULED = "MEASURE_SCHEDULED"
MEASURE_RESCHEDULED = "MEASURE_RESCHEDULED"
CONTRACT_DUE = "CONTRACT_DUE"
SITUATION_CLOSED = "SITUATION_CLOSED"
EXCHANGE_WAITING = "EXCHANGE_WAITING"
ALERT_PREFIX = "ALERT_"
INVITED_MEASURES = frozenset({MeasureType.TRO, MeasureType.ASSESSMENT})
ALERT_KINDS = frozenset({measures.CONTRACT_OVERDUE, measures.NO_MEETING, measures.OBJECTIVE_OVERDUE,
                         measures.REVIEW_DUE, measures.PROCURATION_EXPIRING_ALERT,
                         measures.PROCURATION_EXPIRED_ALERT, measures.PROCURATION_REVOKED_ALERT})


@dataclass(frozen=True)
class Coordinators:
    """The coordinator of the region and, for a thematic situation, of the theme."""

    region: str | None = None
    theme: str | None = None


@dataclass(frozen=True)
class Respondents:
    """The CII respondents (and case managers) of an institution."""

    institution: str


@dataclass(frozen=True)
class CaseManager:
    """A designated case manager (token subject or user name); None: the institution's respondents."""

    subject: str | None
    institution: str | None = None


@dataclass(frozen=True)
class Bureau:
    """The CII bureau: secretariat and cantonal officer."""


Audience = Coordinators | Respondents | CaseManager | Bureau


@dataclass(frozen=True)
class Notice:
    kind: str
    situation_id: str
    audience: tuple[Audience, ...]
    details: dict[str, Any] = field(default_factory=dict)  # codes and dates only (rendered in the e-mail)


@dataclass(frozen=True)
class SituationFacts:
    """What the notifier remembers of a situation (from its `situation.recorded` event)."""

    situation_id: str
    institution: str
    region: str | None
    theme: str | None
    recorded_by: str | None = None
    external_ref: str | None = None
    co_following: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleFacts:
    """The previous schedule of a measure: a second schedule is a move (the calendar entry is updated)."""

    date: date
    sequence: int


def announcing_audience(situation: SituationFacts) -> Audience:
    """A private person's announcement was recorded by the T1 platform or the bureau: they are told."""
    if situation.institution == PRIVATE:
        recorder = situation.recorded_by or BUREAU
        return Bureau() if recorder == BUREAU else Respondents(recorder)
    return Respondents(situation.institution)


def on_situation_recorded(event: signalement.SituationRecorded) -> list[Notice]:
    if event.version != 1:
        return []  # a re-announcement of a known situation is no new announcement
    routing = event.routing
    return [Notice(ANNOUNCEMENT_RECEIVED, event.situation_id,
                   (Coordinators(routing.region, routing.theme),),
                   {"region": event.region, "institution": event.institution,
                    "announced_on": event.announced_on.isoformat(), "triage_due_on": _iso(event.triage_due_on)})]


def on_situation_triaged(event: signalement.SituationTriaged, situation: SituationFacts | None) -> list[Notice]:
    if situation is None:
        return []  # recorded before the notifier's history: nobody to resolve
    return [Notice(TRIAGE_DECIDED, event.situation_id, (announcing_audience(situation),),
                   {"decision": event.decision})]


def on_measure_scheduled(event: measures.MeasureScheduled, previous: ScheduleFacts | None) -> list[Notice]:
    if event.type not in INVITED_MEASURES:
        return []
    if previous is not None and previous.date == event.date:
        return []  # the same schedule again: nothing moved
    kind = MEASURE_SCHEDULED if previous is None else MEASURE_RESCHEDULED
    audience: list[Audience] = [Respondents(code) for code in dict.fromkeys(event.participants)]
    audience.append(Coordinators(event.region))
    return [Notice(kind, event.situation_id, tuple(audience), {
        "measure_id": event.measure_id, "measure_type": str(event.type), "date": event.date.isoformat(),
        "previous_date": previous.date.isoformat() if previous else None,
        "sequence": previous.sequence + 1 if previous else 0, "participants": list(event.participants)})]


def on_case_manager_designated(event: measures.CaseManagerDesignated) -> list[Notice]:
    return [Notice(CONTRACT_DUE, event.situation_id,
                   (CaseManager(event.case_manager, event.case_manager_institution), Coordinators(event.region)),
                   {"measure_id": event.measure_id, "designated_on": event.designated_on.isoformat()})]


def on_alert_raised(event: measures.AlertRaised) -> list[Notice]:
    if event.kind not in ALERT_KINDS or event.situation_id is None:
        return []
    return [Notice(ALERT_PREFIX + event.kind, event.situation_id,
                   (CaseManager(event.case_manager), Coordinators(event.region)),
                   {"alert": event.kind, "due_on": _iso(event.due_on), "measure_id": event.measure_id})]


def on_situation_closed(event: measures.SituationClosed) -> list[Notice]:
    audience: list[Audience] = [Respondents(code) for code in dict.fromkeys(event.network) if code != BUREAU]
    audience += [Bureau(), Coordinators(event.region)]
    return [Notice(SITUATION_CLOSED, event.situation_id, tuple(audience),
                   {"closed_on": event.closed_on.isoformat(), "network": list(event.network)})]


def on_exchange_awaiting(event: procuration.ExchangeAwaiting, situation: SituationFacts | None) -> list[Notice]:
    """The provider's respondents: a request of the requester waits for their answer (in their own system,
    where the fulfil arrived). Linked to the person's CII situation; a person the notifier knows no
    situation of (announced before its history, or never announced) gives no notice: nothing to link to."""
    if situation is None:
        return []
    return [Notice(EXCHANGE_WAITING, situation.situation_id, (Respondents(event.provider),), {
        "requester": event.requester, "categories": list(event.categories),
        "deadline": event.deadline.date().isoformat()})]


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
