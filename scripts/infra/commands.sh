# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
