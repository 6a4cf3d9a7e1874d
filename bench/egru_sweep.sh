#!/usr/bin/env bash
# egru_sweep.sh: the EGRU sparsity sweep of docs/egru.md. Time per training
# step (the layer over T steps, a linear readout N→2 at every step, squared
# error, full backward; no optimizer step) of our dense GRU and of the EGRU
# at activities 5, 10, 20, 50 and 100 % (ε = 1, EvNN's default, and ε = 3.6,
# its language-model setting), at (N, B, T) = (256, 64, 100), (512, 64, 200),
# (1024, 32, 100), with bench/egrusweep: the configurations of one size run
# interleaved, one step each in turn, and each is scored by its least time
# over the repetitions (a shared machine's load changes within seconds).
# Beside them: PyTorch's torch.nn.GRU step (../shared/bench/torch_rnn_bench.py
# gru_fused, with its Adam step; least time, best of 1 and 2 threads) at the same
# sizes, and BenchmarkPeakFMA. The whole is repeated -rounds times, ours and
# PyTorch's back to back in each round, BenchmarkPeakFMA before every round
# and after the last; every figure is the least over all rounds. It prints a
# Markdown table.
#
# Usage: bash bench/egru_sweep.sh [-reps n] [-rounds r] [-sizes NxBxT,...] [-acts a,...] [-eps e,...] [-no-torch] [outdir]
#
# The EGRU's thresholds are shifted to each activity on the benchmark's own
# input (layers.EGRU.TuneActivity); the activity and backward sparsity
# reached are in the table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reps=7
rounds=1
sizes=256x64x100,512x64x200,1024x32x100
acts=0.05,0.1,0.2,0.5,1
eps=1,3.6
torch=1
out=""
usage="usage: bench/egru_sweep.sh [-reps n] [-rounds r] [-sizes NxBxT,...] [-acts a,...] [-eps e,...] [-no-torch] [outdir]"
while [ $# -gt 0 ]; do
  case "$1" in
    -reps|-rounds|-sizes|-acts|-eps)
      [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
      case "$1" in -reps) reps=$2 ;; -rounds) rounds=$2 ;; -sizes) sizes=$2 ;; -acts) acts=$2 ;; -eps) eps=$2 ;; esac
      shift 2 ;;
    -no-torch) torch=0; shift ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out=${out:-$(mktemp -d)}
mkdir -p "$out"
py=/usr/bin/python3
torch_bench=${TORCH_BENCH:-$root/../shared/bench/torch_rnn_bench.py}

cd "$root"
go build -o "$out/egrusweep" ./bench/egrusweep
go test -c -o "$out/kernels.test" ./internal/kernels
peak() { "$out/kernels.test" -test.run x -test.bench BenchmarkPeakFMA | awk '/GFLOP/ {print $(NF-1)}'; }

date -u +%Y-%m-%dT%H:%M:%SZ >"$out/date"
uptime >"$out/load_start"
if [ "$torch" = 1 ] && [ -f "$torch_bench" ] && ! "$py" -c 'import torch, numpy, threadpoolctl' 2>/dev/null; then
  echo "== installing Debian's PyTorch" >&2
  apt-get install -y python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread >&2
fi
: >"$out/sweep.jsonl"
: >"$out/peaks"
: >"$out/loads"
rm -f "$out/torch.json"
for r in $(seq 1 "$rounds"); do
  echo "== round $r: BenchmarkPeakFMA" >&2
  peak >>"$out/peaks"
  uptime >>"$out/loads"
  echo "== round $r: bench/egrusweep" >&2
  "$out/egrusweep" -reps "$reps" -sizes "$sizes" -acts "$acts" -eps "$eps" | tee -a "$out/sweep.jsonl" >&2
  if [ "$torch" = 1 ] && [ -f "$torch_bench" ]; then
    echo "== round $r: PyTorch gru_fused" >&2
    (cd "$out" && "$py" "$torch_bench" --models gru_fused --sizes "$sizes" --threads 1,2 --min-reps "$reps" \
      --target-s 2 --append --out "$out/torch.json" >&2) ||
      echo "== the PyTorch anchor did not run (see above)" >&2
  fi
done
echo "== BenchmarkPeakFMA" >&2
peak >>"$out/peaks"
uptime >>"$out/loads"

"$py" - "$out" <<'EOF'
import json, os, statistics, sys
out = sys.argv[1]
rows = []
for l in open(os.path.join(out, "sweep.jsonl")):
    if not l.strip():
        continue
    r = json.loads(l)
    k = (r["N"], r["B"], r["T"], r["Model"], r.get("Eps"), round(r["Activity"], 4))
    old = next((o for o in rows if (o["N"], o["B"], o["T"], o["Model"], o.get("Eps"), round(o["Activity"], 4)) == k), None)
    if old is None:
        r["Medians"] = [r["MsMedian"]]
        rows.append(r)
    else:  # another round: the least time over all rounds, the median of the rounds' medians
        old["MsMin"] = min(old["MsMin"], r["MsMin"])
        old["Medians"].append(r["MsMedian"])
for r in rows:
    r["MsMedian"] = statistics.median(r["Medians"])
torch = {}
tp = os.path.join(out, "torch.json")
if os.path.exists(tp):
    for r in json.load(open(tp)).get("results", []):
        key = (r["N"], r["B"], r["T"])
        torch[key] = min(torch.get(key, float("inf")), r["ms_min"])
peaks = open(os.path.join(out, "peaks")).read().split()
loads = [l.split("load average:")[-1].strip() for l in open(os.path.join(out, "loads")) if l.strip()]
print("Run %s; BenchmarkPeakFMA (GFLOP/s, 2 cores) before each round and after the last: %s; load averages then: %s\n" % (
    open(os.path.join(out, "date")).read().strip(), ", ".join(peaks), "; ".join(loads)))
print("| N, B, T | model | activity | backward sparsity | ms/step (least) | ms/step (median) | speed-up vs our GRU (least) | vs PyTorch GRU |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for key in sorted({(r["N"], r["B"], r["T"]) for r in rows}):
    group = [r for r in rows if (r["N"], r["B"], r["T"]) == key]
    gru = next(r for r in group if r["Model"] == "gru")
    label = "%d, %d, %d" % key
    vt = lambda ms: ("%.2f" % (torch[key] / ms)) if key in torch else "–"
    print("| %s | GRU (ours) | 100 %% | 0 | %.1f | %.1f | 1 | %s |" % (label, gru["MsMin"], gru["MsMedian"], vt(gru["MsMin"])))
    if key in torch:
        print("| %s | torch.nn.GRU (least, best of 1 and 2 threads; with Adam) | 100 %% | 0 | %.1f | – | %.2f | 1 |" % (label, torch[key], gru["MsMin"] / torch[key]))
    for r in group:
        if r["Model"] != "egru":
            continue
        print("| %s | EGRU ε=%g | %.1f %% | %.2f | %.1f | %.1f | %.2f | %s |" % (
            label, r["Eps"], 100 * r["Activity"], r["BackwardSparsity"], r["MsMin"], r["MsMedian"],
            gru["MsMin"] / r["MsMin"], vt(r["MsMin"])))
EOF
echo "raw output in $out" >&2
