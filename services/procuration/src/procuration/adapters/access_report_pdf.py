"""A person's access report as PDF (right of access): one line per audited exchange, read or decision."""

import io
from datetime import datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

HEADER = ["#", "when (UTC)", "action", "institution", "by", "categories", "purpose", "procuration", "outcome"]


def _row(entry: dict[str, Any]) -> list[str]:
    actor = entry.get("actor") or {}
    return [str(entry.get("seq", "")), str(entry.get("at", ""))[:19].replace("T", " "), str(entry.get("action", "")),
            str(actor.get("institution", "")), str(actor.get("subject", ""))[:28],
            " ".join(entry.get("categories") or []), str(entry.get("purpose") or ""),
            str(entry.get("procuration_id") or ""), str(entry.get("outcome", ""))]


def access_report_pdf(person_pseudonym: str, entries: list[dict[str, Any]], generated_at: datetime) -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=f"Access report {person_pseudonym}")
    table = Table([HEADER] + [_row(entry) for entry in entries], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTSIZE", (0, 0), (-1, -1), 7), ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    document.build([
        Paragraph("CII Valais — access report (right of access)", styles["Title"]),
        Paragraph(f"Person (pseudonym): {person_pseudonym}<br/>Generated: {generated_at.isoformat()}<br/>"
                  f"Entries: {len(entries)} (every decision, key release, exchange step, read and erasure "
                  "about this person, from the tamper-evident audit log)", styles["Normal"]),
        Spacer(1, 12), table])
    return buffer.getvalue()
