"""CSV and XLSX downloads of the annual report (the same figures as the JSON, one row per figure)."""

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .flatten import flatten, side_by_side

REGION_ORDER = ("HAUT_VALAIS", "SIERRE", "SION", "MARTIGNY", "MONTHEY")


def report_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["figure", "value"])
    writer.writerows(flatten(report))
    return out.getvalue()


def report_xlsx(report: dict[str, Any], previous: dict[str, Any]) -> bytes:
    workbook = Workbook()
    figures = workbook.active
    assert figures is not None
    figures.title = "Figures"
    figures.append(["figure", str(previous["year"]), str(report["year"])])
    for path, before, now in side_by_side(report, previous):
        figures.append([path, before, now])
    table = workbook.create_sheet("Adult complex")
    for row in adult_complex_rows(report["adult_complex"]):
        table.append(row)
    for sheet in (figures, table):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 55 if sheet is figures else 20
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def regions_of(adult_complex: dict[str, Any]) -> list[str]:
    present = set(adult_complex["by_region"])
    return list(REGION_ORDER) + sorted(present - set(REGION_ORDER))


def adult_complex_rows(adult_complex: dict[str, Any]) -> list[list[Any]]:
    """The report's table: announcing institution x region, with the totals row first."""
    regions = regions_of(adult_complex)
    rows: list[list[Any]] = [["Institution", "Valais", *regions]]
    rows.append(["Total", adult_complex["total"], *[adult_complex["by_region"].get(r, 0) for r in regions]])
    for institution, by_region in adult_complex["by_institution_region"].items():
        rows.append([institution, adult_complex["by_institution"].get(institution, 0),
                     *[by_region.get(r, "") for r in regions]])
    return rows
