#!/usr/bin/env bash
# smnist.sh: a GRU trained with sFPTT (FPTT with the progressive loss and
# its running class prior) on pixel-wise sequential MNIST (tasks
# "mnist-pixels", T = 784, one pixel per step), and the validation accuracy,
# wall time and peak memory it reached. BenchmarkPeakFMA runs before and
# after, for the machine's state.
#
# Usage: bash bench/smnist.sh
#
# Environment (defaults are the documented run of the README):
#   MODEL gru (any of rnn.Models), STEPS 900 (about one epoch of the training split at batch 64), BATCH 64, HIDDEN 128, WINDOW 28
#   (parts = 784/28 = 28; sFPTT's own runs use one pixel per window, parts = 784, which costs 28 times
#   as many optimizer steps), LR 1e-3, SEED 1. W ← W̄ and λ ← 0 once per epoch (reset_every 0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
bin=$out/seqtrain
(cd "$root" && go build -o "$bin" ./bench/seqtrain)
peakfma() { (cd "$root" && go test -run x -bench BenchmarkPeakFMA ./internal/kernels | grep BenchmarkPeakFMA); }
echo "before: $(peakfma)"
start=$(date +%s)
"$bin" -task mnist-pixels -model "${MODEL:-gru}" -T 0 -trainer fptt -loss progressive -reset 0 -window "${WINDOW:-28}" \
  -steps "${STEPS:-900}" -batch "${BATCH:-64}" -hidden "${HIDDEN:-128}" -lr "${LR:-1e-3}" -seed "${SEED:-1}" \
  -eval 150 -eval-trials 1000 | tee "$out/log"
read -r _ _ n _ acc kib sec < <(tail -n 1 "$out/log")
echo "after: $(peakfma)"
printf 'GRU, sFPTT, %d updates: validation accuracy %.3f (1000 trials), wall time %d s (%.2f s per update), peak memory %d MiB\n' \
  "$n" "$acc" "$(( $(date +%s) - start ))" "$sec" "$((kib / 1024))"
