#!/usr/bin/env bash
# adding.sh: the adding problem at T = 1000 (tasks "adding") trained by FPTT,
# full BPTT and truncated BPTT on the same budget (updates of the same
# batches, same GRU), one after the other, and a Markdown table of the
# held-out MSE (256 fresh trials drawn once from the evaluation stream,
# never trained on), the share of trials solved (|error| < 0.1), wall time
# and peak memory. BenchmarkPeakFMA runs before and after, for the machine's
# state: compare wall times only within one run of the script.
#
# Usage: bash bench/adding.sh            (about 25 min per trainer on 2 idle cores)
#
# Environment (defaults are the documented run of the README):
#   T 1000, STEPS 3000, HIDDEN 64, BATCH 32, SEED 1
#   FPTT    FPTT flags (default: windows of 10 steps, lr 1e-3, α 0.1, progressive loss, W ← W̄ at every evaluation)
#   BPTT    full BPTT flags (default: lr 3e-3)
#   TBPTT   truncated BPTT flags (default: windows of 100 steps, lr 3e-3)
#   TRAINERS  default "fptt bptt tbptt"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
T=${T:-1000}
steps=${STEPS:-3000}
hidden=${HIDDEN:-64}
batch=${BATCH:-32}
seed=${SEED:-1}
trainers=${TRAINERS:-fptt bptt tbptt}
declare -A flags=(
  [fptt]=${FPTT:--window 10 -lr 1e-3 -alpha 0.1 -loss progressive -reset 0}
  [bptt]=${BPTT:--lr 3e-3}
  [tbptt]=${TBPTT:--window 100 -lr 3e-3}
)
out=$(mktemp -d)
bin=$out/seqtrain
(cd "$root" && go build -o "$bin" ./bench/seqtrain)
peakfma() { (cd "$root" && go test -run x -bench BenchmarkPeakFMA ./internal/kernels | grep BenchmarkPeakFMA); }
echo "before: $(peakfma)"
declare -A row
for tr in $trainers; do
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$bin" -task adding -trainer "$tr" -T "$T" -steps "$steps" -hidden "$hidden" -batch "$batch" -seed "$seed" \
    -eval 250 -eval-trials 256 ${flags[$tr]} | tee "$out/$tr.log" >&2
  read -r _ _ n mse acc kib sec < <(tail -n 1 "$out/$tr.log")
  row[$tr]=$(printf '| %s | `%s` | %d | %.4f | %.3f | %d s | %.2f s | %d MiB |' "$tr" "${flags[$tr]}" "$n" "$mse" "$acc" \
    "$(( $(date +%s) - start ))" "$sec" "$((kib / 1024))")
done
echo "after: $(peakfma)"
echo
echo "adding problem, T = $T, GRU N = $hidden, batch $batch, $steps updates, seed $seed; held-out = 256 fresh trials"
echo
echo '| trainer | flags | updates | held-out MSE | solved | wall time | per update | peak memory |'
echo '|---|---|---:|---:|---:|---:|---:|---:|'
for tr in $trainers; do echo "${row[$tr]}"; done
echo
echo "logs: $out"
