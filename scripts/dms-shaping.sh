#!/usr/bin/env bash
# Trains match-to-sample with Dubreuil et al.'s shaping recipe (maximum delay
# 700 → 1000 → 4000 ms) from the single config file scripts/dms-shaping.toml
# and prints the final held-out evaluation, then trains a rank-2 network
# initialised from it. About a minute on two cores.
# Usage: scripts/dms-shaping.sh [run-directory]   (default runs/dms-shaping)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/dms-shaping}
go run ./cmd/rnntrain train -config scripts/dms-shaping.toml -out "$out"
# Then a rank-2 low-rank network initialised from the SVD of that run, with
# the same shaping (Dubreuil et al.'s recipe for the low-rank networks).
go run ./cmd/rnntrain train -config scripts/dms-shaping.toml -init-from "$out" -model lowrank -rank 2 \
  -rates phi -activation tanh -out "$out-rank2"
