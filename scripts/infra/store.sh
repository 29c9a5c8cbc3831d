# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
  local bin log
  already_running postgres postgres && return 0
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
  already_running ferretdb "store (FerretDB)" && return 0
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
