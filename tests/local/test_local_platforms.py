"""The local platform as a newcomer and an operator meet it: one variable per port moves every component
(two platforms side by side, each sees only its own data), a checkout in a private folder works, and a
failed start leaves nothing of ours running.

Ports: platform A on CII_TEST_PORT_BASE, platform B on base + 50 (the same offsets as the harness).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from cii_platform.contracts.topics import SERVICES, STACK_SERVICES
from cii_platform.settings import REPO_ROOT
from cii_platform.testing.platform import LocalInfra, LocalPlatform, Ports

pytestmark = pytest.mark.e2e

BASE = int(os.environ.get("CII_TEST_PORT_BASE", "19900"))
PLATFORM_VARIABLES = ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL", "PROCURATION_URL", "CII_DATA_DIR",
                      "CII_KEYCLOAK_PORT", "CII_SMTP_PORT", "CII_MAILPIT_PORT",
                      *(f"{name.upper()}_HTTP_PORT" for name in STACK_SERVICES))


def platform_env(base: int, data_dir: Path) -> dict[str, str]:
    """What a developer sets for a second platform: the data folder and one variable per port."""
    env = {k: v for k, v in os.environ.items() if k not in PLATFORM_VARIABLES}
    env.update({"CII_DATA_DIR": str(data_dir), "CII_KAFKA_PORT": str(base + 92),
                "CII_KAFKA_CONTROLLER_PORT": str(base + 93), "CII_STORE_PORT": str(base + 17),
                "CII_FERRETDB_DEBUG_PORT": str(base + 88), "CII_POSTGRES_PORT": str(base + 32),
                "CII_KEYCLOAK_PORT": str(base + 80), "CII_SMTP_PORT": str(base + 25),
                "CII_MAILPIT_PORT": str(base + 26), "CII_PYTHON": str(REPO_ROOT / ".venv" / "bin" / "python")})
    env.update({f"{name.upper()}_HTTP_PORT": str(base + 1 + index) for index, name in enumerate(STACK_SERVICES)})
    return env


def run(command: list[str], env: dict[str, str], cwd: Path = REPO_ROOT, check: bool = True,
        timeout: float = 900) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def processes_mentioning(*needles: str) -> list[str]:
    """Command lines of live processes naming one of the needles (a data folder, a cluster's folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = next(line for line in (proc / "status").read_text().splitlines() if line.startswith("State:"))
        except (OSError, StopIteration):
            continue
        if "zombie" not in state and any(needle in cmdline for needle in needles):
            found.append(f"{proc.name}: {cmdline[:200]}")
    return found


def postgres_home(data_dir: Path) -> Path:
    return Path((data_dir / "postgres.location").read_text().strip())


@pytest.fixture
def scratch() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="cii-local-", dir=REPO_ROOT / ".local"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def report_total(base: int, env: dict[str, str], year: int) -> int:
    token = run([str(REPO_ROOT / ".venv" / "bin" / "cii"), "token", "--institution", "BUREAU", "--role",
                 "cantonal_officer"], env).stdout.strip()
    answer = httpx.get(f"http://127.0.0.1:{base + 4}/api/v1/reports/annual/{year}",
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert answer.status_code == 200, answer.text
    total: int = answer.json()["adult_complex"]["total"] + answer.json()["young"]["total"]
    return total


@pytest.mark.timeout(1800)
def test_two_platforms_on_other_ports_side_by_side_each_see_only_their_own_data(scratch: Path) -> None:
    year = 2019
    a_base, b_base = BASE, BASE + 50
    a_env, b_env = platform_env(a_base, scratch / "a"), platform_env(b_base, scratch / "b")
    # KAFKA_BOOTSTRAP_SERVERS naming the local port is the local Kafka: it is started, not called external.
    a_env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{a_base + 92}"
    try:
        # Both come up at the same time, as two developers' platforms would (and the test takes half as long).
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda env: run(["make", "up", "CII_DEMO=0"], env), (a_env, b_env)))
        status = run(["make", "status"], a_env).stdout
        kafka_line = next(line for line in status.splitlines() if line.startswith("kafka"))
        assert "running" in kafka_line and "external" not in kafka_line, status
        assert f"127.0.0.1:{a_base + 92}" in kafka_line
        # `cii demo load` (and topics ensure, token) follow the same variables: A's data lands in A only.
        run([str(REPO_ROOT / ".venv" / "bin" / "cii"), "demo", "load", "--year", str(year), "--scale", "0.05"], a_env)
        deadline = time.monotonic() + 300
        while (a_total := report_total(a_base, a_env, year)) == 0 and time.monotonic() < deadline:
            time.sleep(2)
        assert a_total > 0
        assert report_total(b_base, b_env, year) == 0
        with MongoClient(f"mongodb://127.0.0.1:{b_base + 17}", serverSelectionTimeoutMS=10_000) as b_store:
            assert b_store["cii_signalement"]["situations"].count_documents({}) == 0
        with MongoClient(f"mongodb://127.0.0.1:{a_base + 17}", serverSelectionTimeoutMS=10_000) as a_store:
            assert a_store["cii_signalement"]["situations"].count_documents({}) > 0
        # Each service of A reached A's procuration (PROCURATION_URL follows PROCURATION_HTTP_PORT).
        for base in (a_base, b_base):
            for index, name in enumerate(SERVICES):
                assert httpx.get(f"http://127.0.0.1:{base + 1 + index}/readyz", timeout=10).status_code == 200, name
    finally:
        for env in (a_env, b_env):
            run(["make", "down"], env, check=False)
    assert processes_mentioning(str(scratch)) == []


