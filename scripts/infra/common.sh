# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

log() { printf 'infra: %s\n' "$*"; }
warn() { printf 'infra: %s\n' "$*" >&2; }
die() {
  printf 'infra: error: %s\n' "$*" >&2
  exit 1
}

# Relative paths are taken from the current directory, like every other tool would. The path is
# normalised (no //, /./ or ..; symlinks kept) as pg_ctl normalises -D, so that the command line
# of our postmaster can be recognised (process_signature).
absolute() {
  realpath -ms -- "$1"
}

# Where the PostgreSQL cluster lives. As root, PostgreSQL runs as the postgres user, which often cannot
# enter the checkout (a clone in root's home or in `mktemp -d`, mode 700), and opening a private folder
# to others is not ours to do. So as root the cluster lives outside it, in a folder of its own under a
# world-traversable base (/var/tmp, CII_POSTGRES_BASE), named after the data folder: one cluster per
# checkout and per test suite (each has its own data folder), as before. The data folder records where
# (postgres.location): deleting the data folder orphans that cluster, and the next start replaces it.
# Otherwise (not root, or a cluster already in the data folder) it stays in <data>/postgres.
postgres_home() {
  local data_dir=$1
  if ((EUID != 0)) || [[ -f $data_dir/postgres/data/PG_VERSION ]]; then
    printf '%s\n' "$data_dir/postgres"
    return 0
  fi
  local base digest
  base=$(absolute "${CII_POSTGRES_BASE:-/var/tmp}")
  digest=$(printf '%s' "$data_dir" | sha256sum | cut -c 1-16)
  printf '%s\n' "$base/cii-postgres-$digest"
}

CACHE_DIR=$(absolute "${CII_CACHE_DIR:-$HOME/.cache/cii-platform}")
DATA_DIR=$(absolute "${CII_DATA_DIR:-$REPO_ROOT/.local}")
readonly CACHE_DIR DATA_DIR
readonly READY_TIMEOUT=${CII_INFRA_READY_TIMEOUT:-60}
readonly KAFKA_PORT=${CII_KAFKA_PORT:-9092}
readonly KAFKA_CONTROLLER_PORT=${CII_KAFKA_CONTROLLER_PORT:-9093}
readonly STORE_PORT=${CII_STORE_PORT:-27017}
readonly FERRETDB_DEBUG_PORT=${CII_FERRETDB_DEBUG_PORT:-8088}
readonly POSTGRES_PORT=${CII_POSTGRES_PORT:-27032}
readonly POSTGRES_DATABASE=ferretdb
readonly KEYCLOAK_PORT=${CII_KEYCLOAK_PORT:-8180}
# Keycloak boots in about a minute on an idle machine, several when the machine is busy.
readonly KEYCLOAK_READY_TIMEOUT=${CII_KEYCLOAK_READY_TIMEOUT:-600}
# The bootstrap administrator of the local Keycloak (master realm); local only.
readonly KEYCLOAK_ADMIN_PASSWORD=${CII_KEYCLOAK_ADMIN_PASSWORD:-cii-demo}
# `start`/`stop`/`status` include Keycloak unless CII_WITH_KEYCLOAK=0 (test groups that do not need it).
readonly WITH_KEYCLOAK=${CII_WITH_KEYCLOAK:-1}

readonly KAFKA_HOME=$CACHE_DIR/kafka-$KAFKA_VERSION
readonly KAFKA_LIBS=$KAFKA_HOME/libs
readonly KAFKA_MARKER=$KAFKA_HOME/.complete
readonly KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
readonly FERRETDB_BIN=$CACHE_DIR/bin/ferretdb
readonly KEYCLOAK_HOME=$CACHE_DIR/keycloak-$KEYCLOAK_VERSION
readonly KEYCLOAK_MARKER=$KEYCLOAK_HOME/.complete
# Build-time options: the H2 file database (local data). The marker of the installation holds them.
readonly KEYCLOAK_BUILD_OPTIONS="--db=dev-file"
readonly KEYCLOAK_REALM_FILE=$REPO_ROOT/deploy/keycloak/realm-cii.json

