"""The printable report as PDF, printed by headless Chromium (Debian's `chromium`) from the same HTML."""

import asyncio
import shutil
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer")


class PdfUnavailable(RuntimeError):
    pass


class ChromiumPdfPrinter:
    def __init__(self, executable: str | None = None, timeout_seconds: float = 60.0) -> None:
        self._executable = executable or shutil.which("chromium") or shutil.which("chromium-browser")
        self._timeout = timeout_seconds

    async def print_html(self, html: str) -> bytes:
        if not self._executable:
            raise PdfUnavailable("PDF needs Chromium on the server (apt-get install chromium); "
                                 "the HTML format prints the same page")
        with tempfile.TemporaryDirectory() as folder:
            page, pdf = Path(folder) / "report.html", Path(folder) / "report.pdf"
            page.write_text(html, encoding="utf-8")
            process = await asyncio.create_subprocess_exec(
                self._executable, *CHROMIUM_FLAGS, f"--user-data-dir={folder}/profile",
                f"--print-to-pdf={pdf}", page.as_uri(),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            try:
                _, errors = await asyncio.wait_for(process.communicate(), self._timeout)
            except TimeoutError as exc:
                process.kill()
                raise PdfUnavailable("Chromium did not print the report in time") from exc
            if process.returncode != 0 or not pdf.exists():
                raise PdfUnavailable(f"Chromium failed to print: {errors.decode(errors='replace')[-300:]}")
            return pdf.read_bytes()
