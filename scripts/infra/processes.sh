# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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

# True (and says so) when the component started by this script still runs: start_* then has nothing to do.
already_running() {
  local name=$1 what=$2 pid
  pid=$(running_pid "$name") || return 1
  log "$what: already running (pid $pid)"
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
