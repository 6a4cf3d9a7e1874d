#!/usr/bin/env bash
# Trains a 64-unit leaky tanh RNN on the 3-bit flip-flop (Sussillo & Barak 2013) and
# finds its fixed points with `rnntrain fixedpoints`: 8 stable points, one
# per memory (a corner of the output cube), with saddles between them.
# Prints the fixed-point search's wall time, the classes, and each stable
# point's output. Training takes some minutes on a loaded two-core machine.
# Usage: scripts/fixedpoints-flipflop.sh [directory]   (default runs/fixedpoints-flipflop)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/fixedpoints-flipflop}
mkdir -p "$out"
bin="$out/rnntrain"
go build -o "$bin" ./cmd/rnntrain
uptime
if [ ! -f "$out/leaky/checkpoint.safetensors" ]; then
  nice -n 10 "$bin" train -config scripts/fixedpoints-flipflop.toml -model leaky -activation tanh -hidden 64 \
    -steps 2500 -batch 64 -lr 0.005 -noise 0.05 -eval-every 500 -seed 3 -quiet -out "$out/leaky"
fi
uptime
start=$(date +%s.%N)
nice -n 10 "$bin" fixedpoints -checkpoint "$out/leaky" -n-init 256 -noise 0.1 -max-iters 1000 -seed 1 -out "$out/fixedpoints" | sed -n 1,4p
echo "fixedpoints wall time (process, with loading, trials and plot): $(echo "$(date +%s.%N) - $start" | bc) s"
uptime
/usr/bin/python3 - "$out/fixedpoints/fixedpoints.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("search %.2f s (%d Adam iterations + polish), classes %s" % (d["run"]["seconds"], d["iters"], d["classes"]))
corners = set()
for p in d["points"]:
    if p["class"] == "stable":
        out = p["output"]
        corners.add(tuple(1 if v > 0 else -1 for v in out))
        print("stable  q %.1e  |λ1| %.3f  output %s" % (p["q"], abs(complex(*p["slowest_eigenvalues"][0])), " ".join("%+.2f" % v for v in out)))
print("distinct output corners of the stable points: %d of 8" % len(corners))
PY
