"""The measures' printed documents (closure letter, objectives contract, round-table invitation): the
platform's one engine (cii_platform.documents) with this service's templates and French/German words."""

from functools import cache
from pathlib import Path

from cii_platform.documents import DocumentEngine
from cii_platform.reference import ReferenceData

FOLDER = Path(__file__).resolve().parents[1] / "documents"


@cache
def _engine(names: tuple[tuple[str, str], ...]) -> DocumentEngine:
    return DocumentEngine(FOLDER, institution_names=dict(names))


def document_engine(reference: ReferenceData) -> DocumentEngine:
    """Institutions without words of their own print under their reference-data name."""
    names = tuple((i.code, i.name) for i in reference.institutions) + tuple(
        (b.code, b.name) for b in reference.platform_bodies)
    return _engine(names)
