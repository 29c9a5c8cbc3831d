"""Recording an announcement: one code path for Kafka and HTTP.

Idempotent twice over: by event id (the same event applied once, its answer repeated) and by
(institution, external_ref) (a resubmission is a new version of the same situation, history kept).
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cii_platform.clock import Clock
from cii_platform.contracts.codes import PRIVATE
from cii_platform.contracts.inbound import SignalementSubmitted
from cii_platform.contracts.internal_signalement import STATUS_SUBMITTED
from cii_platform.messaging.outbox import new_document_outbox
from cii_platform.messaging.publisher import joined_trace
from cii_platform.reference import ReferenceData
from cii_platform.security.custody import KeyErased
from cii_platform.security.pseudonym import Pseudonymizer
from cii_platform.validation import DomainValidationError, error

from ..domain.policy import situation_id_for
from . import event_builders
from .announcement_checks import Announcer, announcement_errors
from .personal_data import PersonalData
from .ports import Document, SituationRepository
from .situation_facts import clear_facts, personal_sections

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitSignalement:
    payload: SignalementSubmitted
    announcer: Announcer
    event_id: str
    field_prefix: str = ""  # "data" on Kafka: errors are named data.<path>
    trace: dict[str, str] | None = None  # the Kafka record's headers: its events join its trace


def prefixed(errors: list[Any], prefix: str) -> list[Any]:
    return [error(f"{prefix}.{e.field}" if prefix else e.field, e.message) for e in errors]


class SignalementIntake:
    def __init__(self, repository: SituationRepository, personal_data: PersonalData, pseudonymizer: Pseudonymizer,
                 reference: ReferenceData, clock: Clock, notify: Callable[[], None]) -> None:
        self._repository = repository
        self._personal_data = personal_data
        self._pseudonymizer = pseudonymizer
        self._reference = reference
        self._clock = clock
        self._notify = notify

    async def submit(self, command: SubmitSignalement) -> str:
        """Validate, seal, record; the situation id. Raises DomainValidationError naming every field."""
        errors = announcement_errors(command.payload, command.announcer, self._reference, self._clock.today())
        if errors:
            raise DomainValidationError(prefixed(errors, command.field_prefix))
        recorded_by = command.announcer.institution
        institution = PRIVATE if command.payload.announcer.private_person else recorded_by
        situation_id = situation_id_for(f"{institution}/{recorded_by}" if institution == PRIVATE else institution,
                                        command.payload.external_ref)
        existing = await self._repository.get(situation_id)
        if existing and command.event_id in existing.get("applied_events", []):
            return situation_id
        pseudonym = self._pseudonymizer.person(command.payload.person.avs_number)
        facts = clear_facts(command.payload, institution=institution, recorded_by=recorded_by,
                            person_pseudonym=pseudonym, reference=self._reference)
        sealed, linked = await asyncio.gather(  # the key custodian's answer is the slow part: overlap it
            self._seal(command, pseudonym, recorded_by, situation_id),
            self._repository.open_situations_of(pseudonym, excluding=situation_id))
        await self._record(situation_id, existing, facts, sealed, linked, command.event_id)
        self._notify()
        return situation_id

    async def submit_many(self, commands: list[SubmitSignalement]) -> list[str | DomainValidationError]:
        """`submit` for a polled batch, in a few store round trips: one lookup of the situations, one of the
        persons' open situations, one key request, one unordered insert of the new situations (each with
        its events in its outbox), and on FerretDB one read-back. Announcements of situations that exist
        already (or come twice in the batch) take the one-by-one path, in order, after the batch."""
        outcomes: list[str | DomainValidationError | None] = [None] * len(commands)
        fresh: list[tuple[int, str, str, str]] = []  # (index, situation id, institution, recorded by)
        for index, command in enumerate(commands):
            errors = announcement_errors(command.payload, command.announcer, self._reference, self._clock.today())
            if errors:
                outcomes[index] = DomainValidationError(prefixed(errors, command.field_prefix))
                continue
            recorded_by = command.announcer.institution
            institution = PRIVATE if command.payload.announcer.private_person else recorded_by
            situation_id = situation_id_for(f"{institution}/{recorded_by}" if institution == PRIVATE else institution,
                                            command.payload.external_ref)
            fresh.append((index, situation_id, institution, recorded_by))
        existing = await self._repository.existing_ids([situation_id for _, situation_id, _, _ in fresh])
        new: list[tuple[int, str, str, str]] = []
        one_by_one: list[int] = []
        for item in fresh:
            if item[1] in existing:
                one_by_one.append(item[0])
            else:
                new.append(item)
                existing.add(item[1])
        pseudonyms = {index: self._pseudonymizer.person(commands[index].payload.person.avs_number)
                      for index, _, _, _ in new}
        sealed = await self._personal_data.seal_many([
            (pseudonyms[index], recorded_by, situation_id, personal_sections(commands[index].payload))
            for index, situation_id, _, recorded_by in new])
        open_of = await self._repository.open_situations_of_many(sorted(set(pseudonyms.values())))
        documents: dict[str, Document] = {}
        for (index, situation_id, institution, recorded_by), sections in zip(new, sealed, strict=True):
            command, pseudonym = commands[index], pseudonyms[index]
            if isinstance(sections, KeyErased):
                outcomes[index] = self._erased_error(command)
                continue
            facts = clear_facts(command.payload, institution=institution, recorded_by=recorded_by,
                                person_pseudonym=pseudonym, reference=self._reference)
            linked = sorted(set(open_of.setdefault(pseudonym, [])) - {situation_id})
            open_of[pseudonym].append(situation_id)  # the batch's later announcements of the person see it
            with joined_trace(command.trace):
                documents[situation_id] = self._first_version(situation_id, facts, sections, linked,
                                                              command.event_id)
            outcomes[index] = situation_id
        written = await self._repository.insert_many(list(documents.values()))
        if written and self._repository.read_back_writes:
            written &= await self._repository.applied({i: documents[i]["applied_events"][0] for i in written})
        if written:
            self._notify()
        for index, situation_id, _, _ in new:
            if situation_id in documents and situation_id not in written:
                one_by_one.append(index)  # created meanwhile by HTTP, or lost by the store: the careful path
        for index in sorted(one_by_one):
            try:
                with joined_trace(commands[index].trace):
                    outcomes[index] = await self.submit(commands[index])
            except DomainValidationError as exc:
                outcomes[index] = exc
        assert all(outcome is not None for outcome in outcomes)
        return [outcome for outcome in outcomes if outcome is not None]

    def _erased_error(self, command: SubmitSignalement) -> DomainValidationError:
        field = f"{command.field_prefix}.person" if command.field_prefix else "person"
        return DomainValidationError([error(field, "this person's data were erased from the CII on request; "
                                                   "it cannot be announced again")])

    async def _seal(self, command: SubmitSignalement, pseudonym: str, controller: str,
                    situation_id: str) -> dict[str, Any]:
        try:
            return await self._personal_data.seal_sections(
                pseudonym, controller=controller, context=situation_id,
                sections=personal_sections(command.payload))
        except KeyErased as exc:
            raise self._erased_error(command) from exc

    async def _record(self, situation_id: str, existing: Document | None, facts: dict[str, Any],
                      sealed: dict[str, Any], linked: list[str], event_id: str) -> None:
        while True:  # optimistic concurrency: HTTP and Kafka may resubmit the same situation at once
            if existing is None:
                written = await self._repository.insert(self._first_version(situation_id, facts, sealed, linked,
                                                                            event_id))
            else:
                written = await self._next_version(existing, facts, sealed, linked, event_id)
            if written and not self._repository.read_back_writes:
                log.info("recorded %s (event %s)", situation_id, event_id)
                return  # MongoDB: an acknowledged write is there (FerretDB v1: read it back)
            existing = await self._repository.get(situation_id)
            if existing and event_id in existing.get("applied_events", []):
                log.info("recorded %s version %s (event %s)", situation_id, existing["version"], event_id)
                return
            if written:  # acknowledged but not there: the local store lost it (FerretDB v1)
                log.warning("write of %s for %s acknowledged but not found; writing again", event_id, situation_id)

    def _first_version(self, situation_id: str, facts: dict[str, Any], sealed: dict[str, Any],
                       linked: list[str], event_id: str) -> Document:
        now = self._clock.now()
        events = [event_builders.situation_recorded(situation_id, 1, facts, status=STATUS_SUBMITTED,
                                                    linked=linked, sealed=sealed, recorded_at=now),
                  *self._notices(situation_id, 1, facts)]
        return {"_id": situation_id, **facts, "version": 1, "status": STATUS_SUBMITTED, "decision": None,
                "triage": None, "sealed": sealed, "erased": False, "linked_at_recording": linked,
                "versions": [self._version_entry(1, facts, sealed, event_id)], "applied_events": [event_id],
                "created_at": now, "updated_at": now, **new_document_outbox(events)}

    async def _next_version(self, existing: Document, facts: dict[str, Any], sealed: dict[str, Any],
                            linked: list[str], event_id: str) -> bool:
        version = int(existing["version"]) + 1
        now = self._clock.now()
        events = [event_builders.situation_recorded(existing["_id"], version, facts, status=existing["status"],
                                                    linked=linked, sealed=sealed, recorded_at=now),
                  *self._notices(existing["_id"], version, facts)]
        fields = {**facts, "version": version, "sealed": sealed, "linked_at_recording": linked, "updated_at": now}
        return await self._repository.record_version(
            existing["_id"], expected_version=int(existing["version"]), event_id=event_id, fields=fields,
            version_entry=self._version_entry(version, facts, sealed, event_id), outbox=events)

    def _notices(self, situation_id: str, version: int, facts: dict[str, Any]) -> list[Document]:
        return event_builders.routing_notices(situation_id, version, facts, self._reference.institution_codes)

    def _version_entry(self, version: int, facts: dict[str, Any], sealed: dict[str, Any],
                       event_id: str) -> Document:
        return {"version": version, "event_id": event_id, "recorded_at": self._clock.now(),
                "announced_on": facts["announced_on"], "situation_type": facts["situation_type"],
                "public": facts["public"], "gravity_index": facts["gravity_index"],
                "gravity_policy": facts["gravity_policy"], "risk_factors": facts["risk_factors"],
                "employment_gap": facts["employment_gap"], "person_pseudonym": facts["person_pseudonym"],
                "sealed": sealed}
