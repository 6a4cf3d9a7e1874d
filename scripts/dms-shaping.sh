#!/usr/bin/env bash
# Trains match-to-sample with Dubreuil et al.'s shaping recipe (maximum delay
# 700 → 1000 → 4000 ms) from the single config file scripts/dms-shaping.toml
# and prints the final held-out evaluation. About a minute on two cores.
# Usage: scripts/dms-shaping.sh [run-directory]   (default runs/dms-shaping)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/dms-shaping}
go run ./cmd/rnntrain train -config scripts/dms-shaping.toml -out "$out"
