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
  CII_KEYCLOAK_ADMIN_PASSWORD password of Keycloak's local administrator `admin` (cii-demo), local only
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

# ---------------------------------------------------------------------------------------------
# Tools: checked before each step so that a missing one is named with the way to get it
# ---------------------------------------------------------------------------------------------

# version_at_least "17.0.15" 11 -> true when the major.minor version is at least the minimum.
version_at_least() {
  local have=$1 want=$2
  [[ "$(printf '%s\n%s\n' "$want" "$have" | sort -V | head -n 1)" == "$want" ]]
}

require_java() {
  command -v java >/dev/null ||
    die "java not found: Kafka needs a Java 17 runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)"
  local output version=0
  output=$(java -version 2>&1) || true
  [[ $output =~ version\ \"([^\"]+)\" ]] && version=${BASH_REMATCH[1]}
  version=${version#1.} # Java 8 reports itself as 1.8
  version_at_least "$version" 11 ||
    die "java $version is too old: Kafka $KAFKA_VERSION needs Java 11 or newer (17 recommended: apt-get install openjdk-17-jre-headless)"
}

require_mvn() {
  command -v mvn >/dev/null ||
    die "mvn not found: Maven fetches the Kafka jars (Debian/Ubuntu: apt-get install maven)"
}

require_go() {
  command -v go >/dev/null ||
    die "go not found: FerretDB is built from source with Go 1.22 or newer (https://go.dev/dl/, or apt-get install golang-go if recent enough)"
  local version
  version=$(go env GOVERSION 2>/dev/null)
  version=${version#go}
  version_at_least "${version:-0}" 1.22 ||
    die "go $version is too old: FerretDB $FERRETDB_VERSION needs Go 1.22 or newer (https://go.dev/dl/)"
}

# The readiness checks need aiokafka and pymongo: the repository venv has them.
python_bin() {
  if [[ -n ${CII_PYTHON:-} ]]; then
    command -v "$CII_PYTHON" >/dev/null || die "CII_PYTHON=$CII_PYTHON is not an executable Python"
    printf '%s\n' "$CII_PYTHON"
  elif [[ -x $REPO_ROOT/.venv/bin/python ]]; then
    printf '%s\n' "$REPO_ROOT/.venv/bin/python"
  else
    command -v python3 >/dev/null || die "no Python found for the readiness checks: run 'uv sync' or set CII_PYTHON"
    printf '%s\n' python3
  fi
}

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------

# The marker holds the pom's checksum: a changed pom (new version) fetches again.
kafka_installed() {
  [[ -f $KAFKA_MARKER && -d $KAFKA_LIBS ]] &&
    [[ "$(cat "$KAFKA_MARKER")" == "$(sha256sum "$KAFKA_POM" | cut -d ' ' -f 1)" ]]
}

install_kafka() {
  if kafka_installed; then
    log "kafka: $KAFKA_VERSION already installed in $KAFKA_LIBS"
    return 0
  fi
  require_java
  require_mvn
  log "kafka: fetching Kafka $KAFKA_VERSION jars with Maven into $KAFKA_LIBS"
  local started=$SECONDS tmp=$KAFKA_HOME/libs.partial
  mkdir -p "$KAFKA_HOME"
  rm -rf "$tmp"
  # Copy into a scratch folder first: an interrupted download never looks complete.
  # Maven's output goes to a log (it prints terminal escape codes even when quiet), shown on failure.
  local fetch_log=$CACHE_DIR/kafka-fetch.log
  if ! mvn -q -B -f "$KAFKA_POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp" -DincludeScope=runtime >"$fetch_log" 2>&1; then
    tail -n 20 "$fetch_log" >&2
    die "Maven could not fetch Kafka $KAFKA_VERSION (it needs Maven Central, or a mirror in ~/.m2/settings.xml); log: $fetch_log"
  fi
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  sha256sum "$KAFKA_POM" | cut -d ' ' -f 1 >"$KAFKA_MARKER"
  log "kafka: installed $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s"
}

ferretdb_installed() {
  [[ -x $FERRETDB_BIN ]] || return 1
  # Captured first: `| grep -q` could end the pipe early, and pipefail would report a failure.
  local version
  version=$("$FERRETDB_BIN" --version 2>/dev/null) || return 1
  [[ $version == *"version: $FERRETDB_VERSION"* ]]
}

# `go install ...@v1.24.2` fails here (the module proxy answers 403 when Go looks up deprecations)
# and a plain module build panics at start (build/version/version.txt is not in the module zip).
# So: a throwaway module that requires FerretDB, vendored, with version.txt written in.
install_ferretdb() {
  if ferretdb_installed; then
    log "ferretdb: $FERRETDB_VERSION already installed at $FERRETDB_BIN"
    return 0
  fi
  require_go
  log "ferretdb: building FerretDB $FERRETDB_VERSION from source (1-2 min; log in $CACHE_DIR/ferretdb-build.log)"
  local started=$SECONDS build_log=$CACHE_DIR/ferretdb-build.log build_dir
  mkdir -p "$CACHE_DIR/bin"
  build_dir=$(mktemp -d "$CACHE_DIR/ferretdb-build.XXXXXX")
  # Run in the background and wait: inside an `if` condition bash would ignore set -e, and a
  # failed `go mod tidy` would go unnoticed.
  (build_ferretdb_in "$build_dir") >"$build_log" 2>&1 &
  if ! wait "$!"; then
    rm -rf "$build_dir"
    tail -n 20 "$build_log" >&2
    die "building FerretDB failed; full log: $build_log"
  fi
  rm -rf "$build_dir"
  ferretdb_installed || die "the FerretDB just built does not report $FERRETDB_VERSION; see $build_log"
  log "ferretdb: built in $((SECONDS - started)) s"
}

# Runs in a subshell (cd, exports stay there); output goes to the build log.
build_ferretdb_in() {
  cd "$1"
  export GOWORK=off # a go.work above the cache must not pull this module in
  cat >go.mod <<EOF
module ciiferret

go 1.22

require github.com/FerretDB/FerretDB $FERRETDB_VERSION
EOF
  cat >tools.go <<'EOF'
//go:build tools

package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
EOF
  set -x
  go mod tidy
  go mod vendor
  echo "$FERRETDB_VERSION" >vendor/github.com/FerretDB/FerretDB/build/version/version.txt
  go build -mod=vendor -o "$FERRETDB_BIN.partial" github.com/FerretDB/FerretDB/cmd/ferretdb
  mv "$FERRETDB_BIN.partial" "$FERRETDB_BIN"
}

# The newest PostgreSQL server binaries: Debian/Ubuntu keep them off PATH, in
# /usr/lib/postgresql/<major>/bin; elsewhere pg_config knows where they are.
postgres_bin_dir() {
  local dir candidates=(/usr/lib/postgresql/*/bin)
  dir=$(printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1)
  if [[ ! -x $dir/postgres ]] && command -v pg_config >/dev/null; then
    dir=$(pg_config --bindir 2>/dev/null || true)
  fi
  [[ -x $dir/postgres && -x $dir/initdb && -x $dir/pg_ctl && -x $dir/pg_isready && -x $dir/psql ]] || return 1
  printf '%s\n' "$dir"
}

postgres_installed() { postgres_bin_dir >/dev/null; }

# The Debian package also creates and starts its own cluster (15/main, port 5432) where an init
# system lets it: unused here, our cluster lives in the data folder.
install_postgres() {
  local dir
  if dir=$(postgres_bin_dir); then
    log "postgres: $("$dir/postgres" --version) already installed in $dir"
    return 0
  fi
  ((EUID == 0)) ||
    die "PostgreSQL server binaries (postgres, initdb, pg_ctl) not found: install them as root with apt-get install postgresql"
  command -v apt-get >/dev/null ||
    die "PostgreSQL server binaries not found and no apt-get here: install the PostgreSQL server (15 or newer)"
  local started=$SECONDS install_log=$CACHE_DIR/postgres-install.log
  mkdir -p "$CACHE_DIR"
  log "postgres: installing the PostgreSQL server with apt-get (log in $install_log)"
  # Stale package lists are the usual cause of a failed install: refresh them once and retry.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql >"$install_log" 2>&1; then
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >>"$install_log" 2>&1; then
      tail -n 20 "$install_log" >&2
      die "apt-get install postgresql failed; full log: $install_log"
    fi
  fi
  dir=$(postgres_bin_dir) || die "apt-get installed postgresql but no server binaries were found; see $install_log"
  log "postgres: installed $("$dir/postgres" --version) in $((SECONDS - started)) s"
}

# ---------------------------------------------------------------------------------------------
# Processes: pid files, ports, launching and stopping
# ---------------------------------------------------------------------------------------------

# Components are named after their program (kafka, ferretdb, postgres) in pid and log file names;
# messages call FerretDB "store", as the contract does. PostgreSQL keeps its own pid file, whose
# first line is the postmaster's pid.
pid_file() {
  case $1 in
    postgres) printf '%s\n' "$POSTGRES_DATA/postmaster.pid" ;;
    *) printf '%s\n' "$PID_DIR/$1.pid" ;;
  esac
}
log_file() { printf '%s\n' "$LOG_DIR/$1.log"; }
label() {
  case $1 in
    ferretdb) printf 'store\n' ;;
    *) printf '%s\n' "$1" ;;
  esac
}

# A word of the command line that only our process of that component has, so that a pid reused
# by an unrelated process after a reboot is never taken for ours (and never killed).
process_signature() {
  case $1 in
    kafka) printf '%s\n' "$KAFKA_DIR/server.properties" ;;
    keycloak) printf '%s\n' "-Dkc.home.dir=$KEYCLOAK_DIR " ;;
    ferretdb) printf '%s\n' "--state-dir=$FERRETDB_DIR" ;;
    mailpit) printf '%s\n' "$MAIL_DIR/mailpit.db" ;;
    # pg_ctl runs: postgres -D <data> -p <port> ... (the trailing space: not a <data>2 folder).
    postgres) printf '%s\n' "-D $POSTGRES_DATA " ;;
  esac
}

is_alive() {
  local pid=$1 state
  kill -0 "$pid" 2>/dev/null || return 1
  # A zombie still answers kill -0; it is dead for our purpose.
  state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
  [[ -n $state && $state != Z* ]]
}

# Prints the pid of our running process of a component, or fails (removing a stale pid file;
# PostgreSQL's own is left to PostgreSQL, which checks it at start).
running_pid() {
  local name=$1 file pid args
  file=$(pid_file "$name")
  [[ -f $file ]] || return 1
  pid=$(head -n 1 -- "$file" 2>/dev/null || true)
  if [[ $pid =~ ^[0-9]+$ ]] && is_alive "$pid"; then
    args=$(ps -ww -o args= -p "$pid" 2>/dev/null || true)
    if [[ "$args " == *"$(process_signature "$name")"* ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  [[ $name == postgres ]] || rm -f "$file"
  return 1
}

port_in_use() {
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# "java (pid 2652)" when ss can tell who listens on the port.
port_owner() {
  local users
  users=$(ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'users:(("[^"]*",pid=[0-9]*' | head -n 1 || true)
  if [[ $users =~ \"([^\"]*)\",pid=([0-9]+) ]]; then
    printf '%s (pid %s)\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    printf 'another process\n'
  fi
}

# $1 port, $2 what it is for, $3 the variable that moves it.
ensure_port_free() {
  port_in_use "$1" || return 0
  die "port 127.0.0.1:$1 ($2) is already taken by $(port_owner "$1"), which this script did not start (no live pid file under $DATA_DIR). Stop it, or choose another port with $3=..."
}

# Starts a command detached from this shell and its terminal (setsid: Ctrl-C in `make` or closing
# the terminal must not kill the infrastructure) and records its pid. The inner shell writes its
# own pid then execs, so the pid file is right even when setsid has to fork.
launch() {
  local name=$1 file log
  shift
  file=$(pid_file "$name")
  log=$(log_file "$name")
  mkdir -p "$PID_DIR" "$LOG_DIR"
  [[ -f $log ]] && mv -f "$log" "$log.1" # keep the previous run's log for a post-mortem
  rm -f "$file"
  # 9>&-: the child must not inherit the lock of take_lock, or the next start would wait forever.
  # shellcheck disable=SC2016 # $$ and $0 are expanded by the inner shell, on purpose
  nohup setsid bash -c 'echo $$ >"$0"; exec "$@"' "$file" "$@" >"$log" 2>&1 </dev/null 9>&- &
  local waited=0
  until [[ -s $file ]]; do
    ((waited++ < 50)) || die "$name did not start; see $log"
    sleep 0.1
  done
}

# SIGTERM for a clean shutdown (Kafka flushes and closes its logs), SIGKILL if it hangs.
stop_component() {
  local name=$1 pid started=$SECONDS what
  what=$(label "$name")
  if ! pid=$(running_pid "$name"); then
    log "$what: not running"
    return 0
  fi
  log "$what: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while is_alive "$pid" && ((SECONDS - started < STOP_TIMEOUT)); do
    sleep 0.2
  done
  if is_alive "$pid"; then
    warn "$what: still running after ${STOP_TIMEOUT} s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$(pid_file "$name")"
  log "$what: stopped in $((SECONDS - started)) s"
}

# Waits for real readiness; on failure points at the log. Extra arguments go to wait_ready.py,
# which exits 1 when something is not ready and 2 when it cannot check (no aiokafka/pymongo).
await_ready() {
  local name=$1 started=$SECONDS python pid rc=0 log what
  what=$(label "$name")
  shift
  python=$(python_bin)
  log=$(log_file "$name")
  local timeout=${AWAIT_TIMEOUT:-$READY_TIMEOUT}
  local args=("$@" --timeout "$timeout")
  # Passing our pid makes wait_ready.py give up at once if the process dies during start-up.
  if pid=$(running_pid "$name"); then args+=(--pid "$pid"); fi
  "$python" "$SCRIPT_DIR/wait_ready.py" "${args[@]}" >/dev/null || rc=$?
  if ((rc == 0)); then
    log "$what: ready ($((SECONDS - started)) s)"
    return 0
  fi
  ((rc != 2)) || die "cannot check whether the $what is ready with $python (see above)"
  if [[ -f $log ]]; then
    warn "$what: last lines of $log:"
    tail -n 15 "$log" | sed 's/^/    /' >&2
  fi
  if running_pid "$name" >/dev/null; then
    die "$what is running but not ready after $timeout s; full log: $log (stop it with: scripts/infra.sh stop-$what)"
  fi
  die "$what exited during start-up; full log: $log"
}

# ---------------------------------------------------------------------------------------------
# Kafka
# ---------------------------------------------------------------------------------------------

# KAFKA_BOOTSTRAP_SERVERS naming the local port (127.0.0.1/localhost:CII_KAFKA_PORT) is the local Kafka:
# it is started, and never called external.
kafka_external() {
  local servers=${KAFKA_BOOTSTRAP_SERVERS:-}
  [[ -n $servers ]] || return 1
  [[ $servers != "127.0.0.1:$KAFKA_PORT" && $servers != "localhost:$KAFKA_PORT" ]]
}

# Written at every start so that a changed port takes effect. message.max.bytes keeps its default
# (1048588) on purpose: the services' producers are sized for it.
write_kafka_config() {
  mkdir -p "$KAFKA_DIR/data"
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by scripts/infra.sh at each start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DIR/data
# Topics are created by the platform (cii_platform.messaging), never by a typo in a consumer.
auto.create.topics.enable=false
num.partitions=3
# A single node: internal topics cannot have more replicas than one.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# No reason to delay the first consumer-group rebalance on a one-node dev broker.
group.initial.rebalance.delay.ms=0
EOF
  # Quiet by default; BrokerServer at INFO still logs the start and the shutdown.
  cat >"$KAFKA_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.BrokerServer=INFO
EOF
}

kafka_java() {
  java -cp "$KAFKA_LIBS/*" -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" "$@"
}

# KRaft storage is formatted once with a new cluster id; after that the data is reused.
format_kafka_storage() {
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  local cluster_id format_log=$LOG_DIR/kafka-format.log
  mkdir -p "$LOG_DIR"
  cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>"$format_log" | tail -n 1)
  [[ $cluster_id =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a Kafka cluster id; see $format_log"
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" \
    >>"$format_log" 2>&1 || die "formatting the Kafka storage failed; see $format_log"
  log "kafka: formatted storage in $KAFKA_DIR/data (cluster id $cluster_id)"
}

start_kafka() {
  if kafka_external; then
    log "kafka: using the external Kafka KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS (not started)"
    return 0
  fi
  local pid
  if pid=$(running_pid kafka); then
    log "kafka: already running (pid $pid)"
    return 0
  fi
  kafka_installed || install_kafka
  require_java
  ensure_port_free "$KAFKA_PORT" "Kafka" CII_KAFKA_PORT
  ensure_port_free "$KAFKA_CONTROLLER_PORT" "Kafka controller" CII_KAFKA_CONTROLLER_PORT
  write_kafka_config
  format_kafka_storage
  launch kafka java -Xms256m -Xmx512m -XX:+UseG1GC -cp "$KAFKA_LIBS/*" \
    -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    kafka.Kafka "$KAFKA_DIR/server.properties"
  started_here kafka
  log "kafka: started pid $(running_pid kafka || echo '?') on 127.0.0.1:$KAFKA_PORT (log $(log_file kafka))"
}

await_kafka() {
  kafka_external && return 0
  await_ready kafka --kafka "127.0.0.1:$KAFKA_PORT"
}

# ---------------------------------------------------------------------------------------------
# Store: FerretDB on a PostgreSQL cluster of its own
# ---------------------------------------------------------------------------------------------

# The same for MONGODB_URL naming the local store (mongodb://127.0.0.1/localhost:CII_STORE_PORT[/...]).
store_external() {
  local url=${MONGODB_URL:-}
  [[ -n $url ]] || return 1
  url=${url#mongodb://}
  url=${url%%[/?]*}
  [[ $url != "127.0.0.1:$STORE_PORT" && $url != "localhost:$STORE_PORT" ]]
}

# PostgreSQL refuses to run as root: as root, its server programs (initdb, pg_ctl) run as the
# postgres OS user that the package creates; otherwise as the current user. From / so that a
# current directory the postgres user cannot read is no matter. Clients (psql) run as anyone.
as_postgres() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# As root the cluster belongs to the postgres user, which must reach it: the data folder is often
# in a root-owned tree (<repo>/.local). Only the data folder itself is opened to others, and only
# for traversal (o+x: no listing); a closed folder above it is reported, never changed.
prepare_postgres_dir() {
  forget_orphaned_postgres
  mkdir -p "$POSTGRES_DIR"
  ((EUID == 0)) || return 0
  id -u postgres >/dev/null 2>&1 ||
    die "the postgres OS user does not exist: PostgreSQL refuses to run as root, and the package that creates that user is installed with apt-get install postgresql"
  command -v runuser >/dev/null || die "runuser (util-linux) not found: it runs PostgreSQL as the postgres user"
  # In a shared base, a folder someone else planted (or a link) is never taken for ours.
  [[ ! -L $POSTGRES_DIR ]] || die "$POSTGRES_DIR is a symbolic link: remove it (not created by this script)"
  local owner
  owner=$(stat -c %U "$POSTGRES_DIR")
  [[ $owner == postgres || $owner == root ]] ||
    die "$POSTGRES_DIR belongs to $owner, not to postgres: remove it (not created by this script)"
  chown postgres: "$POSTGRES_DIR"
  chmod 700 "$POSTGRES_DIR"
  as_postgres test -x "$POSTGRES_DIR" && return 0
  local dir=$POSTGRES_DIR
  while [[ $dir != / ]]; do
    dir=$(dirname -- "$dir")
    as_postgres test -x "$dir" && continue
    [[ $dir == "$DATA_DIR" ]] ||
      die "the postgres user cannot enter $dir, above the data folder (see: namei -l $POSTGRES_DIR); allow it (chmod o+x) or choose another CII_DATA_DIR"
    chmod o+x "$DATA_DIR"
    log "postgres: gave others traversal (o+x) of $DATA_DIR, for the postgres user"
  done
  as_postgres test -x "$POSTGRES_DIR" || die "the postgres user still cannot enter $POSTGRES_DIR (see: namei -l $POSTGRES_DIR)"
}

# A cluster outside the data folder whose data folder was deleted (no postgres.location) belongs to a
# previous life of that folder: its Kafka topics and keys are gone, so its data is deleted too.
forget_orphaned_postgres() {
  [[ $POSTGRES_DIR == "$DATA_DIR"/* ]] && return 0
  if [[ -d $POSTGRES_DIR && ! -f $POSTGRES_LOCATION_FILE ]]; then
    log "postgres: deleting $POSTGRES_DIR, left by a deleted $DATA_DIR"
    rm -rf "$POSTGRES_DIR"
  fi
  mkdir -p "$DATA_DIR"
  printf '%s\n' "$POSTGRES_DIR" >"$POSTGRES_LOCATION_FILE"
}

# Once: a cluster of our own, superuser postgres, trust authentication. It listens on 127.0.0.1
# only and holds development and test data. Built aside then moved in place (a cluster does not
# record its path), so that an interrupted initdb never looks complete.
init_postgres() {
  local bin=$1 tmp=$POSTGRES_DIR/data.partial init_log=$LOG_DIR/postgres-init.log
  [[ -f $POSTGRES_DATA/PG_VERSION ]] && return 0
  mkdir -p "$LOG_DIR"
  rm -rf "$tmp"
  if ! as_postgres "$bin/initdb" -D "$tmp" -U postgres --auth=trust -E UTF8 --no-locale \
    >"$init_log" 2>&1 </dev/null; then
    tail -n 20 "$init_log" >&2
    die "initdb failed; full log: $init_log"
  fi
  mv "$tmp" "$POSTGRES_DATA"
  log "postgres: created the cluster in $POSTGRES_DATA"
}

# Readiness as PostgreSQL means it: pg_isready over TCP, as FerretDB will connect (named user:
# the default, the OS user, has no role and would log a FATAL at each check).
await_postgres() {
  local bin=$1 started=$SECONDS log
  log=$(log_file postgres)
  until "$bin/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres; do
    if ! running_pid postgres >/dev/null || ((SECONDS - started >= READY_TIMEOUT)); then
      warn "postgres: last lines of $log:"
      tail -n 15 "$log" | sed 's/^/    /' >&2
      running_pid postgres >/dev/null || die "postgres exited during start-up; full log: $log"
      die "postgres is running but not ready after $READY_TIMEOUT s; full log: $log (stop it with: scripts/infra.sh stop-store)"
    fi
    sleep 0.2
  done
  log "postgres: ready ($((SECONDS - started)) s)"
}

# FerretDB keeps all its MongoDB databases in this one PostgreSQL database.
ensure_postgres_database() {
  local bin=$1 found
  found=$("$bin/psql" -X -q -t -A -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d postgres \
    -c "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DATABASE'" 2>&1) ||
    die "cannot query PostgreSQL on 127.0.0.1:$POSTGRES_PORT: $found"
  [[ $found == 1 ]] && return 0
  "$bin/createdb" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres "$POSTGRES_DATABASE" ||
    die "could not create the PostgreSQL database $POSTGRES_DATABASE"
  log "postgres: created the database $POSTGRES_DATABASE"
}

# pg_ctl starts the postmaster in its own session (Ctrl-C in `make` does not reach it) and waits
# until it accepts connections. The server's output goes to the log opened here by this shell:
# the postgres user may not be allowed to create files in logs/.
start_postgres() {
  local pid bin log
  if pid=$(running_pid postgres); then
    log "postgres: already running (pid $pid)"
    return 0
  fi
  postgres_installed || install_postgres
  bin=$(postgres_bin_dir)
  ensure_port_free "$POSTGRES_PORT" "PostgreSQL" CII_POSTGRES_PORT
  prepare_postgres_dir
  init_postgres "$bin"
  log=$(log_file postgres)
  mkdir -p "$LOG_DIR"
  [[ -f $log ]] && mv -f "$log" "$log.1" # keep the previous run's log for a post-mortem
  # No Unix socket (TCP on 127.0.0.1 only): no socket path length limit, no /var/run/postgresql.
  # fsync, synchronous_commit and full_page_writes off: a crash of the machine (not of a process)
  # may lose the last writes or corrupt the cluster. Acceptable for a local development and test
  # store, never for real data; writes are several times faster.
  local options="-p $POSTGRES_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
  options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Plan each statement with its parameters: FerretDB passes the field name as one, and only a plan
  # that knows it can use the GIN indexes of ferretdb-gin-indexes.sql.
  options+=" -c plan_cache_mode=force_custom_plan"
  # 9>&-: the postmaster must not inherit the lock of take_lock (see launch).
  # Counted as started before pg_ctl returns: a postmaster that started but is not ready is stopped too.
  started_here postgres
  if ! as_postgres "$bin/pg_ctl" start -D "$POSTGRES_DATA" -w -t "$READY_TIMEOUT" -o "$options" \
    >"$log" 2>&1 </dev/null 9>&-; then
    warn "postgres: last lines of $log:"
    tail -n 15 "$log" | sed 's/^/    /' >&2
    die "PostgreSQL did not start; full log: $log"
  fi
  log "postgres: started pid $(running_pid postgres || echo '?') on 127.0.0.1:$POSTGRES_PORT (log $log)"
  await_postgres "$bin"
  ensure_postgres_database "$bin"
  mirror_ferretdb_indexes "$bin"
}

# FerretDB v1's indexes cannot serve its own filters; see the SQL file for why and what this changes.
mirror_ferretdb_indexes() {
  local bin=$1 output
  output=$("$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres \
    -d "$POSTGRES_DATABASE" -f "$SCRIPT_DIR/ferretdb-gin-indexes.sql" 2>&1) ||
    die "could not install the GIN index trigger in PostgreSQL: $output"
}

# A fast shutdown (open transactions rolled back, clients disconnected; FerretDB is stopped
# first), an immediate one if that hangs (crash recovery at the next start), SIGKILL last.
stop_postgres() {
  local pid bin log started=$SECONDS
  if ! pid=$(running_pid postgres); then
    log "postgres: not running"
    return 0
  fi
  bin=$(postgres_bin_dir) || die "postgres pid $pid is running but its pg_ctl is no longer found; stop it by hand (kill -INT $pid)"
  log=$(log_file postgres)
  mkdir -p "$LOG_DIR"
  log "postgres: stopping pid $pid"
  if ! as_postgres "$bin/pg_ctl" stop -D "$POSTGRES_DATA" -m fast -w -t "$STOP_TIMEOUT" \
    >>"$log" 2>&1 </dev/null 9>&-; then
    warn "postgres: still running after ${STOP_TIMEOUT} s, immediate shutdown"
    as_postgres "$bin/pg_ctl" stop -D "$POSTGRES_DATA" -m immediate -w -t "$STOP_TIMEOUT" \
      >>"$log" 2>&1 </dev/null 9>&- || true
  fi
  if is_alive "$pid"; then
    warn "postgres: still running, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while is_alive "$pid"; do sleep 0.1; done
  fi
  log "postgres: stopped in $((SECONDS - started)) s"
}

# PostgreSQL first (FerretDB only connects on demand, but the store is not ready without it).
start_store() {
  if store_external; then
    log "store: using the external store MONGODB_URL (not started)"
    return 0
  fi
  start_postgres
  local pid
  if pid=$(running_pid ferretdb); then
    log "store: already running (FerretDB pid $pid)"
    return 0
  fi
  ferretdb_installed || install_ferretdb
  ensure_port_free "$STORE_PORT" "store" CII_STORE_PORT
  ensure_port_free "$FERRETDB_DEBUG_PORT" "FerretDB debug" CII_FERRETDB_DEBUG_PORT
  mkdir -p "$FERRETDB_DIR"
  # ERROR: at WARN FerretDB dumps every command it does not implement (pymongo's endSessions...).
  launch ferretdb "$FERRETDB_BIN" --handler=postgresql \
    --postgresql-url="postgres://postgres@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DATABASE" \
    --state-dir="$FERRETDB_DIR" --listen-addr="127.0.0.1:$STORE_PORT" \
    --debug-addr="127.0.0.1:$FERRETDB_DEBUG_PORT" --telemetry=disable --log-level=ERROR
  started_here ferretdb
  log "store: started FerretDB pid $(running_pid ferretdb || echo '?') on 127.0.0.1:$STORE_PORT (log $(log_file ferretdb))"
}

await_store() {
  store_external && return 0
  await_ready ferretdb --mongo "mongodb://127.0.0.1:$STORE_PORT"
}

# FerretDB before its PostgreSQL, so that no request of a client fails half-way in between.
stop_store() {
  stop_component ferretdb
  stop_postgres
}

# ---------------------------------------------------------------------------------------------
# Mail: Mailpit, an SMTP server that keeps every e-mail and shows them (web UI and API)
# ---------------------------------------------------------------------------------------------

readonly MAILPIT_VERSION=v1.33.1
readonly MAILPIT_BIN=$CACHE_DIR/bin/mailpit
readonly SMTP_PORT=${CII_SMTP_PORT:-1025}
readonly MAILPIT_PORT=${CII_MAILPIT_PORT:-8025}
readonly MAIL_DIR=$DATA_DIR/mailpit

mail_external() { [[ -n ${CII_SMTP_HOST:-} && ${CII_SMTP_HOST} != 127.0.0.1 && ${CII_SMTP_HOST} != localhost ]]; }

# `go version -m` reads the module version the binary was built from (Mailpit itself says "dev").
mailpit_installed() {
  [[ -x $MAILPIT_BIN ]] || return 1
  local info
  info=$(go version -m "$MAILPIT_BIN" 2>/dev/null) || return 1
  [[ $info == *"github.com/axllent/mailpit"*"$MAILPIT_VERSION"* ]]
}

# Built with `go install`, its module cache and build cache in the cache folder (never the checkout).
install_mailpit() {
  if mailpit_installed; then
    log "mailpit: $MAILPIT_VERSION already installed at $MAILPIT_BIN"
    return 0
  fi
  require_go
  local started=$SECONDS build_log=$CACHE_DIR/mailpit-build.log
  mkdir -p "$CACHE_DIR/bin"
  log "mailpit: building Mailpit $MAILPIT_VERSION with go install (1-3 min; log in $build_log)"
  (GOBIN=$CACHE_DIR/bin GOPATH=$CACHE_DIR/go GOMODCACHE=$CACHE_DIR/go/pkg/mod GOWORK=off \
    go install "github.com/axllent/mailpit@$MAILPIT_VERSION") >"$build_log" 2>&1 &
  if ! wait "$!"; then
    tail -n 20 "$build_log" >&2
    die "building Mailpit failed (it needs the Go module proxy); full log: $build_log"
  fi
  mailpit_installed || die "the Mailpit just built does not report $MAILPIT_VERSION; see $build_log"
  log "mailpit: built in $((SECONDS - started)) s"
}

start_mail() {
  if mail_external; then
    log "mail: using the external SMTP server CII_SMTP_HOST=$CII_SMTP_HOST (Mailpit not started)"
    return 0
  fi
  local pid
  if pid=$(running_pid mailpit); then
    log "mail: already running (Mailpit pid $pid)"
    return 0
  fi
  mailpit_installed || install_mailpit
  ensure_port_free "$SMTP_PORT" "SMTP (Mailpit)" CII_SMTP_PORT
  ensure_port_free "$MAILPIT_PORT" "Mailpit web UI and API" CII_MAILPIT_PORT
  mkdir -p "$MAIL_DIR"
  # The e-mails are kept in the data folder (they survive a restart); no update check (no internet).
  launch mailpit "$MAILPIT_BIN" --smtp "127.0.0.1:$SMTP_PORT" --listen "127.0.0.1:$MAILPIT_PORT" \
    --database "$MAIL_DIR/mailpit.db" --disable-version-check --max 5000 --quiet
  started_here mailpit
  log "mail: started Mailpit pid $(running_pid mailpit || echo '?'): SMTP 127.0.0.1:$SMTP_PORT, web http://127.0.0.1:$MAILPIT_PORT (log $(log_file mailpit))"
}

await_mail() {
  mail_external && return 0
  local started=$SECONDS
  until port_in_use "$SMTP_PORT" && port_in_use "$MAILPIT_PORT"; do
    if ! running_pid mailpit >/dev/null || ((SECONDS - started >= READY_TIMEOUT)); then
      tail -n 15 "$(log_file mailpit)" | sed 's/^/    /' >&2 || true
      die "Mailpit is not ready on 127.0.0.1:$SMTP_PORT / $MAILPIT_PORT; full log: $(log_file mailpit)"
    fi
    sleep 0.2
  done
  log "mail: ready ($((SECONDS - started)) s)"
}

cmd_start_mail() {
  take_lock
  start_mail
  await_mail
}

cmd_stop_mail() {
  take_lock
  stop_component mailpit
}

# Identity provider: Keycloak, the official distribution, built once into the cache
# ---------------------------------------------------------------------------------------------

# Keycloak 26 runs on Java 17 or newer (21 recommended).
require_java_17() {
  require_java
  local output version=0
  output=$(java -version 2>&1) || true
  [[ $output =~ version\ \"([^\"]+)\" ]] && version=${BASH_REMATCH[1]}
  version_at_least "$version" 17 ||
    die "java $version is too old: Keycloak $KEYCLOAK_VERSION needs Java 17 or newer (apt-get install openjdk-17-jre-headless)"
}

# The marker holds the build options: other options would need another build.
keycloak_installed() {
  [[ -f $KEYCLOAK_MARKER && -f $KEYCLOAK_HOME/bin/kc.sh ]] &&
    [[ "$(cat "$KEYCLOAK_MARKER")" == "$KEYCLOAK_BUILD_OPTIONS" ]]
}

# Maven fetches the distribution zip (it honours ~/.m2/settings.xml mirrors, like Kafka's jars); Python's
# zipfile unpacks it (no unzip needed). `kc.sh build` then fixes the build-time options once (2-3 min), so
# that each start is `start --optimized` and never writes into the shared cache. Several checkouts may
# install at once: a lock in the cache serialises them.
install_keycloak() {
  mkdir -p "$CACHE_DIR"
  exec 8>"$CACHE_DIR/.keycloak-install.lock"
  command -v flock >/dev/null && flock 8
  if keycloak_installed; then
    log "keycloak: $KEYCLOAK_VERSION already installed in $KEYCLOAK_HOME"
    exec 8>&-
    return 0
  fi
  require_java_17
  require_mvn
  local started=$SECONDS python fetch_log=$CACHE_DIR/keycloak-fetch.log download=$CACHE_DIR/keycloak-download
  local tmp=$KEYCLOAK_HOME.partial zip
  python=$(python_bin)
  log "keycloak: fetching keycloak-quarkus-dist $KEYCLOAK_VERSION with Maven (165 MB)"
  rm -rf "$download" "$tmp"
  if ! mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
    -DoutputDirectory="$download" >"$fetch_log" 2>&1 8>&-; then
    tail -n 20 "$fetch_log" >&2
    die "Maven could not fetch Keycloak $KEYCLOAK_VERSION (it needs Maven Central, or a mirror in ~/.m2/settings.xml); log: $fetch_log"
  fi
  zip=$download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip
  [[ -f $zip ]] || die "Maven did not leave $zip; log: $fetch_log"
  mkdir -p "$tmp"
  "$python" -m zipfile -e "$zip" "$tmp" || die "could not unpack $zip"
  rm -rf "$KEYCLOAK_HOME" "$download"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
  rm -rf "$tmp"
  log "keycloak: building the optimized server ($KEYCLOAK_BUILD_OPTIONS; 2-3 min, log in $CACHE_DIR/keycloak-build.log)"
  # shellcheck disable=SC2086 # the build options are words
  if ! bash "$KEYCLOAK_HOME/bin/kc.sh" build $KEYCLOAK_BUILD_OPTIONS >"$CACHE_DIR/keycloak-build.log" 2>&1 8>&-; then
    tail -n 20 "$CACHE_DIR/keycloak-build.log" >&2
    die "kc.sh build failed; log: $CACHE_DIR/keycloak-build.log"
  fi
  printf '%s\n' "$KEYCLOAK_BUILD_OPTIONS" >"$KEYCLOAK_MARKER"
  log "keycloak: installed in $((SECONDS - started)) s"
  exec 8>&-
}

# Each data folder gets a Keycloak home of its own (kc.home.dir): its data (the H2 database of the realm,
# transaction logs, the realm file to import) is there, the program (lib, themes, providers, conf) is a link
# to the cache.
prepare_keycloak_home() {
  mkdir -p "$KEYCLOAK_DIR/data/import"
  local part
  for part in lib themes providers conf; do
    ln -sfn "$KEYCLOAK_HOME/$part" "$KEYCLOAK_DIR/$part"
  done
  # Imported at the first start only (an existing realm is left alone): `make reset` to re-import.
  cp "$KEYCLOAK_REALM_FILE" "$KEYCLOAK_DIR/data/import/realm-cii.json"
}

start_keycloak() {
  local pid
  if pid=$(running_pid keycloak); then
    log "keycloak: already running (pid $pid)"
    return 0
  fi
  keycloak_installed || install_keycloak
  require_java_17
  ensure_port_free "$KEYCLOAK_PORT" "Keycloak" CII_KEYCLOAK_PORT
  prepare_keycloak_home
  # The hostname is fixed so that the issuer is http://127.0.0.1:<port>/realms/cii however Keycloak is
  # reached (the services compare it). No health or metrics: no management port to collide with.
  # --cache=local: without it Keycloak looks for other nodes over JGroups, and the Keycloaks of two
  # checkouts on one machine would form a cluster.
  launch keycloak env KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$KEYCLOAK_ADMIN_PASSWORD" \
    bash "$KEYCLOAK_HOME/bin/kc.sh" -Dkc.home.dir="$KEYCLOAK_DIR" start --optimized --cache=local \
    --http-enabled=true --http-host=127.0.0.1 --http-port="$KEYCLOAK_PORT" \
    --hostname="http://127.0.0.1:$KEYCLOAK_PORT" --import-realm --log-console-output=default
  started_here keycloak
  log "keycloak: started pid $(running_pid keycloak || echo '?') on 127.0.0.1:$KEYCLOAK_PORT (log $(log_file keycloak))"
}

# Ready when the realm's discovery document answers: the realm is imported and the server serves it.
await_keycloak() {
  AWAIT_TIMEOUT=$KEYCLOAK_READY_TIMEOUT await_ready keycloak \
    --http "http://127.0.0.1:$KEYCLOAK_PORT/realms/cii/.well-known/openid-configuration"
}

# kc.sh forwards SIGTERM to its java child; should kc.sh itself have to be killed, the child is too.
stop_keycloak() {
  local pid children
  if pid=$(running_pid keycloak); then
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
    stop_component keycloak
    local child
    for child in $children; do
      if is_alive "$child"; then
        warn "keycloak: its java process $child outlived kc.sh, sending SIGKILL"
        kill -KILL "$child" 2>/dev/null || true
      fi
    done
  else
    log "keycloak: not running"
  fi
}

keycloak_wanted() { [[ $WITH_KEYCLOAK != 0 ]]; }

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

# Two `start`s at once (make -j, a test and a terminal) must not launch two brokers.
take_lock() {
  mkdir -p "$PID_DIR"
  exec 9>"$PID_DIR/.lock"
  if command -v flock >/dev/null; then
    flock 9
  fi
}

cmd_install() {
  mkdir -p "$CACHE_DIR"
  install_kafka
  install_ferretdb
  install_postgres
  install_mailpit
  install_keycloak
}

# Components this invocation launched: if the start fails half-way, they are stopped again (on exit), so
# a failed start leaves nothing of ours running that was not running before.
STARTED_HERE=()
started_here() { STARTED_HERE+=("$1"); }

stop_started_on_failure() {
  local status=$? name
  ((status != 0 && ${#STARTED_HERE[@]} > 0)) || return 0
  warn "the start failed: stopping what it started (${STARTED_HERE[*]})"
  local index
  for ((index = ${#STARTED_HERE[@]} - 1; index >= 0; index--)); do
    name=${STARTED_HERE[index]}
    case $name in
      postgres) stop_postgres || true ;;
      keycloak) stop_keycloak || true ;;
      *) stop_component "$name" || true ;;
    esac
  done >&2
  exit "$status"
}

cmd_start() {
  take_lock
  trap stop_started_on_failure EXIT
  # All are launched before waiting, so their start-up times overlap (Keycloak first: the longest).
  if keycloak_wanted; then start_keycloak; fi
  start_kafka
  start_store
  start_mail
  await_kafka
  await_store
  await_mail
  if keycloak_wanted && [[ ${CII_KEYCLOAK_WAIT:-1} != 0 ]]; then await_keycloak; fi
}

cmd_stop() {
  take_lock
  if keycloak_wanted; then stop_keycloak; fi
  stop_component kafka
  stop_store
  stop_component mailpit
}

# One component only: the fault tests stop and restart the broker or the store under load.
# (Not `take_lock && start_kafka`: inside an && list bash ignores set -e in the functions.)
cmd_start_kafka() {
  take_lock
  trap stop_started_on_failure EXIT
  start_kafka
  await_kafka
}

cmd_stop_kafka() {
  take_lock
  stop_component kafka
}

cmd_start_store() {
  take_lock
  trap stop_started_on_failure EXIT
  start_store
  await_store
}

cmd_stop_store() {
  take_lock
  stop_store
}

cmd_start_keycloak() {
  take_lock
  trap stop_started_on_failure EXIT
  start_keycloak
  await_keycloak
}

cmd_stop_keycloak() {
  take_lock
  stop_keycloak
}

# Fresh test data: stop, delete Kafka's, the store's and Keycloak's data, logs and pids (keys kept).
cmd_wipe() {
  cmd_stop
  stop_keycloak # also when CII_WITH_KEYCLOAK=0: its data is deleted below
  rm -rf "$KAFKA_DIR" "$FERRETDB_DIR" "$POSTGRES_DIR" "$POSTGRES_LOCATION_FILE" "$KEYCLOAK_DIR" "$MAIL_DIR" "$LOG_DIR" "$PID_DIR"
}

cmd_reset() {
  cmd_stop
  stop_keycloak # also when CII_WITH_KEYCLOAK=0: its data is deleted below
  log "reset: deleting $KAFKA_DIR, $FERRETDB_DIR, $POSTGRES_DIR, $KEYCLOAK_DIR, $MAIL_DIR and $DATA_DIR/keys"
  rm -rf "$KAFKA_DIR" "$FERRETDB_DIR" "$POSTGRES_DIR" "$POSTGRES_LOCATION_FILE" "$KEYCLOAK_DIR" "$MAIL_DIR" "$DATA_DIR/keys"
  if kafka_external || store_external; then
    log "reset: external Kafka or store (KAFKA_BOOTSTRAP_SERVERS / MONGODB_URL) left untouched"
  fi
}

# $1 component, $2 address shown, $3 port to probe when it is not ours.
status_line() {
  local name=$1 address=$2 port=$3 pid what
  what=$(label "$name")
  if pid=$(running_pid "$name"); then
    printf '%-8s running  pid %-8s %s\n' "$what" "$pid" "$address"
  elif port_in_use "$port"; then
    printf '%-8s stopped  %-12s %s (port taken by %s, not started by this script)\n' \
      "$what" "" "$address" "$(port_owner "$port")"
  else
    printf '%-8s stopped  %-12s %s\n' "$what" "" "$address"
  fi
}

cmd_status() {
  if kafka_external; then
    printf '%-8s external %-12s %s\n' kafka "" "$KAFKA_BOOTSTRAP_SERVERS"
  else
    status_line kafka "127.0.0.1:$KAFKA_PORT" "$KAFKA_PORT"
  fi
  if store_external; then
    printf '%-8s external %-12s %s\n' store "" "MONGODB_URL"
    printf '%-8s unused   %-12s %s\n' postgres "" "(external store)"
  else
    status_line ferretdb "mongodb://127.0.0.1:$STORE_PORT" "$STORE_PORT"
    status_line postgres "postgres://127.0.0.1:$POSTGRES_PORT/$POSTGRES_DATABASE" "$POSTGRES_PORT"
  fi
  status_line mailpit "smtp://127.0.0.1:$SMTP_PORT http://127.0.0.1:$MAILPIT_PORT" "$SMTP_PORT"
  if keycloak_wanted; then
    status_line keycloak "http://127.0.0.1:$KEYCLOAK_PORT/realms/cii" "$KEYCLOAK_PORT"
  fi
}

main() {
  local command=${1:-help}
  case $command in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    reset) cmd_reset ;;
    wipe) cmd_wipe ;;
    status) cmd_status ;;
    start-kafka) cmd_start_kafka ;;
    stop-kafka) cmd_stop_kafka ;;
    start-store) cmd_start_store ;;
    stop-store) cmd_stop_store ;;
    start-mail) cmd_start_mail ;;
    stop-mail) cmd_stop_mail ;;
    start-keycloak) cmd_start_keycloak ;;
    stop-keycloak) cmd_stop_keycloak ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
