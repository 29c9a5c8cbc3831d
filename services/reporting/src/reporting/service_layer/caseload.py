"""Recording an institution's caseload snapshot chunk: pseudonymise, keep, republish as CaseloadRecorded.

The raw AVS numbers stop here. The pseudonymised chunk goes out on REPORTING_EVENTS through the outbox
(same document, one insert), so the projection and any replay read it from a topic kept forever rather
than from the short-lived inbound topic.
"""

from collections.abc import Callable

from cii_platform.contracts.envelope import derived_event_id, new_event, platform_source
from cii_platform.contracts.inbound import CaseloadSnapshot
from cii_platform.contracts.internal_reporting import CASELOAD_RECORDED, CaseloadRecorded
from cii_platform.contracts.topics import REPORTING_EVENTS
from cii_platform.messaging.inbound import Accepted, InboundCommand
from cii_platform.messaging.outbox import outbox_entry
from cii_platform.security.pseudonym import Pseudonymizer

from ..adapters.mongo_caseload_chunks import MongoCaseloadChunks

SOURCE = platform_source("reporting")


class CaseloadRecorder:
    def __init__(self, chunks: MongoCaseloadChunks, pseudonymizer: Pseudonymizer,
                 notify_outbox: Callable[[], None] | None = None) -> None:
        self._chunks = chunks
        self._pseudonymizer = pseudonymizer
        self._notify = notify_outbox

    async def __call__(self, command: InboundCommand) -> Accepted:
        snapshot: CaseloadSnapshot = command.payload
        pseudonyms = sorted({self._pseudonymizer.person(avs) for avs in snapshot.persons})
        recorded = CaseloadRecorded(snapshot_id=snapshot.snapshot_id, institution=command.institution,
                                    year=snapshot.year, chunk=snapshot.chunk, chunks=snapshot.chunks,
                                    person_pseudonyms=pseudonyms)
        chunk_id = f"{command.institution}|{snapshot.snapshot_id}|{snapshot.chunk}"
        event = new_event(CASELOAD_RECORDED, SOURCE, recorded,
                          event_id=derived_event_id(CASELOAD_RECORDED, chunk_id))
        fields = {"institution": command.institution, "snapshot_id": snapshot.snapshot_id,
                  "year": snapshot.year, "chunk": snapshot.chunk, "chunks": snapshot.chunks,
                  "persons": len(pseudonyms)}
        entries = [outbox_entry(REPORTING_EVENTS, snapshot.snapshot_id, event)]
        if await self._chunks.record(chunk_id, fields, entries) and self._notify is not None:
            self._notify()
        return Accepted(resource_id=snapshot.snapshot_id)
