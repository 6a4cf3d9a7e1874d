#!/usr/bin/env bash
# smnist_spiking.sh: row-wise sequential MNIST (mnist-rows: 28 steps of 28
# pixels, one row per step, 10-way readout at the last step) with each
# spiking model, lif, alif and ltc, trained from the command line and scored
# on the 10 000 test images with `rnntrain eval -split test`.
#
# Usage: bash scripts/smnist_spiking.sh [outdir]    (default: a fresh temp dir)
#
# Environment:
#   MODELS   models to train, space-separated (default: lif alif ltc)
#   STEPS    training steps per model (default 10000, batch 128: about 24
#            passes over the 54 000 training images; the README's runs used
#            10000 for lif and 8000 for alif and ltc)
#   HIDDEN   units (default 256)
#   SCHEDULE learning-rate schedule (default cosine: 10⁻³ decaying to 0 over
#            the run)
#
# It prints, per model, the test accuracy and the wall time of training and
# writes every run (config.json, metrics.jsonl, checkpoints, plots with the
# spike raster) under outdir. The task has no time step (dt 0), so the
# models take dt = 1 ms: τ_mem = 20 ms is β = exp(−1/20) ≈ 0.95 per row.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
models=${MODELS:-lif alif ltc}
steps=${STEPS:-10000}
hidden=${HIDDEN:-256}
schedule=${SCHEDULE:-cosine}
mkdir -p "$out"
(cd "$root" && go build -o "$out/rnntrain" ./cmd/rnntrain)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2); $(uptime)"
for m in $models; do
  case $m in
    lif) flags=(-tau-mem 20 -input-gain 1) ;;
    alif) flags=(-tau-mem 20 -input-gain 1 -tau-adapt 200 -adapt 0.5 -train-tau) ;;
    ltc) flags=(-surrogate MultiGaussian) ;;
    *) flags=() ;;
  esac
  start=$(date +%s)
  "$out/rnntrain" train -task mnist-rows -model "$m" -hidden "$hidden" -batch 128 -steps "$steps" -lr 1e-3 \
    -schedule "$schedule" -noise 0 -eval-every 1000 -target-accuracy 0 -seed 1 -out "$out/$m" "${flags[@]}" >"$out/$m.log" 2>&1
  end=$(date +%s)
  "$out/rnntrain" eval -checkpoint "$out/$m" -split test -json >"$out/$m.test.json"
  acc=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['accuracy'])" "$out/$m.test.json" 2>/dev/null || echo "?")
  echo "$m: test accuracy $acc (10 000 test images), training wall time $((end - start)) s; $(uptime)"
done
