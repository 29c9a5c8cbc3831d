"""A person's rights: erasure, and the access report (every exchange and read about them)."""

import csv
import io
import json
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from cii_platform.http import CurrentPrincipal, content_disposition, not_found
from cii_platform.reference import load_reference_data

from ...adapters.access_report import access_report_pdf
from ...service_layer.audit import Action, AuditEvent
from .dependencies import Service, require_audit_reader, require_cantonal_officer
from .schemas import ErasurePublic

router = APIRouter(prefix="/api/v1/persons", tags=["persons"])

REPORT_COLUMNS = ("seq", "at", "action", "institution", "subject", "categories", "purpose", "procuration_id",
                  "outcome", "details")


@router.post("/{pseudonym}/erase", response_model=ErasurePublic)
async def erase_person(pseudonym: str, principal: CurrentPrincipal, service: Service) -> ErasurePublic:
    """Destroys the person's data keys: every sealed copy, anywhere, becomes unreadable (idempotent).
    404 for a pseudonym the CII knows nothing about (nothing is recorded)."""
    require_cantonal_officer(principal)
    if not await service.eraser.knows(pseudonym):
        raise not_found("person")
    await service.eraser.erase(pseudonym, principal.audit_actor())
    service.runtime.notify_outbox()
    erasure = await service.keys.erasure(pseudonym)
    return ErasurePublic(person_pseudonym=pseudonym, erased=True,
                         erased_at=erasure["erased_at"] if erasure else None)


ACCESS_REPORT_FORMATS: dict[int | str, dict[str, Any]] = {200: {
    "description": "the report: JSON, CSV, or PDF (printed in French or German: words for every code, the full "
                   "name, role and institution of who did what, Swiss dates, page numbers)",
    "content": {"application/json": {}, "text/csv": {}, "application/pdf": {}}}}


@router.get("/{pseudonym}/access-report", response_model=None, responses=ACCESS_REPORT_FORMATS)
async def access_report(pseudonym: str, principal: CurrentPrincipal, service: Service,
                        format: Literal["json", "csv", "pdf"] = Query("json"),
                        language: Literal["fr", "de"] = Query("fr", description="the PDF's language")) -> Any:
    """Every audited exchange, read and decision about a person (the person's right of access)."""
    require_audit_reader(principal)
    entries = await service.audit.about(pseudonym)
    await service.audit.record(AuditEvent(actor=principal.audit_actor(), action=Action.ACCESS_REPORT,
                                          person_pseudonym=pseudonym, outcome="READ",
                                          details={"format": format, "entries": len(entries)}))
    if format == "pdf":
        reference = load_reference_data(service.settings.reference_data_file)
        pdf = await access_report_pdf(reference, pseudonym, entries, service.clock.now(), language)
        return Response(pdf, media_type="application/pdf", headers={
            "Content-Language": language,
            **content_disposition("attachment", f"access-report-{pseudonym}-{language}.pdf")})
    if format == "csv":
        return Response(_as_csv(entries), media_type="text/csv",
                        headers=content_disposition("attachment", f"access-report-{pseudonym}.csv"))
    return {"person_pseudonym": pseudonym, "total": len(entries), "items": entries}


def _as_csv(entries: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(REPORT_COLUMNS)
    for entry in entries:
        actor = entry.get("actor") or {}
        writer.writerow([entry.get("seq"), entry.get("at"), entry.get("action"), actor.get("institution"),
                         actor.get("subject"), " ".join(entry.get("categories") or []), entry.get("purpose") or "",
                         entry.get("procuration_id") or "", entry.get("outcome"),
                         json.dumps(entry.get("details") or {}, sort_keys=True)])
    return buffer.getvalue()
