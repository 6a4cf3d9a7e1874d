#!/usr/bin/env bash
# Teacher–student validation of the LINT fit (Valente et al. 2022): train
# teachers of known rank on context-dm (low-rank of rank 1 and 2, and a
# full-rank leaky tanh network), record their noiseless rates on 64 trials
# with eval -record, fit low-rank students of rank 1…5 to the recordings
# (from the SVD start and from random factors) and print R² per rank, the
# README's table. For a teacher of rank R*, R² should saturate at R*.
#
# Usage: scripts/teacher_student.sh [OUT_DIR] (default /tmp/teacher-student).
# Environment: STEPS (teacher training steps, default 1500, Adam at lr
# 0.01), FIT_STEPS (Adam updates per student, default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/teacher-student}
steps=${STEPS:-1500}
fit_steps=${FIT_STEPS:-2000}
mkdir -p "$out"
go build -o "$out/rnntrain" ./cmd/rnntrain
bin=$out/rnntrain

teacher() { # name, training flags...
  local name=$1; shift
  if [ ! -f "$out/$name/checkpoint.safetensors" ]; then
    "$bin" train -task context-dm -hidden 64 -steps "$steps" -lr 0.01 -out "$out/$name" "$@" > "$out/$name.log"
  fi
  "$bin" eval -checkpoint "$out/$name" -trials 64 -noise=false -seed 2 -record "$out/$name.npz" -json > "$out/$name.eval.json"
  local start=$SECONDS
  "$bin" fit -data "$out/$name.npz" -ranks 1-5 -steps "$fit_steps" -holdout 8 -json -out "$out/fit-$name" > "$out/fit-$name.json"
  echo "$name: fit of 5 ranks (and the full-rank start) took $((SECONDS - start)) s" >&2
  "$bin" fit -data "$out/$name.npz" -ranks 1-5 -steps "$fit_steps" -holdout 8 -init random -json -out "$out/fitr-$name" > "$out/fitr-$name.json"
}

# Seed 2 for the rank-1 teacher: from seed 1 it stays near 73 % accuracy
# after 1500 steps (rank-1 context-dm networks do not always train).
teacher rank1 -model lowrank -rank 1 -seed 2
teacher rank2 -model lowrank -rank 2 -seed 1
teacher full -model leaky -activation tanh -seed 1

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [("rank1", "rank-1 low-rank"), ("rank2", "rank-2 low-rank"), ("full", "full-rank leaky (tanh)")]
print("| teacher (context-dm, N = 64) | task accuracy | init | rank 1 | rank 2 | rank 3 | rank 4 | rank 5 |")
print("|---|---|---|" + "---|" * 5)
for name, label in rows:
    ev = json.load(open(f"{out}/{name}.eval.json"))
    for pre, init in (("fit", "svd"), ("fitr", "random")):
        fit = json.load(open(f"{out}/{pre}-{name}.json"))
        cells = [f"{f['r2']:.4f} ({f['r2_heldout']:.4f})" for f in fit["fits"]]
        print(f"| {label} | {ev['accuracy']:.3f} | {init} | " + " | ".join(cells) + " |")
PY
