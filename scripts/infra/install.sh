# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
