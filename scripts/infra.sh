#!/usr/bin/env bash
# Local infrastructure of the CII platform as plain processes (this machine has no Docker engine):
#   - Kafka 3.9.1, one KRaft node that is both broker and controller, jars fetched by Maven;
#   - FerretDB v1.24.2 (MongoDB wire protocol), built from source with Go, on
#   - PostgreSQL (the Debian/Ubuntu server package, 15 here), a cluster of its own run by pg_ctl;
#   - Mailpit v1.33.1 (SMTP server keeping the e-mails, web UI and API), built with `go install`;
#   - Keycloak 26.5 (the identity provider, realm `cii` imported from deploy/keycloak/realm-cii.json), the
#     official distribution from Maven Central, built once into the cache, its data under the data folder.
# FerretDB's SQLite handler was dropped: at 20k documents every filter but _id was a full scan of
# 2-3 s, where the PostgreSQL handler answers in 15-25 ms.
#
# Usage: scripts/infra.sh COMMAND     (run `scripts/infra.sh help` for the list)
# The Makefile calls it; the fault tests call start-kafka / stop-kafka / start-store / stop-store.
set -euo pipefail

readonly KAFKA_VERSION=3.9.1
readonly FERRETDB_VERSION=v1.24.2
readonly KEYCLOAK_VERSION=26.5.6
readonly STOP_TIMEOUT=20 # seconds between SIGTERM and SIGKILL

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

# The supervisor stays in bash (why: docs/conventions.md, "Local infrastructure"); one file per component.
for part in common tools install processes kafka store mail keycloak commands; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/infra/$part.sh"
done

main "$@"
