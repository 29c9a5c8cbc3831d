# shellcheck shell=bash
# Part of scripts/infra.sh (sourced by it, never run alone): see that file.

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
