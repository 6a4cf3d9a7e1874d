#!/usr/bin/env bash
# egru_mnist.sh: row-wise sequential MNIST (task "mnist-rows": 28 steps of
# one 28-pixel row each, the class read out at the last step) with the EGRU
# and, beside it, the GRU of the same size. Each trains with `rnntrain
# train` on the training split (validation: 10 % of it), then `rnntrain eval
# -split test` scores the 10 000 test images. The EGRU reads out its output
# trace (EvNN's --use-output-trace) and carries the activity penalty
# λ(mean(o) − target)² that pushes it to sparse activity; the script prints
# each model's test accuracy, the EGRU's activity sparsity 1 − mean(o) on the
# test images (eval -json figures) and the wall time. BenchmarkPeakFMA runs
# before and after, for the machine's state.
#
# Usage: bash bench/egru_mnist.sh [outdir]
#
# Environment (defaults are the documented run of docs/egru.md):
#   HIDDEN 128, STEPS 4000 (about 4.7 epochs at batch 64), BATCH 64, LR 2e-3, SEED 1,
#   ACT_REG 2 (λ), ACT_TARGET 0.2 (the penalty's target activity; the goal is ≥ 70 % sparsity),
#   EPS 1, MODELS "egru gru"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
bin=$out/rnntrain
(cd "$root" && go build -o "$bin" ./cmd/rnntrain)
peakfma() { (cd "$root" && go test -run x -bench BenchmarkPeakFMA ./internal/kernels | grep BenchmarkPeakFMA); }
echo "before: $(peakfma)"
hidden=${HIDDEN:-128}
for m in ${MODELS:-egru gru}; do
  extra=()
  if [ "$m" = egru ]; then
    extra=(-trace -activity-reg "${ACT_REG:-2}" -activity-target "${ACT_TARGET:-0.2}" -eps "${EPS:-1}")
  fi
  start=$(date +%s)
  "$bin" train -task mnist-rows -model "$m" -hidden "$hidden" -steps "${STEPS:-4000}" -batch "${BATCH:-64}" \
    -lr "${LR:-2e-3}" -seed "${SEED:-1}" -eval-every 500 -eval-trials 2000 -log-every 100 -target-accuracy 0 \
    "${extra[@]}" -out "$out/$m" >"$out/$m.log" 2>&1
  wall=$(( $(date +%s) - start ))
  "$bin" eval -checkpoint "$out/$m" -split test -json >"$out/$m.test.json"
  /usr/bin/python3 - "$out/$m.test.json" "$m" "$hidden" "$wall" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
f = r.get("figures", {})
line = "%s N=%s: test accuracy %.4f on %d images, wall time %s s" % (sys.argv[2], sys.argv[3], r["accuracy"], r["trials"], sys.argv[4])
if "activity_sparsity" in f:
    line += ", activity sparsity %.3f, backward sparsity %.3f, effective MACs %.3f of a dense GRU" % (
        f["activity_sparsity"], f["backward_sparsity"], f["effective_macs"])
print(line)
EOF
done
echo "after: $(peakfma)"
echo "runs in $out"
