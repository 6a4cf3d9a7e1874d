#!/usr/bin/env bash
# vs_torch.sh: time one RNN training step with `rnntrain bench` and with the
# PyTorch anchor (../shared/bench/torch_rnn_bench.py) back to back on this
# machine, and print a Markdown table with both times and the ratio
# rnntrain / PyTorch-best per model and size.
#
# Usage: bash bench/vs_torch.sh [outdir]        (outdir default: a fresh temp dir)
#
# Environment:
#   TORCH_BENCH  path of torch_rnn_bench.py (default: shared/bench/torch_rnn_bench.py in the
#                directory that holds the repository's checkout, ../shared/bench/ from its root)
#   SIZES        NxBxT list, comma-separated (default: the five reference sizes)
#   MODELS       rnntrain models, space-separated (default: rnn leaky gru lowrank lif)
#   MIN_REPS     minimum timed steps per configuration, both sides (default 7)
#   TARGET_S     seconds of timed steps the PyTorch side aims for (default 2)
#
# PyTorch runs in the three thread configurations of ../shared/bench/README.md:
#   t1                       1 torch thread, OpenBLAS pool 1
#   t2_passive               2 torch threads, OpenBLAS pool 2, OMP_WAIT_POLICY=PASSIVE
#   t1_blas2_debian_default  1 torch thread, OpenBLAS at its default of 2 threads
# "PyTorch best" is the fastest median of the three. The machine may be shared:
# compare only numbers from one run of this script; the two sides run
# interleaved, size by size.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$(mktemp -d)}
mkdir -p "$out"
torch_bench=${TORCH_BENCH:-$root/../shared/bench/torch_rnn_bench.py}
sizes=${SIZES:-64x32x100,128x32x200,256x64x100,512x64x200,1024x32x100}
models=${MODELS:-rnn leaky gru lowrank lif}
min_reps=${MIN_REPS:-7}
target_s=${TARGET_S:-2}
py=/usr/bin/python3

if [ ! -f "$torch_bench" ]; then
  echo "vs_torch.sh: PyTorch anchor not found at $torch_bench; set TORCH_BENCH" >&2
  exit 1
fi
# Debian's PyTorch links whatever libblas.so.3 the alternatives name; without
# libopenblas0-pthread that is the reference BLAS (~5 GFLOP/s) and every
# ratio would look ten times better than it is.
if ! "$py" -c 'import torch, numpy, threadpoolctl' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "== installing Debian's PyTorch with OpenBLAS (python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread)" >&2
  apt-get install -y python3-torch python3-numpy python3-threadpoolctl libopenblas0-pthread >&2
fi
blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || true)
echo "$blas" >"$out/blas"

echo "== building rnntrain" >&2
(cd "$root" && go build -o "$out/rnntrain" ./cmd/rnntrain)

date -u +%Y-%m-%dT%H:%M:%SZ >"$out/date"
echo "== FMA peak (BenchmarkPeakFMA)" >&2
(cd "$root" && go test -run '^$' -bench BenchmarkPeakFMA ./internal/kernels) >"$out/peak.txt" 2>&1 || true
uptime >"$out/load_start"

# Interleave the two sides size by size, so that both see the same load on a
# shared machine: rnntrain for every model at one size, then PyTorch's three
# thread configurations for the same size.
: >"$out/rnntrain.jsonl"
torch_models=()
ours=()
for m in $models; do
  case $m in
    rnn) tm=rnn_fused ;;
    leaky) tm=leaky_loop ;;
    gru) tm=gru_fused ;;
    lowrank) tm=lowrank_loop ;;
    lif) tm=lif_loop ;;
    *) echo "vs_torch.sh: unknown model $m" >&2; exit 2 ;;
  esac
  if "$out/rnntrain" bench -model "$m" -hidden 8 -batch 2 -seqlen 2 -reps 1 -warmup 0 >/dev/null 2>"$out/rnntrain.err"; then
    ours+=("$m")
    torch_models+=("$tm")
  else
    echo "   $m: $(cat "$out/rnntrain.err"); skipped" >&2
  fi