readonly KAFKA_DIR=$DATA_DIR/kafka
readonly FERRETDB_DIR=$DATA_DIR/ferretdb
readonly POSTGRES_DIR=$(postgres_home "$DATA_DIR")
readonly POSTGRES_LOCATION_FILE=$DATA_DIR/postgres.location
readonly POSTGRES_DATA=$POSTGRES_DIR/data
readonly KEYCLOAK_DIR=$DATA_DIR/keycloak
readonly LOG_DIR=$DATA_DIR/logs
readonly PID_DIR=$DATA_DIR/pids

usage() {
  cat <<EOF
Usage: scripts/infra.sh COMMAND

Commands:
  install      fetch Kafka $KAFKA_VERSION (Maven) and build FerretDB $FERRETDB_VERSION (Go) into the cache,
               install the PostgreSQL server (apt-get, as root) if missing, fetch Keycloak $KEYCLOAK_VERSION
               (Maven) and build it once into the cache; idempotent
  start        start Kafka, the store and Keycloak if not running, wait until they answer; idempotent
  stop         stop what this script started (SIGTERM, SIGKILL after ${STOP_TIMEOUT} s); idempotent
  start-kafka | stop-kafka | start-store | stop-store    one component only (fault tests);
               the store is FerretDB and its PostgreSQL: both are started or stopped
  start-mail | stop-mail    Mailpit only (SMTP $SMTP_PORT, web UI and API $MAILPIT_PORT; the mail outage test)
  start-keycloak | stop-keycloak    the identity provider only (realm cii imported at its first start)
  reset        stop, then delete the local Kafka data, store data (FerretDB, PostgreSQL), Keycloak data, e-mails and keys
  wipe         stop, then delete the Kafka, store, Keycloak and mail data, logs and pids, keeping the keys (test harness)
  status       one line per component

Environment:
  CII_CACHE_DIR              downloads and builds (default ~/.cache/cii-platform)
  CII_DATA_DIR               runtime data: kafka/ ferretdb/ postgres/ logs/ pids/ keys/ (default <repo>/.local)
  CII_KAFKA_PORT             Kafka client port (9092); CII_KAFKA_CONTROLLER_PORT (9093)
  CII_STORE_PORT             FerretDB MongoDB port (27017); CII_FERRETDB_DEBUG_PORT (8088)
  CII_POSTGRES_PORT          PostgreSQL port behind FerretDB (27032)
  CII_SMTP_PORT              Mailpit's SMTP port (1025); CII_MAILPIT_PORT its web UI and API (8025)
  CII_SMTP_HOST              when set to another host, that SMTP server is used: Mailpit is not started
  CII_KEYCLOAK_PORT          Keycloak HTTP port (8180); issuer http://127.0.0.1:<port>/realms/cii
  CII_KEYCLOAK_READY_TIMEOUT seconds to wait for Keycloak (600: minutes on a busy machine)
  CII_KEYCLOAK_ADMIN_PASSWORD password of Keycloak's local administrator 'admin' (cii-demo), local only
  CII_WITH_KEYCLOAK          0: start, stop and status leave Keycloak out (1)
  CII_KEYCLOAK_WAIT          0: start launches Keycloak without waiting for it (make up waits at the end)
  CII_POSTGRES_BASE          as root: where the PostgreSQL clusters live, one per data folder (/var/tmp)
  CII_INFRA_READY_TIMEOUT    seconds to wait for readiness (60)
  CII_PYTHON                 Python with aiokafka and pymongo for the readiness checks (<repo>/.venv/bin/python)
  KAFKA_BOOTSTRAP_SERVERS    when set to another address than 127.0.0.1:CII_KAFKA_PORT, that external Kafka is used:
                             the local one is not started
  MONGODB_URL                when set to another address than mongodb://127.0.0.1:CII_STORE_PORT, that external store
                             is used: the local one (FerretDB, PostgreSQL) is not started
EOF
}
