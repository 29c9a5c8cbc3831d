"""Run the real platform for tests and benchmarks, isolated from a developer's `make up`.

Every port derives from one base (`CII_TEST_PORT_BASE`, default 19000), data lives in
`.local/test-<base>`: Kafka base+92 (controller base+93), store base+17 (its PostgreSQL base+32),
services base+1.. in the order of SERVICES, Mailpit's SMTP base+25 and its web UI/API base+26, Keycloak base+80
(only for the suites that ask for it: it takes a minute to start).
External infrastructure (`KAFKA_BOOTSTRAP_SERVERS` / `MONGODB_URL`) is used instead when set.
"""

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..contracts.topics import SERVICES, STACK_SERVICES
from ..security.keys import init_local_keys
from ..security.tokens import TokenMinter
from ..settings import REPO_ROOT, PlatformSettings

INFRA_SCRIPT = REPO_ROOT / "scripts" / "infra.sh"


@dataclass
class Ports:
    base: int

    @property
    def kafka(self) -> int:
        return self.base + 92

    @property
    def store(self) -> int:
        return self.base + 17

    @property
    def keycloak(self) -> int:
        return self.base + 80

    def service(self, name: str) -> int:
        return self.base + 1 + STACK_SERVICES.index(name)  # notifier base+5, workspace base+6

    @property
    def smtp(self) -> int:
        return self.base + 25

    @property
    def mailpit(self) -> int:
        return self.base + 26


@dataclass
class LocalInfra:
    ports: Ports
    data_dir: Path
    fresh: bool = True
    keycloak: bool = False

    @property
    def external_kafka(self) -> str | None:
        return os.environ.get("KAFKA_BOOTSTRAP_SERVERS")

    @property
    def external_store(self) -> str | None:
        return os.environ.get("MONGODB_URL")

    @property
    def kafka_bootstrap(self) -> str:
        return self.external_kafka or f"127.0.0.1:{self.ports.kafka}"

    @property
    def mongodb_url(self) -> str:
        return self.external_store or f"mongodb://127.0.0.1:{self.ports.store}"

    def env(self) -> dict[str, str]:
        env = {**os.environ, "CII_DATA_DIR": str(self.data_dir), "CII_KAFKA_PORT": str(self.ports.kafka),
               "CII_KAFKA_CONTROLLER_PORT": str(self.ports.kafka + 1), "CII_STORE_PORT": str(self.ports.store),
               "CII_FERRETDB_DEBUG_PORT": str(self.ports.base + 88), "CII_POSTGRES_PORT": str(self.ports.base + 32),
               "CII_KEYCLOAK_PORT": str(self.ports.keycloak), "CII_WITH_KEYCLOAK": "1" if self.keycloak else "0",
               "CII_PYTHON": str(REPO_ROOT / ".venv" / "bin" / "python"),
               "CII_SMTP_PORT": str(self.ports.smtp), "CII_MAILPIT_PORT": str(self.ports.mailpit)}
        return env

    @property
    def keycloak_url(self) -> str:
        """The realm `cii` of the test Keycloak (its issuer)."""
        return f"http://127.0.0.1:{self.ports.keycloak}/realms/cii"

    def run(self, command: str, *, with_keycloak: bool | None = None) -> None:
        env = self.env()
        if with_keycloak is not None:
            env["CII_WITH_KEYCLOAK"] = "1" if with_keycloak else "0"
        result = subprocess.run([str(INFRA_SCRIPT), command], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"scripts/infra.sh {command} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        if self.fresh:
            # infra.sh knows where the data lives (the PostgreSQL cluster may be outside the data folder).
            self.run("wipe", with_keycloak=True)
        self.run("start")  # a failed start stops what it started

    def start_keycloak(self) -> None:
        """Keycloak for a suite that needs it, when the platform already runs without it."""
        self.keycloak = True
        self.run("start-keycloak")

    def stop(self) -> None:
        self.run("stop", with_keycloak=True)

    @property
    def mailpit_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.mailpit}"


