"""`make up` / `make down`: the whole platform on this machine, services as background processes.

Infrastructure comes from scripts/infra.sh (or the external Kafka / MongoDB named by the environment);
each service runs detached with its pid file and log under the data folder, so `make up` run again
starts only what is not running.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .contracts.topics import SERVICES as API_SERVICES
from .contracts.topics import STACK_SERVICES as SERVICES
from .settings import REPO_ROOT, PlatformSettings, port


def service_port(name: str) -> int:
    return port(f"{name.upper()}_HTTP_PORT")


def _pid_file(settings: PlatformSettings, name: str) -> Path:
    return settings.data_dir / "pids" / f"{name}.pid"


def running_pid(settings: PlatformSettings, name: str) -> int | None:
    try:
        pid = int(_pid_file(settings, name).read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid if f"-m {name}".encode() in cmdline else None


def start_service(settings: PlatformSettings, name: str) -> bool:
    if running_pid(settings, name):
        return False
    log_path = settings.data_dir / "logs" / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    _pid_file(settings, name).parent.mkdir(parents=True, exist_ok=True)
    # the workspace shows the notifications inbox when the notifier runs in the same stack
    env = {**os.environ, **({"NOTIFIER_URL": f"http://127.0.0.1:{service_port('notifier')}"}
                            if name == "workspace" and "notifier" in SERVICES else {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", name], stdout=log, stderr=subprocess.STDOUT, env=env,
                                   stdin=subprocess.DEVNULL, cwd=REPO_ROOT, start_new_session=True)
    _pid_file(settings, name).write_text(str(process.pid))
    return True


def wait_ready(name: str, timeout: float = 90.0) -> None:
    url = f"http://127.0.0.1:{service_port(name)}/readyz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise TimeoutError(f"{name} did not become ready at {url} within {timeout:.0f}s: see .local/logs/{name}.log")


def stop_service(settings: PlatformSettings, name: str, timeout: float = 30.0) -> bool:
    pid = running_pid(settings, name)
    if pid is None:
        _pid_file(settings, name).unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.2)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    _pid_file(settings, name).unlink(missing_ok=True)
    return True


def up(settings: PlatformSettings, names: tuple[str, ...] = SERVICES) -> None:
    """Starts what is not running; if one does not become ready, stops those this call started (a failed
    `make up` leaves behind only what it reported running before)."""
    started: list[str] = []
    try:
        for name in names:
            if start_service(settings, name):
                started.append(name)
        for name in names:
            wait_ready(name)
    except BaseException:
        for name in started:
            stop_service(settings, name)
        print(f"services stopped after the failed start: {', '.join(started) or 'none'}", file=sys.stderr)
        raise
    print(f"services started: {', '.join(started) or 'none (all were running)'}")


def down(settings: PlatformSettings, names: tuple[str, ...] = SERVICES) -> None:
    stopped = [name for name in names if stop_service(settings, name)]
    print(f"services stopped: {', '.join(stopped) or 'none were running'}")


def status(settings: PlatformSettings) -> None:
    for name in SERVICES:
        pid = running_pid(settings, name)
        state = f"running (pid {pid})" if pid else "stopped"
        print(f"{name:<12} {state:<24} http://127.0.0.1:{service_port(name)}")


def print_urls() -> None:
    print("\nCII Valais platform is up:")
    for name in API_SERVICES:
        base = f"http://127.0.0.1:{service_port(name)}"
        print(f"  {name:<12} {base}/docs  (OpenAPI {base}/openapi.json)")
    print(f"  dashboard    http://127.0.0.1:{service_port('reporting')}/  (sign in as a demo user below)")
    print(f"  workspace    http://127.0.0.1:{service_port('workspace')}/  (sign in as a demo user below)")
    mailpit = f"http://127.0.0.1:{os.environ.get('CII_MAILPIT_PORT', '8025')}/"
    print(f"  e-mails      {mailpit}  (Mailpit: every e-mail the notifier sent)")
    print(f"  AsyncAPI     {REPO_ROOT / 'docs' / 'asyncapi.yaml'}")
    print("  token        .venv/bin/cii token --institution ORP --role field_worker  (local only)")
