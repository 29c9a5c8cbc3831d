"""From an event to deliveries: decide (domain rules), resolve the people, record one delivery each.

A delivery is recorded before anything is sent, under a unique id derived from (event, kind, person):
a redelivered or replayed event finds its deliveries recorded and adds nothing, so nobody gets a
second e-mail. The e-mails themselves leave later (Mailer), from these records.
"""

import logging
from datetime import datetime
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts import internal_measures as measures
from cii_platform.contracts import internal_procuration as procuration
from cii_platform.contracts import internal_signalement as signalement
from cii_platform.contracts.envelope import CloudEvent
from cii_platform.contracts.references import human_reference

from ..domain import rules
from ..domain.people import Person, delivery_id, language_of
from .ports import Deliveries, Document, PeopleDirectory, PreferenceStore, Projections

log = logging.getLogger(__name__)

MAIL_PENDING = "PENDING"
MAIL_SENT = "SENT"
MAIL_DIGEST = "DIGEST"  # waits for the person's daily digest
MAIL_IN_DIGEST = "IN_DIGEST"
MAIL_NONE = "NONE"  # nobody to e-mail (no address): inbox only


def event_key(event: CloudEvent) -> str:
    return f"{event.source}|{event.id}"


class AudienceResolver:
    def __init__(self, directory: PeopleDirectory) -> None:
        self._directory = directory

    async def resolve(self, audience: tuple[rules.Audience, ...]) -> list[Person]:
        people: dict[str, Person] = {}
        for member in audience:
            for person in await self._members(member):
                people.setdefault(person.username, person)
        return list(people.values())

    async def _members(self, member: rules.Audience) -> list[Person]:
        if isinstance(member, rules.Coordinators):
            if member.region is None and member.theme is None:
                return []
            return await self._directory.coordinators(member.region, member.theme)
        if isinstance(member, rules.Respondents):
            return await self._directory.respondents(member.institution)
        if isinstance(member, rules.CaseManager):
            if member.subject:
                person = await self._directory.person(member.subject)
                if person is not None:
                    return [person]
            return await self._directory.respondents(member.institution) if member.institution else []
        return await self._directory.bureau()


class Notifier:
    def __init__(self, *, directory: PeopleDirectory, deliveries: Deliveries, preferences: PreferenceStore,
                 projections: Projections, clock: Clock, wake_mailer: Any = lambda: None) -> None:
        self._resolver = AudienceResolver(directory)
        self._deliveries = deliveries
        self._preferences = preferences
        self._projections = projections
        self._clock = clock
        self._wake_mailer = wake_mailer

    # -- events ------------------------------------------------------------------------------------
    async def situation_recorded(self, event: CloudEvent) -> int:
        fact = signalement.SituationRecorded.model_validate(event.data)
        await self._projections.save_situation(fact.situation_id, {
            "institution": fact.institution, "region": fact.routing.region or fact.region,
            "theme": fact.routing.theme, "recorded_by": fact.recorded_by, "external_ref": fact.external_ref,
            "co_following": list(fact.co_following), "person_pseudonym": fact.person_pseudonym,
            "announced_on": fact.announced_on.isoformat()})
        return await self.deliver(event, rules.on_situation_recorded(fact))

    async def situation_triaged(self, event: CloudEvent) -> int:
        fact = signalement.SituationTriaged.model_validate(event.data)
        return await self.deliver(event, rules.on_situation_triaged(fact, await self._situation(fact.situation_id)))

    async def measure_scheduled(self, event: CloudEvent) -> int:
        fact = measures.MeasureScheduled.model_validate(event.data)
        stored = await self._projections.schedule(fact.measure_id)
        if stored and event_key(event) in stored.get("applied", []):
            return 0  # a replayed schedule must not move the calendar entry back
        previous = rules.ScheduleFacts(datetime.fromisoformat(stored["date"]).date(), stored["sequence"]) \
            if stored else None
        notices = rules.on_measure_scheduled(fact, previous)
        count = await self.deliver(event, notices)
        if notices:
            await self._projections.save_schedule(fact.measure_id, event_key(event), {
                "date": fact.date.isoformat(), "sequence": notices[0].details["sequence"]})
        return count

    async def case_manager_designated(self, event: CloudEvent) -> int:
        fact = measures.CaseManagerDesignated.model_validate(event.data)
        return await self.deliver(event, rules.on_case_manager_designated(fact))

    async def alert_raised(self, event: CloudEvent) -> int:
        return await self.deliver(event, rules.on_alert_raised(measures.AlertRaised.model_validate(event.data)))

    async def situation_closed(self, event: CloudEvent) -> int:
        fact = measures.SituationClosed.model_validate(event.data)
        count = await self.deliver(event, rules.on_situation_closed(fact))
        return count

    async def exchange_awaiting(self, event: CloudEvent) -> int:
        fact = procuration.ExchangeAwaiting.model_validate(event.data)
        stored = await self._projections.situation_of_person(fact.person_pseudonym)
        situation = await self._situation(str(stored["_id"])) if stored else None
        return await self.deliver(event, rules.on_exchange_awaiting(fact, situation))

    # -- deliveries --------------------------------------------------------------------------------
    async def deliver(self, event: CloudEvent, notices: list[rules.Notice]) -> int:
        """Records the deliveries of the notices; returns how many are new."""
        key = event_key(event)
        created = 0
        for notice in notices:
            for person in await self._resolver.resolve(notice.audience):
                if await self._deliveries.add(await self._delivery(key, notice, person)):
                    created += 1
        if created:
            self._wake_mailer()
        return created

    async def _delivery(self, key: str, notice: rules.Notice, person: Person) -> Document:
        preferences = await self._preferences.get(person.username)
        mail = MAIL_NONE if not person.email else MAIL_DIGEST if preferences.digest else MAIL_PENDING
        now = self._clock.now()
        return {
            "_id": delivery_id(key, person.username), "event": key, "kind": notice.kind,
            "username": person.username, "email": person.email, "language": language_of(person, preferences),
            "situation_id": notice.situation_id, "reference": human_reference(notice.situation_id),
            "details": notice.details, "created_at": now, "read_at": None,
            "mail": mail, "attempts": 0, "next_attempt_at": now, "sent_at": None,
        }

    async def _situation(self, situation_id: str) -> rules.SituationFacts | None:
        stored = await self._projections.situation(situation_id)
        if stored is None:
            return None
        return rules.SituationFacts(situation_id, stored["institution"], stored.get("region"), stored.get("theme"),
                                    stored.get("recorded_by"), stored.get("external_ref"),
                                    tuple(stored.get("co_following") or ()))
