"""The text of a PDF, as `pdftotext` (poppler-utils) reads it: what a reader or an archive indexer sees."""

import re
import shutil
import subprocess


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF"), f"not a PDF: {pdf[:40]!r}"
    tool = shutil.which("pdftotext")
    if tool is None:
        raise RuntimeError("pdftotext is missing: apt-get install poppler-utils (make tools installs it)")
    # -raw: the order the text was written in (reading order), and a hyphen at a line's end kept as printed
    done = subprocess.run([tool, "-raw", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60)
    text = re.sub(r"(?<=\w)-\n(?=\w)", "-", done.stdout.decode("utf-8"))  # "médico-\nsocial": one word
    return " ".join(text.split())  # one line: a phrase may wrap anywhere
