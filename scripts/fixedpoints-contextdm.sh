#!/usr/bin/env bash
# Trains a 64-unit leaky tanh RNN on context-dm (Mante et al. 2013; the
# Dubreuil preset), checks it on held-out trials, then finds its slow points
# under each context's input (context cue on, sensory input off) with
# `rnntrain fixedpoints`, and prints, per context, how the slow points lie
# on a line (variance along their first principal component, its |cos| with
# the slow mode) and the |cos| of the slow mode's left eigenvector (the
# selection vector) and right eigenvector (the line) with the relevant and
# the irrelevant input direction ∂F/∂u.
# Usage: scripts/fixedpoints-contextdm.sh [directory]   (default runs/fixedpoints-contextdm)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/fixedpoints-contextdm}
mkdir -p "$out"
bin="$out/rnntrain"
go build -o "$bin" ./cmd/rnntrain
uptime
if [ ! -f "$out/leaky/checkpoint.safetensors" ]; then
  nice -n 10 "$bin" train -task context-dm -model leaky -hidden 64 -activation tanh -steps 4000 -batch 64 \
    -lr 0.003 -eval-every 250 -seed 1 -quiet -out "$out/leaky"
fi
"$bin" eval -checkpoint "$out/leaky" -trials 1000 | sed -n 1,3p
for c in 1 2; do
  nice -n 10 "$bin" fixedpoints -checkpoint "$out/leaky" -input context=$c -n-init 512 -max-iters 1000 -polish 3 \
    -max-q 1e-5 -tol-marginal 0.03 -seed 1 -out "$out/fixedpoints-context$c" | sed -n 1,3p
done
uptime
/usr/bin/python3 - "$out" <<'PY'
import json, sys
for c in (1, 2):
    d = json.load(open("%s/fixedpoints-context%d/fixedpoints.json" % (sys.argv[1], c)))
    rel, irr = (0, 1) if c == 1 else (1, 0)  # modality 1 is relevant in context 1
    l = d["line"]
    slow = [complex(*p["slow_eigenvalue"]) for p in d["points"]]
    print("context %d: %d slow points (q < %g) in %.1f s, classes %s, slow eigenvalue %.3f … %.3f" % (
        c, len(d["points"]), d["run"]["options"]["max_q"], d["run"]["seconds"], d["classes"],
        min(abs(s) for s in slow), max(abs(s) for s in slow)))
    print("  line: %.1f %% of the variance on PC1, |cos(PC1, slow mode)| = %.2f" % (100 * l["pc1_variance"], l["slow_mode_cos"]))
    print("  |cos| with the relevant / irrelevant input: left eigenvector %.2f / %.2f, right eigenvector %.2f / %.2f" % (
        l["input_cos_left"][rel], l["input_cos_left"][irr], l["input_cos_right"][rel], l["input_cos_right"][irr]))
PY
