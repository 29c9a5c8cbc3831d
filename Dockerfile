# syntax=docker/dockerfile:1.7
# One image per service, from one Dockerfile:
#   docker build --build-arg SERVICE=signalement -t cii-platform/signalement:0.1.0 .
# SERVICE is one of signalement, measures, procuration, reporting, workspace; the image runs `python -m $SERVICE`.
# The runtime stage holds only the service's virtual environment (no uv, no sources, no build tools), runs as
# uid 10001 and writes only to /tmp and /var/lib/cii, so it runs with a read-only root filesystem.

ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---------------------------------------------------------------- build: the service's venv from uv.lock
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
RUN test -n "${SERVICE}" || { echo "--build-arg SERVICE=<signalement|measures|procuration|reporting|workspace> is required" >&2; exit 1; }
# uv from PyPI (pinned, the version that wrote uv.lock), so the build needs no other registry than PyPI
ARG UV_VERSION=0.13.9
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src

# 1. third-party dependencies only (cached while uv.lock and the pyproject files do not change);
#    every workspace member's pyproject is needed for uv to resolve the workspace
COPY pyproject.toml uv.lock ./
COPY libs/cii_platform/pyproject.toml libs/cii_platform/pyproject.toml
COPY services/signalement/pyproject.toml services/signalement/pyproject.toml
COPY services/measures/pyproject.toml services/measures/pyproject.toml
COPY services/procuration/pyproject.toml services/procuration/pyproject.toml
COPY services/reporting/pyproject.toml services/reporting/pyproject.toml
COPY services/workspace/pyproject.toml services/workspace/pyproject.toml
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package "${SERVICE}"

# 2. the workspace members themselves, installed as regular (non-editable) packages
COPY libs libs
COPY services services
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable --package "${SERVICE}"

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
LABEL org.opencontainers.image.title="cii-platform-${SERVICE}" \
      org.opencontainers.image.description="CII Valais platform, ${SERVICE} service"
# Pango and a font for the document engine (cii_platform.documents, WeasyPrint): letters, contracts, reports
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 cii \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/cii --no-create-home --shell /usr/sbin/nologin cii \
 && mkdir -p /var/lib/cii \
 && chown 10001:10001 /var/lib/cii
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/cii \
    TMPDIR=/tmp \
    CII_DATA_DIR=/var/lib/cii \
    CII_HTTP_HOST=0.0.0.0 \
    CII_SERVICE=${SERVICE}
WORKDIR /var/lib/cii
USER 10001:10001
# signalement 8001, measures 8002, procuration 8003, reporting 8004
EXPOSE 8001 8002 8003 8004
ENTRYPOINT ["/bin/sh", "-c", "exec python -m \"${CII_SERVICE}\" \"$@\"", "--"]
