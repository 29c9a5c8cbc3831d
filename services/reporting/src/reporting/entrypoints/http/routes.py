"""Reporting's HTTP routes: the annual report (JSON, CSV, XLSX, printable HTML), dashboard, alerts."""

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse

from cii_platform.clock import swiss_today
from cii_platform.contracts.fields import IsoDate
from cii_platform.http import Page, Paging
from cii_platform.web.login import csrf_token

from ...adapters.report_pdf import annual_report_pdf
from ...bootstrap import Reporting
from ...domain.annual_report import annual_report
from ...domain.dashboard import dashboard
from ...domain.publication import protect_report
from .access import PageReader, ReportReader
from .render_dashboard import dashboard_page, signed_in_bar
from .render_report_page import report_page
from .render_tabular import report_csv, report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Format = Literal["json", "csv", "xlsx", "html", "pdf"]
router = APIRouter()


def reporting_of(request: Request) -> Reporting:
    reporting: Reporting = request.app.state.reporting
    return reporting


def build_report(reporting: Reporting, year: int, publication: bool, threshold: int) -> dict[str, Any]:
    report = annual_report(reporting.projection.model, year, reporting.reference.first_circle)
    return protect_report(report, threshold) if publication else report


Year = Annotated[int, Path(ge=2000, le=2100, description="the report's year, 2000 to 2100")]
Threshold = Annotated[int | None, Query(ge=1, le=100)]
Language = Annotated[Literal["fr", "de"], Query(description="the PDF's language (labels, dates)")]
REPORT_FORMATS: dict[int | str, dict[str, Any]] = {200: {
    "description": "the annual report in the chosen format; the PDF (A4, French or German) shows each figure "
                   "under its label with the previous year beside it, the date of printing and page numbers",
    "content": {"application/json": {}, "text/csv": {}, XLSX: {}, "text/html": {}, "application/pdf": {}}}}


# `/2024.xlsx` is a route of its own (registered first: `{year}` alone would take "2024.xlsx" and refuse it),
# so that `year` is an integer in both.
@router.get("/api/v1/reports/annual/{year}.{extension}", response_model=None, responses=REPORT_FORMATS)
async def get_annual_report_file(request: Request, year: Year, extension: Format, _: ReportReader,
                                 publication: bool = False, threshold: Threshold = None,
                                 language: Language = "fr") -> dict[str, Any] | Response:
    return await annual_report_response(request, year, extension, publication, threshold, language)


@router.get("/api/v1/reports/annual/{year}", response_model=None, responses=REPORT_FORMATS)
async def get_annual_report(request: Request, year: Year, _: ReportReader, format: Format = "json",
                            publication: bool = False, threshold: Threshold = None,
                            language: Language = "fr") -> dict[str, Any] | Response:
    return await annual_report_response(request, year, format, publication, threshold, language)


async def annual_report_response(request: Request, report_year: int, chosen: Format, publication: bool,
                                 threshold: int | None, language: str = "fr") -> dict[str, Any] | Response:
    reporting = reporting_of(request)
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
        pdf = await asyncio.to_thread(annual_report_pdf, reporting.reference, report, previous, language)
        return Response(pdf, media_type="application/pdf", headers={
            **_download(f"cii-report-{report_year}-{language}.pdf"), "Content-Language": language})
    return HTMLResponse(report_page(report, previous))


def _download(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get("/api/v1/dashboard")
async def get_dashboard(request: Request, _: ReportReader, on: IsoDate | None = None) -> dict[str, Any]:
    return dashboard(reporting_of(request).projection.model, on or swiss_today())


@router.get("/api/v1/alerts")
async def get_alerts(request: Request, _: ReportReader, paging: Paging, on: IsoDate | None = None,
                     kind: str | None = None) -> Page[dict[str, Any]]:
    found = dashboard(reporting_of(request).projection.model, on or swiss_today())["alerts"]
    if kind:
        found = [a for a in found if a["kind"] == kind]
    return Page(items=found[paging.offset:paging.offset + paging.limit], total=len(found))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def get_dashboard_page(request: Request, person: PageReader, on: IsoDate | None = None) -> HTMLResponse:
    header = signed_in_bar(person.name, csrf_token(request))
    board = dashboard(reporting_of(request).projection.model, on or swiss_today())
    return HTMLResponse(dashboard_page(board, header=header), headers={"Cache-Control": "no-store"})
