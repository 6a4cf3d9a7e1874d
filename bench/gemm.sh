#!/usr/bin/env bash
# Compare our float32 GEMM with OpenBLAS on this machine, in one run.
#
#   bash bench/gemm.sh [-count N] [-benchtime D] [-threads 1,2]
#
# 1. go test -bench '^BenchmarkGemm$/f32' ./internal/kernels with GOMAXPROCS = each thread
#    count (-cpu), -count N times;
# 2. ../shared/bench/sgemm_peak.py (numpy and torch on Debian's OpenBLAS), then
#    the same timing routine (imported from sgemm_peak.py) on the shapes it does
#    not cover, NN through numpy and NT through numpy on a transposed view;
# 3. step 1 again, so that a drift in the machine's load hits both sides;
# 4. a table per shape and thread count: ours (median of the 2N go runs),
#    OpenBLAS (median of sgemm_peak.py's batches), and ours/OpenBLAS.
#
# NN is C = A·B; NT is C = A·Bᵀ with B stored n×k (the h·Wᵀ of a recurrent
# step), compared with torch.mm(A, Bᵀ) where sgemm_peak.py measures it.
# The python side needs python3-numpy, python3-threadpoolctl, python3-torch and
# libopenblas0-pthread (installed with apt-get when missing). Set SGEMM_PEAK to
# the script's path if it is not at ../shared/bench relative to the repository.
# Timings on a shared machine are noisy: compare the ratios, not the rates.
set -euo pipefail
cd "$(dirname "$0")/.."

count=3
benchtime=200ms
threads=1,2
while [ $# -gt 0 ]; do
  case "$1" in
    -count) count=$2; shift 2 ;;
    -benchtime) benchtime=$2; shift 2 ;;
    -threads) threads=$2; shift 2 ;;
    *) echo "usage: bench/gemm.sh [-count N] [-benchtime D] [-threads 1,2]" >&2; exit 2 ;;
  esac
done

peak=${SGEMM_PEAK:-}
if [ -z "$peak" ]; then
  for p in ../shared/bench/sgemm_peak.py ../../shared/bench/sgemm_peak.py; do
    if [ -f "$p" ]; then peak=$(cd "$(dirname "$p")" && pwd)/sgemm_peak.py; break; fi
  done
fi
if [ -z "$peak" ] || [ ! -f "$peak" ]; then
  echo "gemm.sh: sgemm_peak.py not found at ../shared/bench; set SGEMM_PEAK" >&2
  exit 1
fi

py=/usr/bin/python3
if ! "$py" -c 'import numpy, threadpoolctl, torch' 2>/dev/null || ! ldconfig -p | grep -q libopenblas.so.0; then
  echo "== installing python3-numpy python3-threadpoolctl python3-torch libopenblas0-pthread"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y python3-numpy python3-threadpoolctl python3-torch libopenblas0-pthread >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

ours() {
  echo "== ours: go test -run '^\$' -bench '^BenchmarkGemm$/f32' -cpu $threads -count $count -benchtime $benchtime ./internal/kernels"
  go test -run '^$' -bench '^BenchmarkGemm$/f32' -cpu "$threads" -count "$count" -benchtime "$benchtime" ./internal/kernels | tee -a "$out/ours.txt"
}
ours

echo "== OpenBLAS: $peak --threads $threads"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$peak" --threads "$threads" --out "$out/peak.json"

# compare.py-style helper, run twice: "extra" times the shapes sgemm_peak.py
# does not cover, "table" prints the comparison.
cat > "$out/compare.py" <<'PY'
import importlib.util, json, re, statistics, sys

peak_path, out, threads, mode = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3].split(",")], sys.argv[4]


