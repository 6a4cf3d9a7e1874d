#!/usr/bin/env bash
# memory.sh: peak resident memory of training against the trial length, for
# full BPTT, truncated BPTT and FPTT with the same model and batch, and a
# Markdown table of it.
#
# Usage: bash bench/memory.sh
#
# Each cell is a fresh process (bench/seqtrain) that trains a GRU on the
# adding task for STEPS updates and evaluates once on BATCH held-out trials,
# then reports its peak RSS (VmHWM). tbptt and fptt use windows of WINDOW
# steps (fptt: parts = T/WINDOW); the evaluation runs in the same windows.
# What still grows with T under tbptt and fptt is the trials themselves
# (inputs, targets and mask: B·T·4 floats per batch, a few batches alive).
#
# Environment:
#   LENGTHS   trial lengths, space-separated (default "100 1000 10000")
#   TRAINERS  default "bptt tbptt fptt"
#   HIDDEN    GRU units (default 256)
#   BATCH     trials per update (default 16)
#   WINDOW    steps per window (default 100)
#   STEPS     updates per cell (default 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
lengths=${LENGTHS:-100 1000 10000}
trainers=${TRAINERS:-bptt tbptt fptt}
hidden=${HIDDEN:-256}
batch=${BATCH:-16}
window=${WINDOW:-100}
steps=${STEPS:-2}
bin=$(mktemp -d)/seqtrain
(cd "$root" && go build -o "$bin" ./bench/seqtrain)

declare -A peak per
for tr in $trainers; do
  for T in $lengths; do
    read -r _ _ _ _ _ kib sec < <("$bin" -trainer "$tr" -T "$T" -hidden "$hidden" -batch "$batch" -window "$window" -steps "$steps" | tail -n 1)
    peak[$tr,$T]=$kib
    per[$tr,$T]=$sec
    echo "$tr T=$T: peak RSS $((kib / 1024)) MiB, $sec s per update" >&2
  done
done

first=${lengths%% *}
echo "GRU N=$hidden, batch $batch, adding task, $steps updates + 1 evaluation per cell; windows of $window steps for tbptt and fptt"
echo
printf '| trainer |'
for T in $lengths; do printf ' T = %s |' "$T"; done
printf ' peak(T = %s) / peak(T = %s) |\n' "${lengths##* }" "$first"
printf '|---|'
for _ in $lengths; do printf -- '---:|'; done
printf -- '---:|\n'
for tr in $trainers; do
  printf '| %s |' "$tr"
  for T in $lengths; do printf ' %d MiB (%.2f s) |' "$((peak[$tr,$T] / 1024))" "${per[$tr,$T]}"; done
  awk -v a="${peak[$tr,${lengths##* }]}" -v b="${peak[$tr,$first]}" 'BEGIN { printf " %.2f× |\n", a / b }'
done
echo
echo "(peak resident memory of the process; in parentheses wall seconds per update)"
