#!/usr/bin/env bash
# The whole suite, as `make test` runs it. Each group that needs the real platform runs in its own pytest
# session with its own ports and data folder (CII_TEST_PORT_BASE), so services started with one suite's
# settings (a fixed clock, a short exchange timeout) never serve another suite's tests.
# Every group runs; the exit status is non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
PY=${PY:-.venv/bin/python}
EXTRA=("$@")

declare -a TEST_GROUPS=(
  "19000|no infrastructure: unit, contracts, docs, deployment|libs tests/docs tests/deploy services/measures/tests/unit services/procuration/tests/unit services/reporting/tests/unit services/signalement/tests/unit services/workspace/tests/unit services/notifier/tests/unit"
  "19100|shared library against real Kafka and store|tests/messaging"
  "19200|signalement service|services/signalement/tests/integration"
  "19300|procuration service|services/procuration/tests/integration"
  "19400|measures service|services/measures/tests/integration"
  "19500|reporting service|services/reporting/tests/integration"
  "19600|the platform end to end|tests/e2e"
  "19700|faults: kills, outages, poison records, replay|tests/faults"
  "20000|identity: Keycloak login in Chromium, system tokens, key rotation|tests/identity"
  "19800|the OpenAPI documents against the servers (schemathesis)|tests/api"
  "19900|local platforms: two side by side, a checkout anywhere, failed starts|tests/local"
  "20100|the workspace in real Chromium against the platform|services/workspace/tests/browser"
  "20200|notifier service: e-mails through Mailpit, people from Keycloak|services/notifier/tests/integration"
)

failed=()
started=$(date +%s)
for group in "${TEST_GROUPS[@]}"; do
  IFS='|' read -r base title paths <<<"$group"
  # CII_TEST_PORT_OFFSET moves every group's ports, so that two checkouts can run the suite side by side.
  base=$((base + ${CII_TEST_PORT_OFFSET:-0}))
  # shellcheck disable=SC2206 # word splitting of the path list is intended
  targets=($paths)
  existing=()
  for target in "${targets[@]}"; do [[ -e $target ]] && existing+=("$target"); done
  [[ ${#existing[@]} -gt 0 ]] || continue
  echo
  echo "=== ${title} (${existing[*]})"
  group_started=$(date +%s)
  CII_TEST_PORT_BASE=$base "$PY" -m pytest "${existing[@]}" "${EXTRA[@]}"
  status=$?
  echo "=== ${title}: exit ${status} in $(($(date +%s) - group_started)) s"
  # 5 = no test collected in that group: not a failure of the suite.
  if [[ $status -ne 0 && $status -ne 5 ]]; then failed+=("$title"); fi
done

echo
echo "=== whole suite: $(($(date +%s) - started)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "FAILED groups: ${failed[*]}"
  exit 1
fi
echo "all groups passed"
