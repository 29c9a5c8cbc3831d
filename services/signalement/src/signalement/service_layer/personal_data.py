"""Sealing and opening personal sections under the person's data keys (held by the key custodian).

Each institution seals what it sends under its own key for the person and category: the announcer its
announcement, the bureau a triage reason. Opening a section asks the custodian to release the key for
the caller, which it grants to the key's controller, or to anybody else (the bureau included) only under
a PERMIT of the person's procuration decided at that moment, and audits.
"""

import asyncio
from typing import Any

from cii_platform.contracts.codes import Purpose
from cii_platform.security.crypto import SealedSection, seal, unseal
from cii_platform.security.custody import KeyCustody, KeyErased, KeyRequest, ReleaseRequest
from cii_platform.security.tokens import Principal


class PersonalData:
    def __init__(self, custody: KeyCustody) -> None:
        self._custody = custody

    async def seal_sections(self, person_pseudonym: str, *, controller: str, context: str,
                            sections: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """`sections` by data category; raises KeyErased when the person's keys were destroyed."""
        categories = list(sections)
        keys = await asyncio.gather(*(self._custody.data_key(person_pseudonym, category, controller=controller)
                                      for category in categories))
        return {category: seal(sections[category], key, key_id, context=context).model_dump()
                for category, (key_id, key) in zip(categories, keys, strict=True)}

    async def seal_many(self, batch: list[tuple[str, str, str, dict[str, Any]]]) -> list[dict[str, Any] | KeyErased]:
        """`seal_sections` for a batch of (pseudonym, controller, context, sections), with one key request."""
        requests = [KeyRequest(person, category, controller) for person, controller, _, sections in batch
                    for category in sections]
        keys = await self._custody.data_keys(requests)
        sealed: list[dict[str, Any] | KeyErased] = []
        for person, controller, context, sections in batch:
            answers = {category: keys[KeyRequest(person, category, controller)] for category in sections}
            issued = {category: answer for category, answer in answers.items() if not isinstance(answer, KeyErased)}
            if len(issued) < len(answers):
                sealed.append(KeyErased(person))
                continue
            sealed.append({category: seal(sections[category], key, key_id, context=context).model_dump()
                           for category, (key_id, key) in issued.items()})
        return sealed

    async def open_section(self, section: dict[str, Any], principal: Principal, *, context: str,
                           purpose: Purpose = Purpose.CII_COORDINATION) -> Any:
        """Raises KeyReleaseDenied or KeyErased; the custodian audits every release."""
        sealed = SealedSection.model_validate(section)
        key = await self._custody.release(ReleaseRequest(
            key_id=sealed.key_id, institution=principal.institution, purpose=purpose.value,
            actor=principal.audit_actor(), resource=context))
        return unseal(sealed, key, context=context)
