#!/usr/bin/env bash
# Runs all of tenkai's tests: vet, unit and end-to-end tests (the e2e tests
# drive a real tenkai binary with the real aws CLI and aws-sdk-go-v2), the race
# detector on the concurrent packages, and a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== go vet"
go vet ./...

echo "== tests"
go test -count=1 -timeout 20m ./...

echo "== race detector on concurrent packages"
race_pkgs=$(go list ./internal/store/... ./internal/clock/... ./internal/edge/... ./internal/lambda/... ./internal/events/... ./internal/sfn/... ./internal/sqs/... ./internal/sns/... 2>/dev/null || true)
if [ -n "$race_pkgs" ]; then go test -count=1 -race -timeout 20m $race_pkgs; fi

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
        echo "$out" | tail -40
        exit 1
      fi
      echo "   engine timeout without a finding (attempt $attempt)"
      if [ "$attempt" = 2 ]; then echo "$out" | tail -5; fi
    done
  done
done
echo "all tests passed"
