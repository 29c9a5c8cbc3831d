"""The offline tools (kustomize, docker compose, a Dockerfile linter), built from the Go module proxy into the cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ._base import COMPOSE_MODULE, COMPOSE_VERSION, KUSTOMIZE_MODULE, KUSTOMIZE_VERSION, cache_bin


# --------------------------------------------------------------------------------------------------- tools
class ToolError(RuntimeError):
    pass


def _run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def _go_build(module: str, version: str, package: str, out: Path, ldflags: str = "",
              main_source: Path | None = None) -> Path:
    """Build `package` of `module@version` into `out` through a throwaway module (works where `go install` fails).
    With main_source, the throwaway module's own main package (that file) is built instead, against module@version."""
    go = shutil.which("go")
    if go is None:
        raise ToolError(f"{out.name} is missing from {out.parent} and there is no `go` to build it "
                        f"({module}@{version})")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"build-{out.name}-") as tmp:
        work = Path(tmp)
        (work / "go.mod").write_text("module tmp/toolbuild\n\ngo 1.24\n")
        if main_source is not None:
            shutil.copy(main_source, work / "main.go")
            package = "."
        else:
            (work / "tools.go").write_text(f'//go:build tools\n\npackage tools\n\nimport _ "{package}"\n')
        env = {**os.environ, "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": os.environ.get("GOTOOLCHAIN", "local")}
        cmds = [
            [go, "get", f"{module}@{version}"],
            [go, "mod", "tidy"],
            [go, "build", "-trimpath", "-ldflags", ldflags, "-o", str(work / out.name), package],
        ]
        for cmd in cmds:
            proc = _run(cmd, cwd=work, env=env, timeout=1800)
            if proc.returncode != 0:
                raise ToolError(f"building {module}@{version} failed at `{' '.join(cmd[1:3])}`:\n{proc.stderr[-4000:]}")
        tmp_out = out.with_name(out.name + f".tmp{os.getpid()}")
        shutil.copy2(work / out.name, tmp_out)
        os.replace(tmp_out, out)  # atomic: a concurrent run sees the old file or the new one
    return out


def ensure_kustomize() -> Path:
    """The kustomize binary of KUSTOMIZE_VERSION, built into the cache on first use."""
    path = cache_bin() / "kustomize"
    if path.exists():
        proc = _run([str(path), "version"])
        if proc.returncode == 0 and proc.stdout.strip() == KUSTOMIZE_VERSION:
            return path
    return _go_build(KUSTOMIZE_MODULE, KUSTOMIZE_VERSION, KUSTOMIZE_MODULE, path)


BUILDKIT_MODULE = "github.com/moby/buildkit"
BUILDKIT_VERSION = "v0.25.1"
DOCKERFILE_LINT_SOURCE = Path(__file__).resolve().parents[1] / "dockerfile_lint" / "main.go"


def ensure_dockerfile_lint() -> Path:
    """tests/deploy/dockerfile_lint built against BuildKit (its Dockerfile parser and `--check` lint rules)."""
    import hashlib

    digest = hashlib.sha256(DOCKERFILE_LINT_SOURCE.read_bytes() + BUILDKIT_VERSION.encode()).hexdigest()[:12]
    path = cache_bin() / f"dockerfile-lint-{digest}"
    if path.exists():
        return path
    return _go_build(BUILDKIT_MODULE, BUILDKIT_VERSION, "", path, main_source=DOCKERFILE_LINT_SOURCE)


def dockerfile_lint(dockerfile: Path, build_args: dict[str, str] | None = None,
                    context: Path | None = None) -> dict[str, Any]:
    """{"warnings": [{rule, detail, line}], "error": str?, "context_files": [...]} from dockerfile-lint."""
    cmd = [str(ensure_dockerfile_lint())]
    for key, value in (build_args or {}).items():
        cmd += ["-build-arg", f"{key}={value}"]
    if context is not None:
        cmd += ["-context", str(context)]
    proc = _run([*cmd, str(dockerfile)], timeout=60)
    if proc.returncode != 0:
        raise ToolError(f"dockerfile-lint failed: {proc.stderr}")
    return json.loads(proc.stdout)


def dockerfile_copy_sources(text: str) -> list[str]:
    """The build-context sources of the Dockerfile's COPY/ADD instructions (not those --from another stage)."""
    sources = []
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        parts = raw.split()
        if not parts or parts[0].upper() not in ("COPY", "ADD"):
            continue
        args = [a for a in parts[1:] if not a.startswith("--")]
        if any(a.startswith("--from") for a in parts[1:]):
            continue
        sources.extend(args[:-1])
    return sources


def ensure_compose() -> tuple[list[str], dict[str, str]]:
    """A command that runs `docker compose` and the environment it needs.

    The Docker CLI's own compose plugin is used when it is installed. Otherwise Compose is built from the Go module
    proxy into the cache and handed to the Docker CLI as a plugin (DOCKER_CONFIG/cli-plugins), so the command is still
    `docker compose ...`; without a Docker CLI the compose binary runs on its own. `config` needs no engine.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    docker = shutil.which("docker")
    if docker and _run([docker, "compose", "version"], env=env).returncode == 0:
        return [docker, "compose"], env
    binary = cache_bin() / "docker-compose"
    ok = False
    if binary.exists():
        proc = _run([str(binary), "version", "--short"])
        ok = proc.returncode == 0 and proc.stdout.strip().lstrip("v") == COMPOSE_VERSION.lstrip("v")
    if not ok:
        _go_build(
            COMPOSE_MODULE,
            COMPOSE_VERSION,
            f"{COMPOSE_MODULE}/cmd",
            binary,
            ldflags=f"-X {COMPOSE_MODULE}/internal.Version={COMPOSE_VERSION}",
        )
    if docker:
        config = cache_bin().parent / "docker-config"
        plugin = config / "cli-plugins" / "docker-compose"
        plugin.parent.mkdir(parents=True, exist_ok=True)
        if not plugin.is_symlink() or plugin.resolve() != binary.resolve():
            tmp = plugin.with_name(f"docker-compose.tmp{os.getpid()}")
            tmp.unlink(missing_ok=True)
            tmp.symlink_to(binary)
            os.replace(tmp, plugin)
        return [docker, "compose"], {**env, "DOCKER_CONFIG": str(config)}
    return [str(binary)], env
