# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
  already_running mailpit "mail (Mailpit)" && return 0
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
