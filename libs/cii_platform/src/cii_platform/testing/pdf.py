"""The text of a PDF, as `pdftotext` (poppler-utils) reads it: what a reader or an archive indexer sees."""

import shutil
import subprocess


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF"), f"not a PDF: {pdf[:40]!r}"
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext is missing: apt-get install poppler-utils (make tools installs it)")
    done = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60)
    return " ".join(done.stdout.decode("utf-8").split())  # one line: a phrase may wrap anywhere
