"""Reporting's HTTP routes: the annual report (JSON, CSV, XLSX, printable HTML), dashboard, alerts."""

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from cii_platform.http import Page, Paging, ProblemError, unprocessable
from cii_platform.validation import error
from cii_platform.web.login import csrf_token

from ...adapters.chromium_pdf import ChromiumPdfPrinter, PdfUnavailable
from ...bootstrap import Reporting
from ...domain.annual_report import annual_report
from ...domain.dashboard import dashboard
from ...domain.publication import protect_report
from .access import PageReader, ReportReader
from .render_dashboard import dashboard_page, signed_in_bar
from .render_report_page import report_page
from .render_tabular import report_csv, report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR_SPEC = re.compile(r"^(?P<year>\d{4})(?:\.(?P<format>json|csv|xlsx|html|pdf))?$")
Format = Literal["json", "csv", "xlsx", "html", "pdf"]
router = APIRouter()


def reporting_of(request: Request) -> Reporting:
    reporting: Reporting = request.app.state.reporting
    return reporting


def parse_year(spec: str, query_format: Format | None) -> tuple[int, Format]:
    match = YEAR_SPEC.match(spec)
    if not match or not 2000 <= int(match["year"]) <= 2100:
        raise unprocessable([error("year", "must be a year from 2000 to 2100, optionally with .csv, .xlsx, "
                                           ".html or .pdf (e.g. 2024 or 2024.xlsx)")])
    chosen = query_format or match["format"] or "json"
    return int(match["year"]), chosen  # type: ignore[return-value]


def build_report(reporting: Reporting, year: int, publication: bool, threshold: int) -> dict[str, Any]:
    report = annual_report(reporting.projection.model, year, reporting.reference.first_circle)
    return protect_report(report, threshold) if publication else report


@router.get("/api/v1/reports/annual/{year}", response_model=None)
async def get_annual_report(
    request: Request, year: str, _: ReportReader, format: Format | None = None,
    publication: bool = False, threshold: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> dict[str, Any] | Response:
    reporting = reporting_of(request)
    report_year, chosen = parse_year(year, format)
    limit = threshold or reporting.settings.publication_threshold
    report = build_report(reporting, report_year, publication, limit)
    if chosen == "json":
        return report
    if chosen == "csv":
        return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=_download(
            f"cii-report-{report_year}.csv"))
    previous = build_report(reporting, report_year - 1, publication, limit)
    if chosen == "xlsx":
        return Response(report_xlsx(report, previous), media_type=XLSX,
                        headers=_download(f"cii-report-{report_year}.xlsx"))
    if chosen == "pdf":
        return await pdf_response(report_page(report, previous), f"cii-report-{report_year}.pdf")
    return HTMLResponse(report_page(report, previous))


async def pdf_response(html: str, filename: str) -> Response:
    try:
        pdf = await ChromiumPdfPrinter().print_html(html)
    except PdfUnavailable as exc:
        raise ProblemError(503, "Service Unavailable", str(exc)) from exc
    return Response(pdf, media_type="application/pdf", headers=_download(filename))


def _download(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get("/api/v1/dashboard")
async def get_dashboard(request: Request, _: ReportReader, on: date | None = None) -> dict[str, Any]:
    return dashboard(reporting_of(request).projection.model, on or date.today())


@router.get("/api/v1/alerts")
async def get_alerts(request: Request, _: ReportReader, paging: Paging, on: date | None = None,
                     kind: str | None = None) -> Page[dict[str, Any]]:
    found = dashboard(reporting_of(request).projection.model, on or date.today())["alerts"]
    if kind:
        found = [a for a in found if a["kind"] == kind]
    return Page(items=found[paging.offset:paging.offset + paging.limit], total=len(found))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def get_dashboard_page(request: Request, person: PageReader, on: date | None = None) -> HTMLResponse:
    header = signed_in_bar(person.name, csrf_token(request))
    board = dashboard(reporting_of(request).projection.model, on or date.today())
    return HTMLResponse(dashboard_page(board, header=header), headers={"Cache-Control": "no-store"})
