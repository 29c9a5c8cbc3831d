"""Free text about a person (minutes, final report, outcome notes, objectives) is sealed at once.

Keys come from the custodian (the procuration service): each text is sealed under the key of the
institution that wrote it (its controller); reading back releases the key for the caller's institution
and purpose, which the custodian grants to that controller, or to anybody else (the bureau included)
only under a PERMIT of the person's procuration, and audits.
"""

from typing import Any

from cii_platform.contracts.codes import DataCategory, Purpose
from cii_platform.security.crypto import SealedSection, seal, unseal
from cii_platform.security.custody import KeyCustody, KeyReleaseDenied, ReleaseRequest
from cii_platform.security.tokens import Principal

FREE_TEXT_CATEGORY = DataCategory.SOCIAL.value


class Sealer:
    def __init__(self, custody: KeyCustody) -> None:
        self.custody = custody

    async def seal_text(self, controller: str, text: str | None, person_pseudonym: str,
                        context: str) -> SealedSection | None:
        if text is None:
            return None
        key_id, key = await self.custody.data_key(person_pseudonym, FREE_TEXT_CATEGORY, controller=controller)
        return seal({"text": text}, key, key_id, context=context)

    async def unseal_section(self, section: SealedSection, principal: Principal, *, purpose: Purpose,
                             context: str) -> dict[str, Any] | None:
        """A whole sealed section (the identity another service sealed); None when the custodian refuses."""
        request = ReleaseRequest(key_id=section.key_id, institution=principal.institution, purpose=purpose.value,
                                 actor=principal.audit_actor(), resource=context)
        try:
            key = await self.custody.release(request)
        except KeyReleaseDenied:
            return None
        return dict(unseal(section, key, context=context))

    async def unseal_text(self, section: SealedSection, principal: Principal, *, purpose: Purpose,
                          context: str) -> str | None:
        """None when the custodian refuses (no procuration); KeyErased (410) when the person was erased."""
        request = ReleaseRequest(key_id=section.key_id, institution=principal.institution, purpose=purpose.value,
                                 actor=principal.audit_actor(), resource=context)
        try:
            key = await self.custody.release(request)
        except KeyReleaseDenied:
            return None
        text = unseal(section, key, context=context).get("text")
        return str(text) if text is not None else None
