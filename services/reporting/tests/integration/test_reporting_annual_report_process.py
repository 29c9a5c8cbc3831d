"""Every figure of docs/contract.md section 8 against hand-computed expectations, through the real Kafka and
store with the reporting service as a process; the CSV, XLSX, HTML and publication variants."""

import csv
import io

import pytest
from openpyxl import load_workbook
from reporting_dataset import PublishedDataset, get, normalised, wait_for_report
from reporting_expectations import expected_report

from cii_platform.testing.pdf import pdf_text
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e


def test_every_figure_of_section_8_matches_the_hand_computed_report(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    for year in (2024, 2023):
        expected = expected_report(dataset.history, year, dataset.caseloads[year])
        report = wait_for_report(reporting_platform, bureau_token, year, expected)
        assert normalised(report) == normalised(expected), f"report {year} differs"
    report = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024").json()
    assert report["adult_complex"]["total"] > 10 and report["young"]["total"] > 50  # a real data set
    assert 0 < report["simultaneous_follow_up"]["share"] < 1


def test_a_re_announcement_counts_once_in_its_new_region(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    moved = next(s for s in dataset.history.situations if s.situation_id == dataset.reannounced_id)
    expected = expected_report(dataset.history, 2024, dataset.caseloads[2024])
    report = wait_for_report(reporting_platform, bureau_token, 2024, expected)
    row = report["adult_complex"]["by_institution_region"][moved.institution]
    assert row[moved.person.region] == expected["adult_complex"]["by_institution_region"][moved.institution][
        moved.person.region]


def test_caseload_snapshots_replace_and_reject_as_the_contract_says(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    """The outdated ORP snapshot was replaced, the partial CMS one ignored, the bad OAI one rejected."""
    [answer] = dataset.rejected
    assert answer["type"] == "ch.vs.cii.event.rejected.v1"
    assert answer["data"]["errors"][0]["field"] == "data.persons.1"
    expected = expected_report(dataset.history, 2024, dataset.caseloads[2024])
    report = wait_for_report(reporting_platform, bureau_token, 2024, expected)
    assert normalised(report["simultaneous_follow_up"]) == normalised(expected["simultaneous_follow_up"])
    orp = next(c for c in dataset.caseloads[2024] if c.institution == "ORP")
    assert report["simultaneous_follow_up"]["persons_total"] >= len(orp.persons)


def test_csv_and_xlsx_give_the_same_figures(reporting_platform: LocalPlatform, dataset: PublishedDataset,
                                            bureau_token: str) -> None:
    expected = expected_report(dataset.history, 2024, dataset.caseloads[2024])
    report = wait_for_report(reporting_platform, bureau_token, 2024, expected)
    answer = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024", format="csv")
    assert answer.headers["content-type"].startswith("text/csv")
    rows = {row["figure"]: row["value"] for row in csv.DictReader(io.StringIO(answer.text))}
    assert rows["adult_complex.total"] == str(report["adult_complex"]["total"])
    assert float(rows["profile.mean_age"]) == pytest.approx(report["profile"]["mean_age"])
    assert float(rows["simultaneous_follow_up.share"]) == pytest.approx(report["simultaneous_follow_up"]["share"])
    workbook = load_workbook(io.BytesIO(get(reporting_platform, bureau_token,
                                            "/api/v1/reports/annual/2024.xlsx").content))
    figures = {row[0]: row[1:] for row in workbook["Figures"].iter_rows(values_only=True)}
    assert figures["figure"] == ("2023", "2024")
    assert figures["young.total"] == (expected_report(dataset.history, 2023, [])["young"]["total"],
                                      report["young"]["total"])
    table = list(workbook["Adult complex"].iter_rows(values_only=True))
    assert table[1][:2] == ("Total", report["adult_complex"]["total"])


def test_printable_page_has_the_tables_with_the_previous_year(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    page = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024", format="html")
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="adult-complex"' in page.text and "<th>2023</th><th>2024</th>" in page.text
    for section in ("young", "measures", "profile", "gravity", "transitions", "simultaneous_follow_up"):
        assert f'id="section-{section}"' in page.text
    pdf = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    german = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024.pdf", language="de")
    assert german.headers["content-language"] == "de"
    french, german_text = pdf_text(pdf.content), pdf_text(german.content)
    assert "CII Valais : rapport annuel 2024" in french and "Les prestations en chiffres" in french
    assert "Table ronde (TRO)" in french and "Page 1 sur" in french and "Imprimé le" in french
    assert "IIZ Wallis: Jahresbericht 2024" in german_text and "Seite 1 von" in german_text
    for key in ("adult_complex", "by_institution_region", "men_share", "simultaneous_follow_up", "HAUT_VALAIS"):
        assert key not in french and key not in german_text, key


def test_publication_hides_small_cells_and_keeps_totals(
        reporting_platform: LocalPlatform, dataset: PublishedDataset, bureau_token: str) -> None:
    exact = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024").json()
    published = get(reporting_platform, bureau_token, "/api/v1/reports/annual/2024",
                    publication="true", threshold=3).json()
    assert published["adult_complex"]["total"] == exact["adult_complex"]["total"]
    for institution, row in exact["adult_complex"]["by_institution_region"].items():
        for region, count in row.items():
            shown = published["adult_complex"]["by_institution_region"][institution][region]
            assert shown == ("<3" if count < 3 else shown)
            assert shown in ("<3", "x") or shown == count
    assert "<3" in str(published["adult_complex"]["by_institution_region"])


def test_only_the_bureau_reads_reports(reporting_platform: LocalPlatform) -> None:
    field_worker = reporting_platform.token("ORP", "field_worker")
    assert get(reporting_platform, field_worker, "/api/v1/reports/annual/2024").status_code == 403
    with reporting_platform.client("reporting") as anonymous:
        assert anonymous.get("/api/v1/reports/annual/2024").status_code == 401
    officer = reporting_platform.token("BUREAU", "cantonal_officer")
    bad = get(reporting_platform, officer, "/api/v1/reports/annual/24")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "year"
