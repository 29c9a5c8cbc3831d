"""The documents of a measure, printed by the platform's one engine (cii_platform.documents):

- the closure letter to the person, addressed with the name and address of the sealed identity (so only
  for a caller the custodian releases the identity to), in the person's language, with the case manager
  as contact and the situation's human reference (CII-XXXX-XXXX), no technical identifier;
- the objectives contract to sign (objectives, owner institution, deadline, signature lines);
- the invitation to a round table (TRO) or an assessment: date, participating institutions, reference.

Every print is recorded in the service's audit log.
"""

from typing import Any

from cii_platform.contracts.codes import DataCategory, MeasureType, Purpose
from cii_platform.documents import human_reference, language_or_default
from cii_platform.http import conflict, forbidden
from cii_platform.security.tokens import Principal

from ..adapters.documents import document_engine
from ..domain.model import Measure, MeasureStatus
from ..domain.situation import letter_language_for
from .access import case_managers
from .context import ServiceContext

INVITATION_TYPES = (MeasureType.TRO, MeasureType.ASSESSMENT)


async def _identity(ctx: ServiceContext, measure: Measure, principal: Principal,
                    purpose: Purpose) -> dict[str, Any] | None:
    """The person's sealed identity, opened with a key the custodian releases to the caller; None without."""
    situation = await ctx.situations.get(measure.situation_id)
    section = situation.sealed.get(DataCategory.IDENTITY.value) if situation else None
    if situation is None or section is None:
        return None
    return await ctx.sealer.unseal_section(section, principal, purpose=purpose, context=situation.id)


def _contact(measure: Measure, situation_measures: list[Measure]) -> dict[str, str | None]:
    """The case manager of the measure (else of the situation); else the bureau."""
    managers = [m for m in (measure.case_manager, *case_managers(situation_measures)) if m is not None]
    if managers:
        return {"name": managers[0].name, "institution": managers[0].institution}
    return {"name": None, "institution": "BUREAU"}


def _language(measure: Measure, identity: dict[str, Any] | None, requested: str | None) -> str:
    chosen = requested or measure.letter_language or (identity or {}).get("language")
    return language_or_default(letter_language_for(measure.situation.region, chosen))


async def closure_letter_pdf(ctx: ServiceContext, measure_id: str, principal: Principal) -> tuple[bytes, str]:
    measure, situation_measures = await ctx.visible_measure(measure_id, principal)
    if measure.status != MeasureStatus.CLOSED or measure.closed_on is None:
        raise conflict("only a closed measure has a closure letter", measure.status.value)
    identity = await _identity(ctx, measure, principal, Purpose.CII_COORDINATION)
    await ctx.audit(principal, "read_closure_letter", measure.id, granted=identity is not None)
    if identity is None:
        raise forbidden("the letter is addressed to the person: no procuration permits your institution to "
                        "read the person's identity")
    language = _language(measure, identity, None)
    context = {"person": {"first_name": identity.get("first_name"), "last_name": identity.get("last_name"),
                          "address": identity.get("address") or {}},
               "closed_on": measure.closed_on, "written_on": ctx.clock.today(), "measure_type": measure.type.value,
               "contact": _contact(measure, situation_measures), "reference": human_reference(measure.situation_id)}
    pdf = await document_engine(ctx.reference).print("closure_letter.html", context, language, ctx.clock.now())
    return pdf, language


async def contract_pdf(ctx: ServiceContext, measure_id: str, principal: Principal,
                       language: str | None) -> tuple[bytes, str]:
    """Whoever reads the measure reads its contract; each objective's text only where the custodian
    releases it (else the line says the text is sealed), the person's name only with the identity."""
    measure, situation_measures = await ctx.visible_measure(measure_id, principal)
    if measure.type != MeasureType.CASE_MANAGEMENT:
        raise conflict("only a case management has an objectives contract", measure.status.value)
    if measure.contract is None:
        raise conflict("the objectives contract is not recorded yet", measure.status.value)
    identity = await _identity(ctx, measure, principal, Purpose.CASE_MANAGEMENT)
    objectives = []
    for objective in measure.contract.objectives:
        text = None
        if objective.text is not None:
            text = await ctx.sealer.unseal_text(objective.text, principal, purpose=Purpose.CASE_MANAGEMENT,
                                                context=f"{measure.id}/objective/{objective.id}")
        objectives.append({"text": text, "sealed": objective.text is not None and text is None,
                           "institution": objective.responsible_institution, "deadline": objective.deadline,
                           "achieved_on": objective.achieved_on})
    await ctx.audit(principal, "read_contract", measure.id, granted=True)
    chosen = _language(measure, identity, language)
    contact = _contact(measure, situation_measures)
    institutions = sorted({str(o["institution"]) for o in objectives} - {contact["institution"]})
    context = {"person": _name_only(identity), "signed_on": measure.contract.signed_on, "objectives": objectives,
               "contact": contact, "institutions": institutions,
               "reference": human_reference(measure.situation_id), "started_on": measure.started_on}
    pdf = await document_engine(ctx.reference).print("objectives_contract.html", context, chosen, ctx.clock.now())
    return pdf, chosen


async def invitation_pdf(ctx: ServiceContext, measure_id: str, principal: Principal,
                         language: str | None) -> tuple[bytes, str]:
    """The invitation sent to the participants: no personal data, the reference names the situation."""
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if measure.type not in INVITATION_TYPES:
        raise conflict("only a round table (TRO) or an assessment has an invitation", measure.status.value)
    if measure.scheduled_on is None or measure.status == MeasureStatus.CANCELLED:
        raise conflict("the session is not scheduled", measure.status.value)
    await ctx.audit(principal, "read_invitation", measure.id, granted=True)
    chosen = _language(measure, None, language)
    context = {"measure_type": measure.type.value, "scheduled_on": measure.scheduled_on,
               "institutions": sorted({p.institution for p in measure.participants}),
               "reference": human_reference(measure.situation_id), "region": measure.situation.region}
    pdf = await document_engine(ctx.reference).print("tro_invitation.html", context, chosen, ctx.clock.now())
    return pdf, chosen


def _name_only(identity: dict[str, Any] | None) -> dict[str, Any] | None:
    if identity is None:
        return None
    return {"first_name": identity.get("first_name"), "last_name": identity.get("last_name")}
