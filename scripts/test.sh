#!/usr/bin/env bash
# The project's test command: the main module, the pure-Go fallback kernels,
# and every nested module (the gorgonia oracle).
set -euo pipefail
cd "$(dirname "$0")/.."
go test -count=1 ./...
go test -count=1 -tags noasm ./internal/...
for mod in $(git ls-files '*/go.mod' | xargs -r -n1 dirname); do
  echo "== nested module $mod"
  # -mod=mod: the nested module replaces the main module with ../.., so a new
  # requirement of the main module must not make its go.mod stale.
  (cd "$mod" && go test -mod=mod -count=1 ./...)
done
