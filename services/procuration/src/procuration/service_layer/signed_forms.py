"""The signed procuration form itself (the scan the person signed), kept sealed: under the recording
institution's IDENTITY key for the person, issued and released by the key custodian (every release audited,
in the person's access report). Its SHA-256 must be the `document_sha256` the procuration was recorded with,
so the form kept is the one the procuration names. Erasing the person destroys the key: the form becomes
unreadable like every other sealed copy. Stored once (idempotent); a different form is refused."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cii_platform.clock import Clock
from cii_platform.consent.model import Procuration
from cii_platform.contracts.codes import DataCategory, Purpose
from cii_platform.security.crypto import SealedSection, seal, unseal
from cii_platform.security.custody import ReleaseRequest
from cii_platform.store import insert_new
from cii_platform.validation import DomainValidationError, error

from .audit import Action, AuditEvent, AuditTrail
from .custody import KeyCustodian

# A MongoDB document holds 16 MB; sealed, a form takes about 1.8 times its size.
MAX_FORM_BYTES = 5_000_000
FORM_TYPES = ("application/pdf", "image/png", "image/jpeg")


def context_of(procuration_id: str) -> str:
    return f"procuration-form:{procuration_id}"


@dataclass(frozen=True)
class StoredForm:
    procuration_id: str
    sha256: str
    size: int
    content_type: str
    stored_at: datetime


class SignedForms:
    def __init__(self, collection: Any, custodian: KeyCustodian, audit: AuditTrail, clock: Clock) -> None:
        self.collection = collection
        self._custodian = custodian
        self._audit = audit
        self._clock = clock

    async def ensure_indexes(self) -> None:
        """Keyed by the procuration's id: nothing else to index."""

    async def store(self, procuration: Procuration, content: bytes, content_type: str, *, institution: str,
                    actor: dict[str, Any]) -> StoredForm:
        problems = []
        if content_type not in FORM_TYPES:
            problems.append(error("document", f"must be one of {', '.join(FORM_TYPES)}, not {content_type!r}"))
        if not content:
            problems.append(error("document", "is empty"))
        elif len(content) > MAX_FORM_BYTES:
            problems.append(error("document", f"must be at most {MAX_FORM_BYTES} bytes"))
        digest = hashlib.sha256(content).hexdigest()
        if content and digest != procuration.document_sha256:
            problems.append(error("document", "its SHA-256 is not the document_sha256 of the procuration"))
        if problems:
            raise DomainValidationError(problems)
        existing = await self.collection.find_one({"_id": procuration.procuration_id}, {"sealed": 0})
        if existing is not None:
            return _stored(existing)  # the same form (its hash is the procuration's): nothing more to do
        key_id, key = await self._custodian.issue(procuration.person_pseudonym, DataCategory.IDENTITY.value,
                                                  institution, actor)
        sealed = seal({"content_type": content_type, "data": base64.b64encode(content).decode()}, key, key_id,
                      context=context_of(procuration.procuration_id))
        document = {"_id": procuration.procuration_id, "person_pseudonym": procuration.person_pseudonym,
                    "sha256": digest, "size": len(content), "content_type": content_type,
                    "sealed": sealed.model_dump(), "stored_by": institution, "stored_at": self._clock.now()}
        if await insert_new(self.collection, document):
            await self._audit.record(AuditEvent(
                actor=actor, action=Action.PROCURATION_FORM_STORED, person_pseudonym=procuration.person_pseudonym,
                outcome="RECORDED", categories=[DataCategory.IDENTITY.value],
                procuration_id=procuration.procuration_id, details={"sha256": digest, "size": len(content)}))
        found = await self.collection.find_one({"_id": procuration.procuration_id}, {"sealed": 0})
        return _stored(found or document)

    async def summary(self, procuration_id: str) -> StoredForm | None:
        found = await self.collection.find_one({"_id": procuration_id}, {"sealed": 0})
        return _stored(found) if found else None

    async def read(self, procuration_id: str, *, institution: str, actor: dict[str, Any]) -> tuple[bytes, str] | None:
        """The form, opened with a key the custodian releases (the controller, or under a PERMIT); raises
        KeyErased or KeyReleaseDenied like any other read."""
        found = await self.collection.find_one({"_id": procuration_id})
        if found is None:
            return None
        section = SealedSection.model_validate(found["sealed"])
        key = await self._custodian.release(ReleaseRequest(
            key_id=section.key_id, institution=institution, purpose=Purpose.CII_COORDINATION.value, actor=actor,
            resource=context_of(procuration_id)))
        opened: dict[str, str] = unseal(section, key, context=context_of(procuration_id))
        return base64.b64decode(opened["data"]), opened["content_type"]


def _stored(document: dict[str, Any]) -> StoredForm:
    return StoredForm(procuration_id=document["_id"], sha256=document["sha256"], size=document["size"],
                      content_type=document["content_type"], stored_at=document["stored_at"])
