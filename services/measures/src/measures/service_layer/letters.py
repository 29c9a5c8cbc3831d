"""The closure letter of a closed measure, in the person's language (French or German)."""

from cii_platform.http import conflict
from cii_platform.security.tokens import Principal

from ..adapters.pdf_letter import render_pdf
from ..domain.letter import closure_letter
from ..domain.model import MeasureStatus
from ..domain.situation import letter_language_for
from .context import ServiceContext


async def closure_letter_pdf(ctx: ServiceContext, measure_id: str, principal: Principal) -> tuple[bytes, str]:
    measure, _ = await ctx.visible_measure(measure_id, principal)
    if measure.status != MeasureStatus.CLOSED or measure.closed_on is None:
        raise conflict("only a closed measure has a closure letter", measure.status.value)
    language = measure.letter_language or letter_language_for(measure.situation.region, None)
    letter = closure_letter(language, measure.closed_on, measure.closed_on, measure.id)
    await ctx.audit(principal, "read_closure_letter", measure.id, granted=True)
    return render_pdf(letter), language