# A loaded machine (a CI runner shared with other jobs) may need longer to start a service.
READY_SECONDS = float(os.environ.get("CII_TEST_READY_SECONDS", "180"))


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if self.process and self.process.poll() is None:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        self.process = subprocess.Popen([sys.executable, "-m", self.name], env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, cwd=REPO_ROOT)

    def wait_ready(self, timeout: float | None = None) -> None:
        timeout = READY_SECONDS if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; log:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; log:\n{self.tail()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int | None:
        if not self.process or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(5)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"


_shared: dict[int, "LocalPlatform"] = {}


@dataclass
class LocalPlatform:
    """One per port base and process: suites that share a test session share the running platform.

    `start` and `stop` are counted, so a suite stopping "its" platform does not pull the infrastructure
    from under another suite of the same session; the last `stop` stops everything.
    """

    infra: LocalInfra
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    _users: int = 0

    @classmethod
    def for_tests(cls, base: int | None = None, *, keycloak: bool = False) -> "LocalPlatform":
        """The platform of this port base; `keycloak=True` also runs the identity provider (realm `cii`)."""
        base = base or int(os.environ.get("CII_TEST_PORT_BASE", "19000"))
        if base not in _shared:
            _shared[base] = cls(infra=LocalInfra(Ports(base), REPO_ROOT / ".local" / f"test-{base}"))
        local = _shared[base]
        if keycloak and not local.infra.keycloak:
            if local._users:
                local.infra.start_keycloak()
            else:
                local.infra.keycloak = True
        return local

    @property
    def settings(self) -> PlatformSettings:
        return PlatformSettings(KAFKA_BOOTSTRAP_SERVERS=self.infra.kafka_bootstrap,
                                MONGODB_URL=self.infra.mongodb_url, CII_DATA_DIR=self.infra.data_dir)

    def service_env(self, name: str) -> dict[str, str]:
        prefix = name.upper()
        env = {**self.infra.env(), "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap,
               "MONGODB_URL": self.infra.mongodb_url, f"{prefix}_HTTP_PORT": str(self.infra.ports.service(name)),
               "PROCURATION_URL": f"http://127.0.0.1:{self.infra.ports.service('procuration')}",
               # where each process finds the others' APIs (the workspace calls them all; NOTIFIER_URL once merged)
               **{f"{other.upper()}_URL": f"http://127.0.0.1:{self.infra.ports.service(other)}"
                  for other in STACK_SERVICES if other != "procuration"},
               "CII_OUTBOX_POLL_SECONDS": "0.2", "LOG_LEVEL": "INFO"}
        env.update(self.extra_env)
        return env

    def start(self, names: tuple[str, ...] = SERVICES) -> None:
        """Starts the infrastructure (first user) and the services; if anything fails, stops what this call
        started before raising, so that a failed session leaves no broker, store or service behind."""
        first = self._users == 0
        launched: list[str] = []
        try:
            if first:
                init_local_keys(self.infra.data_dir / "keys")
                self.infra.start()
            for name in names:
                if not self.is_running(name):
                    launched.append(name)
                self.start_service(name, wait=False)
            for name in names:
                self.services[name].wait_ready()
        except BaseException:
            for name in launched:
                self.services.pop(name).stop()
            if first:
                for service in self.services.values():
                    service.stop()
                self.services.clear()
                self.infra.stop()
            raise
        self._users += 1

    def is_running(self, name: str) -> bool:
        service = self.services.get(name)
        return bool(service and service.process and service.process.poll() is None)

    def start_service(self, name: str, *, wait: bool = True) -> ServiceProcess:
        if name not in self.services:
            self.services[name] = ServiceProcess(
                name, self.infra.ports.service(name), self.service_env(name),
                self.infra.data_dir / "logs" / f"{name}.log")
        service = self.services[name]
        service.start()
        if wait:
            service.wait_ready()
        return service

    def stop(self) -> None:
        self._users = max(0, self._users - 1)
        if self._users:
            return
        for service in self.services.values():
            service.stop()
        self.services.clear()
        self.infra.stop()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.infra.ports.service(name)}"

    def token(self, institution: str, *roles: str, region: str | None = None, theme: str | None = None,
              subject: str | None = None) -> str:
        return TokenMinter(self.settings).mint(institution=institution, roles=list(roles), region=region,
                                               theme=theme, subject=subject)

    def client(self, name: str, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url(name), headers=headers, timeout=30)