done
if [ ${#ours[@]} = 0 ]; then
  echo "vs_torch.sh: no rnntrain model ran" >&2
  exit 1
fi
# The anchor first checks that PyTorch's GEMM runs at BLAS speed (≥ 20
# GFLOP/s on one thread) and exits otherwise; on a loaded machine that check
# can fail for a few seconds, so a failed anchor run is tried again (three
# times, 20 s apart) before the script gives up.
torch_run() {
  local try
  for try in 1 2 3; do
    if "$@"; then
      return 0
    fi
    echo "   the anchor failed (try $try of 3)" >&2
    [ "$try" = 3 ] || sleep 20
  done
  return 1
}
omodels=$(IFS=,; echo "${ours[*]}")
tmodels=$(IFS=,; echo "${torch_models[*]}")
append=()
for s in ${sizes//,/ }; do
  IFS=x read -r n b t <<<"$s"
  echo "== $s: rnntrain ($omodels)" >&2
  "$out/rnntrain" bench -json -model "$omodels" -hidden "$n" -batch "$b" -seqlen "$t" -reps "$min_reps" >>"$out/rnntrain.jsonl"
  echo "== $s: PyTorch ($tmodels)" >&2
  common=(--models "$tmodels" --sizes "$s" --min-reps "$min_reps" --target-s "$target_s" --out "$out/torch.json")
  torch_run "$py" "$torch_bench" "${common[@]}" --threads 1 --label t1 "${append[@]}" >&2
  append=(--append)
  torch_run env OMP_WAIT_POLICY=PASSIVE "$py" "$torch_bench" "${common[@]}" --threads 2 --label t2_passive --append >&2
  torch_run "$py" "$torch_bench" "${common[@]}" --threads 1 --blas-threads unlimited --label t1_blas2_debian_default --append >&2
done
uptime >"$out/load_end"

"$py" - "$out" <<'EOF'
import json, sys, os
out = sys.argv[1]
ours = [json.loads(l) for l in open(os.path.join(out, "rnntrain.jsonl")) if l.strip()]
torch = json.load(open(os.path.join(out, "torch.json")))["results"]
tname = {"rnn": "rnn_fused", "leaky": "leaky_loop", "gru": "gru_fused", "lowrank": "lowrank_loop", "lif": "lif_loop"}
labels = ["t1", "t2_passive", "t1_blas2_debian_default"]
date = open(os.path.join(out, "date")).read().strip()
load = open(os.path.join(out, "load_start")).read().split("load average:")[1].strip()
blas = open(os.path.join(out, "blas")).read().strip() or "(unknown)"
tp = [x for x in torch if "blas_threads" in x]
peak = [l.strip() for l in open(os.path.join(out, "peak.txt")) if "PeakFMA" in l and "ns/op" in l]
print(f"rnntrain bench vs PyTorch, run {date}, load average at start {load}")
print(f"PyTorch's BLAS: libblas.so.3 -> {blas}")
for l in peak:
    print(f"FMA peak: {l}")
print()
print("| model | N | B | T | rnntrain ms median (min–max) | allocs/step | PyTorch t1 | t2_passive | t1_blas2 | PyTorch best | ratio | target | ratio of minima |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
worst = {}
for r in ours:
    rows = {x["label"]: x for x in torch if x["model"] == tname[r["model"]] and (x["N"], x["B"], x["T"]) == (r["hidden"], r["batch"], r["seqlen"])}
    meds = {l: rows[l]["ms_median"] for l in labels if l in rows}
    if not meds:
        continue
    best = min(meds.values())
    best_min = min(rows[l]["ms_min"] for l in labels if l in rows)
    ratio = r["ms_median"] / best
    # The goals of the issues: the spiking LIF at most 0.25x at every size;
    # the rate models at most 0.5x up to N = 256 (and the low-rank net at
    # every size), below 1x above.
    if r["model"] == "lif":
        target = 0.25
    else:
        target = 0.5 if (r["hidden"] <= 256 or r["model"] == "lowrank") else 1.0
    ok = ratio <= target if target < 1 else ratio < 1
    cells = " | ".join(f"{meds[l]:.1f}" if l in meds else "–" for l in labels)
    print(f"| {r['model']} | {r['hidden']} | {r['batch']} | {r['seqlen']} | {r['ms_median']:.2f} ({r['ms_min']:.2f}–{r['ms_max']:.2f}) | "
          f"{r['allocs_per_step']:.2f} | {cells} | {best:.1f} | **{ratio:.2f}×** | {'≤' if target < 1 else '<'}{target:g}× {'met' if ok else 'missed'} | {r['ms_min'] / best_min:.2f}× |")
print()
print(f"GOMAXPROCS {ours[0]['gomaxprocs']}; float32; ratio = rnntrain median / fastest PyTorch median; ratio of minima = "
      "rnntrain min / fastest PyTorch min (less sensitive to a loaded machine). Sides interleaved size by size.")
EOF
echo "(raw results in $out)" >&2