def load_ours():
    """BenchmarkGemm/f32/<layout>/<M>x<K>x<N>[-procs] ... <x> GFLOP/s"""
    ours = {}
    for line in open(f"{out}/ours.txt"):
        m = re.match(r"BenchmarkGemm/f32/(NN|NT)/(\d+)x(\d+)x(\d+)(?:-(\d+))?\s.*?([\d.]+) GFLOP/s", line)
        if m:
            lay, M, K, N, procs, g = m.groups()
            ours.setdefault((lay, int(M), int(K), int(N), int(procs or 1)), []).append(float(g))
    return ours


def load_blas():
    """sgemm_peak.py rows: numpy for NN, torch.mm(B^T) for NT."""
    blas = {}
    peak = json.load(open(f"{out}/peak.json"))
    for r in peak["rows"]:
        lay = {"numpy": "NN", "torch.mm(B^T)": "NT"}.get(r["lib"])
        if lay:
            blas[(lay, r["M"], r["K"], r["N"], r["threads"])] = (r["gflops_median"], r["lib"])
    return peak, blas


if mode == "extra":
    import numpy as np, threadpoolctl
    spec = importlib.util.spec_from_file_location("sgemm_peak", peak_path)
    sp = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sp)
    _, blas = load_blas()
    rng = np.random.default_rng(0)
    extra = []
    for nt in threads:
        with threadpoolctl.threadpool_limits(limits=nt):
            for lay, M, K, N, t in sorted(k for k in load_ours() if k[4] == nt and k not in blas):
                a = rng.standard_normal((M, K), dtype=np.float32)
                b = rng.standard_normal((K, N), dtype=np.float32)
                if lay == "NT":
                    b = np.ascontiguousarray(b.T).T  # stored N×K, used as K×N
                c = np.empty((M, N), dtype=np.float32)
                r = sp.time_gemm(lambda: np.matmul(a, b, out=c), 2.0 * M * K * N)
                lib = "numpy" if lay == "NN" else "numpy(B^T)"
                print(f"{lib:14s} thr={nt} ({M}x{K})@({K}x{N}) {r['gflops_median']:7.1f} GFLOP/s", flush=True)
                extra.append(dict(lay=lay, M=M, K=K, N=N, threads=nt, lib=lib, gflops=r["gflops_median"]))
    json.dump(extra, open(f"{out}/extra.json", "w"))
    sys.exit()

ours = load_ours()
peak, blas = load_blas()
for e in json.load(open(f"{out}/extra.json")):
    blas[(e["lay"], e["M"], e["K"], e["N"], e["threads"])] = (e["gflops"], e["lib"])
print()
print(f"date {peak['date_utc']}  cpu {peak['cpu_model_name']}  OpenBLAS {peak['openblas'].get('corename', '?')}")
print("GFLOP/s, float32; ours = median of the go test runs, OpenBLAS = median of sgemm_peak.py's batches")
print()
print("| layout | (M×K)·(K×N) | threads | ours | OpenBLAS | ours/OpenBLAS | OpenBLAS via |")
print("|---|---|---|---|---|---|---|")
for key in sorted(ours, key=lambda k: (k[0], k[4], k[1] * k[2] * k[3], k[1])):
    lay, M, K, N, t = key
    g = statistics.median(ours[key])
    b, lib = blas.get(key, (float("nan"), "-"))
    print(f"| {lay} | ({M}×{K})·({K}×{N}) | {t} | {g:.1f} | {b:.1f} | {g / b:.2f} | {lib} |")
k1, k2 = ("NN", 1024, 1024, 1024, 1), ("NN", 1024, 1024, 1024, 2)
if k1 in ours and k2 in ours:
    o = statistics.median(ours[k2]) / statistics.median(ours[k1])
    b = blas[k2][0] / blas[k1][0] if k1 in blas and k2 in blas else float("nan")
    print()
    print(f"1024³ NN, 2 threads / 1 thread: ours {o:.2f}, OpenBLAS {b:.2f}")
PY

echo "== OpenBLAS on the remaining shapes (timing routine of sgemm_peak.py)"
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$out/compare.py" "$peak" "$out" "$threads" extra
ours
"$py" "$out/compare.py" "$peak" "$out" "$threads" table
