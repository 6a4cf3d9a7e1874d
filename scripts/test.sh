#!/usr/bin/env bash
# The project's test command: the main module, the pure-Go fallback kernels,
# and every nested module (the gorgonia oracle).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 ./...
go test -count=1 -tags noasm ./internal/...
for mod in $(git ls-files '*/go.mod' | xargs -r -n1 dirname); do
  echo "== nested module $mod"
  (cd "$mod" && go test -count=1 ./...)
done