@pytest.mark.timeout(900)
def test_a_checkout_in_a_private_folder_runs_its_store() -> None:
    """A clone in a mode-700 folder (root's home, mktemp -d): PostgreSQL, run as the postgres user, cannot
    enter it, so its cluster lives outside the checkout, one per data folder."""
    private = Path(tempfile.mkdtemp(prefix="cii-private-"))  # mode 700
    assert private.stat().st_mode & 0o777 == 0o700
    clone = private / "checkout"
    files = run(["git", "ls-files", "-co", "--exclude-standard"], dict(os.environ)).stdout.split()
    for name in files:
        source = REPO_ROOT / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    env = platform_env(BASE, clone / ".local")
    env.pop("CII_DATA_DIR")  # the default: <clone>/.local, inside the private folder
    env["CII_WITH_KEYCLOAK"] = "0"  # the store is what this checks
    try:
        run([str(clone / "scripts" / "infra.sh"), "start"], env, cwd=clone)
        home = postgres_home(clone / ".local")
        assert not str(home).startswith(str(private)), home
        with MongoClient(f"mongodb://127.0.0.1:{BASE + 17}", serverSelectionTimeoutMS=10_000) as store:
            store["cii_check"]["things"].insert_one({"_id": "one"})
            assert store["cii_check"]["things"].count_documents({}) == 1
        # The private folder was not opened to others.
        assert private.stat().st_mode & 0o777 == 0o700
        # Another data folder (another checkout, another test suite) gets another cluster.
        other = platform_env(BASE + 50, clone / ".local" / "test-other")
        assert run([str(clone / "scripts" / "infra.sh"), "status"], other, cwd=clone).returncode == 0
    finally:
        run([str(clone / "scripts" / "infra.sh"), "reset"], env, cwd=clone, check=False)
        leftovers = processes_mentioning(str(private))
        shutil.rmtree(private, ignore_errors=True)
    assert leftovers == []
    assert not home.exists(), "reset deletes the cluster outside the checkout too"


@pytest.mark.timeout(900)
def test_a_failed_start_stops_what_it_started(scratch: Path) -> None:
    """The store cannot start (its PostgreSQL port is taken): Kafka, already launched, is stopped again by
    scripts/infra.sh, `make up` and the test harness alike."""
    env = platform_env(BASE, scratch)
    env["CII_WITH_KEYCLOAK"] = "0"  # Kafka is the component launched before the store fails
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind(("127.0.0.1", BASE + 32))
    blocker.listen()
    try:
        failed = run([str(REPO_ROOT / "scripts" / "infra.sh"), "start"], env, check=False)
        assert failed.returncode != 0 and "PostgreSQL" in failed.stderr, failed.stderr
        assert "stopping what it started (kafka)" in failed.stderr
        assert processes_mentioning(str(scratch)) == []

        failed = run(["make", "up", "CII_DEMO=0"], env, check=False)
        assert failed.returncode != 0
        assert processes_mentioning(str(scratch)) == []

        harness = LocalPlatform(infra=LocalInfra(Ports(BASE), scratch / "harness"))
        with pytest.raises(RuntimeError, match="PostgreSQL"):
            harness.start()
        assert processes_mentioning(str(scratch)) == []
        assert harness.services == {}
    finally:
        blocker.close()
        run([str(REPO_ROOT / "scripts" / "infra.sh"), "stop"], env, check=False)
