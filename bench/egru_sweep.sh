#!/usr/bin/env bash
# egru_sweep.sh: the EGRU sparsity sweep of the README. Time per training
# step (the layer over T steps, a linear readout N→2 at every step, squared
# error, full backward; no optimizer step) of the dense GRU and of the EGRU
# at activities 5, 10, 20, 50 and 100 % (ε = 1, EvNN's default, and ε = 3.6,
# its language-model setting, which makes the backward products sparse too),
# at (N, B, T) = (256, 64, 100), (512, 64, 200), (1024, 32, 100), back to
# back in each round (layers BenchmarkEGRUSweep); PyTorch's torch.nn.GRU
# step (../shared/bench/torch_rnn_bench.py gru_fused, with its Adam step,
# 1 and 2 threads) at the same sizes; and BenchmarkPeakFMA before and after.
# It prints a Markdown table of medians over the rounds and each EGRU
# step's speed-up over our GRU (median of the per-round ratios).
#
# Usage: bash bench/egru_sweep.sh [-rounds R] [-reps n] [-no-torch] [outdir]
#
# The EGRU's thresholds are shifted to each activity on the benchmark's own
# input (layers.EGRU.TuneActivity); the activity and backward sparsity
# reached are in the table. The machine may be shared: compare only numbers
# from one run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=2
reps=5
torch=1
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    -rounds) rounds=$2; shift 2 ;;
    -reps) reps=$2; shift 2 ;;
    -no-torch) torch=0; shift ;;
    -*) echo "usage: bench/egru_sweep.sh [-rounds R] [-reps n] [-no-torch] [outdir]" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-$(mktemp -d)}
mkdir -p "$out"
py=/usr/bin/python3
torch_bench=${TORCH_BENCH:-$root/../shared/bench/torch_rnn_bench.py}

cd "$root"
go test -c -o "$out/layers.test" ./layers
go test -c -o "$out/kernels.test" ./internal/kernels
peak() { "$out/kernels.test" -test.run x -test.bench BenchmarkPeakFMA | awk '/GFLOP/ {print $(NF-1)}'; }

date -u +%Y-%m-%dT%H:%M:%SZ >"$out/date"
uptime >"$out/load_start"
echo "== BenchmarkPeakFMA" >&2
peak >"$out/peak_before"
: >"$out/sweep.txt"
for r in $(seq "$rounds"); do
  echo "== round $r of $rounds: BenchmarkEGRUSweep" >&2
  "$out/layers.test" -test.run x -test.bench BenchmarkEGRUSweep -test.benchtime "${reps}x" | tee -a "$out/sweep.txt" >&2
done
if [ "$torch" = 1 ] && [ -f "$torch_bench" ]; then
  if ! "$py" -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
    echo "== installing Debian's PyTorch" >&2
    apt-get install -y python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread >&2
  fi
  echo "== PyTorch gru_fused" >&2
  (cd "$out" && "$py" "$torch_bench" --models gru_fused --sizes 256x64x100,512x64x200,1024x32x100 \
    --threads 1,2 --min-reps "$reps" --target-s 2 --out "$out/torch.json" >&2)
fi
echo "== BenchmarkPeakFMA" >&2
peak >"$out/peak_after"
uptime >"$out/load_end"

"$py" - "$out" <<'EOF'
import json, os, re, statistics, sys
out = sys.argv[1]
rows = {}
for line in open(os.path.join(out, "sweep.txt")):
    m = re.match(r"BenchmarkEGRUSweep/(N\d+_B\d+_T\d+)/(\S+?)-\d+\s+\d+\s+(\d+) ns/op(.*)", line)
    if not m:
        continue
    size, cfg, ns, rest = m.group(1), m.group(2), int(m.group(3)), m.group(4)
    act = re.search(r"([\d.]+) activity", rest)
    bwd = re.search(r"([\d.]+) bwd-sparsity", rest)
    rows.setdefault((size, cfg), []).append((ns / 1e6, act and float(act.group(1)), bwd and float(bwd.group(1))))
torch = {}
tp = os.path.join(out, "torch.json")
if os.path.exists(tp):
    for r in json.load(open(tp)).get("results", []):
        key = "N%d_B%d_T%d" % (r["N"], r["B"], r["T"])
        torch[key] = min(torch.get(key, float("inf")), r["ms_median"])
peak = lambda f: open(os.path.join(out, f)).read().strip()
print("Run %s; BenchmarkPeakFMA %s GFLOP/s before, %s after (2 cores); %s\n" % (
    open(os.path.join(out, "date")).read().strip(), peak("peak_before"), peak("peak_after"),
    open(os.path.join(out, "load_start")).read().strip()))
print("| N, B, T | model | activity | backward sparsity | ms/step (median) | speed-up vs our GRU | speed-up vs PyTorch GRU |")
print("|---|---|---:|---:|---:|---:|---:|")
sizes = sorted({s for s, _ in rows}, key=lambda s: int(s[1:].split("_")[0]))
for size in sizes:
    gru = [t for t, _, _ in rows.get((size, "gru"), [])]
    n, b, t = re.findall(r"\d+", size)
    label = "%s, %s, %s" % (n, b, t)
    if gru:
        print("| %s | GRU (ours) | 100 %% | 0 | %.1f | 1 | %s |" % (label, statistics.median(gru),
              ("%.2f" % (torch[size] / statistics.median(gru))) if size in torch else "–"))
    if size in torch:
        print("| %s | torch.nn.GRU (best of 1, 2 threads; with Adam) | 100 %% | 0 | %.1f | – | 1 |" % (label, torch[size]))
    cfgs = sorted({c for s, c in rows if s == size and c.startswith("egru")},
                  key=lambda c: (float(re.search(r"eps([\d.]+)", c).group(1)), float(re.search(r"act([\d.]+)", c).group(1))))
    for c in cfgs:
        e = rows[(size, c)]
        ms = statistics.median(x for x, _, _ in e)
        ratios = [g / x for g, (x, _, _) in zip(gru, e)]
        eps = re.search(r"eps([\d.]+)", c).group(1)
        print("| %s | EGRU ε=%s | %.1f %% | %.2f | %.1f | %s | %s |" % (
            label, eps, 100 * statistics.median(a for _, a, _ in e), statistics.median(w for _, _, w in e), ms,
            ("%.2f" % statistics.median(ratios)) if ratios else "–",
            ("%.2f" % (torch[size] / ms)) if size in torch else "–"))
EOF
echo "raw output in $out" >&2
