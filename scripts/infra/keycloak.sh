# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
  already_running keycloak keycloak && return 0
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
