"""Static rules for the Dockerfile."""

from __future__ import annotations

import re

from .objects import image_is_pinned


def check_dockerfile(text: str) -> list[str]:
    """Static rules for the Dockerfile (no engine here to build it)."""
    v: list[str] = []
    lines = []
    for raw in re.sub(r"\\\n", " ", text).splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    args: dict[str, str] = {}
    for line in lines:
        m = re.match(r"ARG\s+(\w+)=(\S+)", line)
        if m:
            args.setdefault(m.group(1), m.group(2))
    stages = [line for line in lines if line.upper().startswith("FROM ")]
    if len(stages) < 2:
        v.append("Dockerfile: not multi-stage")
    for stage in stages:
        image = stage.split()[1]
        image = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), image)
        known_stage = any(re.search(rf"\sAS\s+{re.escape(image)}$", s, re.I) for s in stages)
        if not known_stage and not image_is_pinned(image):
            v.append(f"Dockerfile: base image {image} is not pinned")
        if image.startswith("python:") and not re.match(r"python:3\.11\.\d+-slim", image):
            v.append(f"Dockerfile: base image {image} is not an exact python 3.11 slim version")
    if not any(re.match(r"ARG\s+SERVICE\b", line) for line in lines):
        v.append("Dockerfile: no build argument SERVICE")
    if not any(all(word in line for word in ("uv sync", "--frozen", "--no-dev", "--package")) for line in lines):
        v.append("Dockerfile: does not install with uv sync --frozen --no-dev --package")
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM ")) if stages else 0
    users = [line.split()[1] for line in lines[last_from:] if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        v.append("Dockerfile: the final stage does not switch to a non-root USER")
    elif users[-1].split(":")[0] != "10001":
        v.append("Dockerfile: the final stage's user is not uid 10001")
    if any(re.match(r"ADD\s+https?://", line) for line in lines):
        v.append("Dockerfile: ADD from a URL")
    return v
