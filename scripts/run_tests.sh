#!/usr/bin/env bash
# The whole suite, as `make test` runs it. Each group that needs the real platform runs in its own pytest
# session with its own ports and data folder (CII_TEST_PORT_BASE), so services started with one suite's
# settings (a fixed clock, a short exchange timeout) never serve another suite's tests.
# The groups run in two lanes side by side (CII_TEST_LANES=1: one after the other): most of a group's time
# is spent waiting (for a JVM to start, a consumer to catch up, a page to load), so two lanes on two cores
# overlap those waits. Each group's output is printed whole when it ends.
# Every group runs; the exit status is non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
PY=${PY:-.venv/bin/python}
LANES=${CII_TEST_LANES:-2}
[[ $LANES == 1 || $LANES == 2 ]] || { echo "CII_TEST_LANES must be 1 or 2, not $LANES" >LANES=${CII_TEST_LANES:-2}2; exit 2; }
EXTRA=("$@")

# lane|port base|title|paths. Each lane starts with its longest groups so that both end about together.
declare -a TEST_GROUPS=(
  "1|19700|faults: kills, outages, poison records, replay|tests/faults"
  "1|19900|local platforms: two side by side, a checkout anywhere, failed starts|tests/local"
  "1|20000|identity: Keycloak login in Chromium, system tokens, key rotation|tests/identity"
  "1|19100|shared library against real Kafka and store|tests/messaging"
  "1|19200|signalement service|services/signalement/tests/integration"
  "2|19000|no infrastructure: unit, contracts, docs, deployment|libs tests/docs tests/deploy services/measures/tests/unit services/procuration/tests/unit services/reporting/tests/unit services/signalement/tests/unit services/workspace/tests/unit services/notifier/tests/unit"
  "2|19800|the OpenAPI documents against the servers (schemathesis)|tests/api"
  "2|19600|the platform end to end|tests/e2e"
  "2|19500|reporting service|services/reporting/tests/integration"
  "2|19300|procuration service|services/procuration/tests/integration"
  "2|19400|measures service|services/measures/tests/integration"
  "2|20100|the workspace in real Chromium against the platform|services/workspace/tests/browser"
  "2|20200|notifier service: e-mails through Mailpit, people from Keycloak|services/notifier/tests/integration"
)

RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

# One group in its own pytest session; its output is kept and printed in one piece when it ends.
run_group() {
  local index=$1 base=$2 title=$3 paths=$4 target status group_started
  local -a targets existing=()
  base=$((base + ${CII_TEST_PORT_OFFSET:-0}))  # moves every group's ports: two checkouts side by side
  read -r -a targets <<<"$paths"
  for target in "${targets[@]}"; do [[ -e $target ]] && existing+=("$target"); done
  [[ ${#existing[@]} -gt 0 ]] || return 0
  group_started=$(date +%s)
  CII_TEST_PORT_BASE=$base "$PY" -m pytest "${existing[@]}" "${EXTRA[@]}" >"$RESULTS/$index.log" 2>&1
  status=$?
  # 5 = no test collected in that group: not a failure of the suite.
  if [[ $status -ne 0 && $status -ne 5 ]]; then printf '%s\n' "$title" >"$RESULTS/$index.failed"; fi
  {
    flock 9
    echo
    echo "=== ${title} (${existing[*]})"
    cat "$RESULTS/$index.log"
    echo "=== ${title}: exit ${status} in $(($(date +%s) - group_started)) s"
  } 9>"$RESULTS/print.lock"
}

run_lane() {
  local lane=$1 index group group_lane base title paths
  for index in "${!TEST_GROUPS[@]}"; do
    IFS='|' read -r group_lane base title paths <<<"${TEST_GROUPS[$index]}"
    if ((LANES == 1 || group_lane == lane)); then run_group "$index" "$base" "$title" "$paths"; fi
  done
}

started=$(date +%s)
echo "=== the suite in $LANES lane(s), $(nproc) cores"
pids=()
for ((lane = 1; lane <= LANES; lane++)); do
  run_lane "$lane" &
  pids+=($!)
done
wait "${pids[@]}"

echo
echo "=== whole suite: $(($(date +%s) - started)) s"
failed=()
for index in "${!TEST_GROUPS[@]}"; do
  [[ -f $RESULTS/$index.failed ]] && failed+=("$(cat "$RESULTS/$index.failed")")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  printf 'FAILED groups: %s\n' "$(IFS=';'; echo "${failed[*]}")"
  exit 1
fi
echo "all groups passed"
