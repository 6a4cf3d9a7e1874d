#!/usr/bin/env bash
# Regenerates the figures the README shows (docs/figures/*.png): the
# README's default run, `rnntrain train` with no flags (seed 1), trained
# into a temporary directory, and its plots copied over. About 15 s of
# training on two idle cores, plus the build.
#
#   bash scripts/readme-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
run=$(mktemp -d)
trap 'rm -rf "$run"' EXIT
go run ./cmd/rnntrain train -out "$run/run" -plot-format png
mkdir -p docs/figures
for f in curves trials psychometric psychometric-contexts units pca; do
  cp "$run/run/plots/$f.png" docs/figures/
done
ls -l docs/figures
