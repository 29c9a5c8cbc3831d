"""A person's access report as PDF (right of access), printed by the platform's one engine: every audited
decision, key release, exchange and read about the person, in French or German, with words for every code
and the full name of who did it (as the identity provider named them in their token)."""

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from cii_platform.documents import DocumentEngine
from cii_platform.reference import ReferenceData

FOLDER = Path(__file__).resolve().parents[1] / "documents"


@cache
def _engine(names: tuple[tuple[str, str], ...]) -> DocumentEngine:
    return DocumentEngine(FOLDER, institution_names=dict(names))


def _line(entry: dict[str, Any]) -> dict[str, Any]:
    actor = entry.get("actor") or {}
    roles = list(actor.get("roles") or [])
    return {"at": entry.get("at"), "action": entry.get("action"), "outcome": entry.get("outcome"),
            "name": actor.get("name"), "institution": actor.get("institution"), "role": roles[0] if roles else None,
            "categories": list(entry.get("categories") or []), "purpose": entry.get("purpose")}


async def access_report_pdf(reference: ReferenceData, person_reference: str, entries: list[dict[str, Any]],
                      printed_at: datetime, language: str) -> bytes:
    names = tuple((i.code, i.name) for i in reference.institutions) + tuple(
        (b.code, b.name) for b in reference.platform_bodies)
    context = {"person_reference": person_reference, "lines": [_line(e) for e in entries]}
    return await _engine(names).print("access_report.html", context, language, printed_at)
