"""The OpenAPI documents tell the truth: schemathesis (pinned in the dev dependencies) against the four
services as processes, with several roles' tokens, every check on (`--checks all`).

Bounded in time: CII_SCHEMATHESIS_EXAMPLES examples per operation (default 5) and the examples, coverage
and fuzzing phases (the stateful phase is left out: it chains writes for minutes and finds nothing more
about the documents). A response may take up to 2 minutes (the annual report as PDF is printed by
Chromium; on a loaded machine that took 13 s). The counts per service and role are printed and kept in the
platform's data folder.
"""

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cii_platform.contracts.topics import SERVICES
from cii_platform.testing.platform import LocalPlatform

pytestmark = pytest.mark.e2e

EXAMPLES = int(os.environ.get("CII_SCHEMATHESIS_EXAMPLES", "5"))
# Who calls what: the bureau's cantonal officer sees the most, an institution's field worker and system the
# least; the service role reaches procuration's internal routes.
ROLES = {
    "signalement": [("BUREAU", "cantonal_officer"), ("ORP", "field_worker")],
    "measures": [("BUREAU", "cantonal_officer"), ("CMS", "field_worker")],
    "procuration": [("BUREAU", "cantonal_officer"), ("BUREAU", "service")],
    "reporting": [("BUREAU", "cantonal_officer"), ("ORP", "field_worker")],
    "notifier": [("BUREAU", "coordinator"), ("ORP", "field_worker")],
}
CONFIG = Path(__file__).with_name("schemathesis.toml")
SUMMARY = re.compile(r"^\s*(\d+ generated.*|[✅❌].*(passed|failed).*|⚠️.*|❌ ST\d+.*)$", re.M)


def run_schemathesis(platform: LocalPlatform, service: str, institution: str, role: str) -> tuple[int, str]:
    token = platform.token(institution, role)
    report = platform.infra.data_dir / "schemathesis" / f"{service}-{role}"
    report.mkdir(parents=True, exist_ok=True)
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(CONFIG),
               "run", f"{platform.url(service)}/openapi.json",
               "--checks", "all", "--max-examples", str(EXAMPLES), "--phases", "examples,coverage,fuzzing",
               "--header", f"Authorization: Bearer {token}", "--request-timeout", "120", "--max-response-time", "120",
               "--seed", "18",
               "--no-color", "--report", "junit", "--report-dir", str(report)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=report,  # its cache there
                            env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    output = result.stdout + result.stderr
    (report / "output.txt").write_text(output)
    return result.returncode, output


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("service", SERVICES)
def test_the_openapi_document_matches_the_server(platform: LocalPlatform, service: str) -> None:
    # The roles run side by side: each schemathesis mostly waits for the server, so their waits overlap.
    with ThreadPoolExecutor(max_workers=len(ROLES[service])) as pool:
        runs = list(pool.map(lambda caller: run_schemathesis(platform, service, *caller), ROLES[service]))
    failures = []
    for (institution, role), (status, output) in zip(ROLES[service], runs, strict=True):
        summary = "\n".join(match.group(0).strip() for match in SUMMARY.finditer(output))
        print(f"\n== schemathesis {service} as {institution}/{role}:\n{summary}")
        if status != 0:
            failures.append(f"{service} as {institution}/{role} (exit {status}):\n{output[-6000:]}")
    assert not failures, "\n\n".join(failures)
