#!/usr/bin/env bash
# Runs all of tenkai's tests: vet, unit and end-to-end tests (the e2e tests
# drive a real tenkai binary with the real aws CLI and aws-sdk-go-v2), the race
# detector on the concurrent packages, and a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== go vet"
go vet ./...

# A test that hangs fails its package at the -timeout with "panic: test timed
# out", the names of the tests still running and every goroutine's stack. The
# unit packages take under a minute each, so a hang in one shows after 5
# minutes instead of 20. The end-to-end suite takes about six minutes, and 11
# on a machine shared with other work, so it keeps 20. It runs beside the unit
# packages, as it did in one go test run; its output follows theirs.
echo "== tests"
unit_pkgs=$(go list ./... | grep -v '/test/e2e$')
e2e_log=$(mktemp)
trap 'rm -f "$e2e_log"' EXIT
go test -count=1 -timeout 20m ./test/e2e >"$e2e_log" 2>&1 &
e2e_pid=$!
unit_rc=0
go test -count=1 -timeout 5m $unit_pkgs || unit_rc=$?
e2e_rc=0
wait "$e2e_pid" || e2e_rc=$?
cat "$e2e_log"
if [ "$unit_rc" != 0 ] || [ "$e2e_rc" != 0 ]; then
  echo "tests failed (unit packages: exit $unit_rc, end-to-end suite: exit $e2e_rc)"
  exit 1
fi

echo "== race detector on concurrent packages"
race_pkgs=$(go list ./internal/store/... ./internal/clock/... ./internal/edge/... ./internal/lambda/... ./internal/events/... ./internal/sfn/... ./internal/sqs/... ./internal/sns/... ./internal/secretsmanager/... 2>/dev/null || true)
if [ -n "$race_pkgs" ]; then go test -count=1 -race -timeout 10m $race_pkgs; fi

echo "== fuzzing (${FUZZTIME:=4s} per target; FUZZTIME=60s for a longer run)"
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "-- $pkg $target"
    # A real finding writes its failing input under testdata/fuzz. Without one,
    # the failure is the fuzzing engine's own ("context deadline exceeded" when a
    # loaded machine keeps a worker past the time limit): run the target again.
    for attempt in 1 2; do
      if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 2s "$pkg" 2>&1); then
        break
      fi
      if echo "$out" | grep -q "Failing input written to" || ! echo "$out" | grep -q "context deadline exceeded"; then
        # A hang's report names the running test at its top, above the stacks.
        echo "$out" | grep -A4 "^panic: test timed out" || true
        echo "$out" | tail -40
        exit 1
      fi
      echo "   engine timeout without a finding (attempt $attempt)"
      if [ "$attempt" = 2 ]; then echo "$out" | tail -5; fi
    done
  done
done
echo "all tests passed"
