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
  for try in 1 2; do
    if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" -parallel "${FUZZ_PARALLEL:-2}" "$pkg" 2>&1); then
      echo "$out" | tail -n 3
      break
    fi
    echo "$out" | tail -n 30
    # A failure that left no crasher under testdata/fuzz is the fuzzing
    # engine's (a worker starved on a loaded machine): try once more.
    if [ "$try" = 2 ] || [ -n "$(git status --porcelain -- "$pkg/testdata/fuzz/$name" 2>/dev/null)" ]; then
      status=1
      break
    fi
    echo "(no crasher written; running $name again)"
  done
done < <(git ls-files '*_test.go' | grep -v '^internal/oracle/' | xargs grep -o '^func Fuzz[A-Za-z0-9_]*' | sed 's/func //' | sort -u)
exit $status
