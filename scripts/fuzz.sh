#!/usr/bin/env bash
# Runs every fuzz target of the main module (every `func FuzzXxx` in a
# _test.go file), one after another, each for DURATION (default 5m; Go
# duration syntax, or Nx for N executions). .ci/run calls it with a few
# seconds per target; run it for minutes before a release:
#
#   bash scripts/fuzz.sh            # each target for 5 minutes
#   bash scripts/fuzz.sh 30s Npz    # targets whose name contains "Npz"
#
# Each target runs with -parallel ${FUZZ_PARALLEL:-2} workers. A crasher is
# written under the package's testdata/fuzz/ and fails the script; `go test
# ./pkg` then replays it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-5m}
filter=${2:-}
status=0
while IFS=: read -r file name; do
  [ -n "$file" ] || continue
  case "$name" in *"$filter"*) ;; *) continue ;; esac
  pkg=./$(dirname "$file")
  echo "== $name ($pkg, $duration)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" -parallel "${FUZZ_PARALLEL:-2}" "$pkg" 2>&1 | tail -n 3; then
    status=1
  fi
done < <(git ls-files '*_test.go' | grep -v '^internal/oracle/' | xargs grep -o '^func Fuzz[A-Za-z0-9_]*' | sed 's/func //' | sort -u)
exit $status
