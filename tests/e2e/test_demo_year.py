"""The demo year shows the product (issue 14, point 9): `cii demo load` (what `make up` runs with CII_DEMO=1)
into the platform started fresh for this suite, services as processes, the real broker and store.

The test loads a smaller year (scale 0.1) through the same code path as `make up` (scale 1), so that it
runs in a few minutes.
"""

from datetime import date

import pytest

from cii_platform.demo import MEASURE_TYPES, DemoTarget, load_demo, missing_figures
from cii_platform.testing.platform import LocalPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]  # a loaded machine starts the platform slowly


async def test_the_demo_year_fills_every_figure_of_the_report_and_every_tile_of_the_dashboard(
        platform: LocalPlatform) -> None:
    """Seed 000 (annual report 2024, sections 3 and 9: the five measures, the figures the report gives)
    and seed 001 (the bureau triages, organises TRO and assessments, case managers sign the objectives
    contract and meet every two weeks): a demo year where the bureau works."""
    year = date.today().year - 1
    target = DemoTarget(kafka_bootstrap=platform.infra.kafka_bootstrap,
                        urls={name: platform.url(name) for name in ("signalement", "measures", "reporting")},
                        token=lambda institution, *roles: platform.token(institution, *roles))
    lines: list[str] = []
    summary = await load_demo(target, year, scale=0.1, progress=lines.append, visible_timeout=240)

    assert any("announcements recorded" in line for line in lines) and any("triaged" in line for line in lines)
    report, board = summary.report, summary.dashboard
    assert missing_figures(report, board) == [], "\n".join(lines)
    assert all(report["measures"][measure_type] > 0 for measure_type in MEASURE_TYPES)
    assert report["reinsertion"]["COACHING_ORP_CMS"] > 0
    assert report["early_detection"]["mean_delay_days"] > 0
    announced = report["adult_complex"]["total"] + report["young"]["total"]
    assert 0 < board["triage_overdue"] < announced / 4, "overdue triages are a minority"
    assert board["procurations_expiring"] > 0, "procurations naming the bureau are accepted"
    assert summary.actions["objectives contract signed"] > 0 and summary.actions["case meeting logged"] > 0
    assert summary.actions["situation closed by the coordinator"] >= 2
    assert not [action for action in summary.actions if action.endswith("refused")], summary.actions
