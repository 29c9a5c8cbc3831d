#!/usr/bin/env bash
# Validate deploy/ (Kubernetes) and docker-compose.yml offline: kustomize build of each overlay, strict schema
# validation of every rendered object, the policy checks, `docker compose config`, then the tests in tests/deploy.
#
#   scripts/validate_deploy.sh            # everything (what CI runs through `make test`, marker "deploy")
#   scripts/validate_deploy.sh --render prod   # print the rendered prod overlay
#
# kustomize and (when the Docker CLI has no compose plugin) Docker Compose are built from the Go module proxy into
# ${CII_CACHE_DIR:-~/.cache/cii-platform}/bin on first use; `go` must be on PATH then.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
if [[ "${1:-}" == "--render" ]]; then
  PYTHONPATH=tests/deploy exec "$PYTHON" -m deploy_checks --render "${2:?overlay: dev or prod}"
fi
"$PYTHON" deploy/generate_kafka.py --check
PYTHONPATH=tests/deploy "$PYTHON" -m deploy_checks
exec "$PYTHON" -m pytest tests/deploy -m deploy -q "$@"
