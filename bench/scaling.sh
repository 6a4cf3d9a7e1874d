#!/usr/bin/env bash
# Two-core scaling of the float32 GEMM at 1024³, measured in alternating rounds.
#
#   bash bench/scaling.sh [-rounds R] [-calls C]
#
# Each round runs, back to back within a few seconds:
#   ours 1 core, ours 2 cores      go test -bench 'BenchmarkGemm$/f32/NN/1024x1024x1024' -cpu 1, then 2
#   peak 1 core, peak 2 cores      BenchmarkPeakFMA (register-only FMA loop) -cpu 1, then 2
#   OpenBLAS 1 and 2 threads       numpy.matmul under threadpoolctl
# and prints the rates and the round's ratios. A summary gives the medians over
# rounds of each rate and of each per-round ratio, and the same ratios over the
# rounds where the FMA peak itself doubled (both cores free). Pairing the 1- and 2-core
# runs of a round makes the ratio robust to the slow drifts of a shared
# machine's speed, which move single runs by up to 2×; the FMA peak shows what
# the machine allowed in that round.
# The python side needs python3-numpy, python3-threadpoolctl and
# libopenblas0-pthread (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=15
calls=10
while [ $# -gt 0 ]; do
  case "$1" in
    -rounds) rounds=$2; shift 2 ;;
    -calls) calls=$2; shift 2 ;;
    *) echo "usage: bench/scaling.sh [-rounds R] [-calls C]" >&2; exit 2 ;;
  esac
done

py=/usr/bin/python3
if ! "$py" -c 'import numpy, threadpoolctl' 2>/dev/null || ! ldconfig -p | grep -q libopenblas.so.0; then
  echo "== installing python3-numpy python3-threadpoolctl libopenblas0-pthread"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y python3-numpy python3-threadpoolctl libopenblas0-pthread >/dev/null
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go test -c -o "$out/kernels.test" ./internal/kernels

cat > "$out/blas.py" <<'PY'
import sys, time
import numpy as np
import threadpoolctl

calls = int(sys.argv[1])
n = 1024
rng = np.random.default_rng(1)
a = rng.standard_normal((n, n), dtype=np.float32)
b = rng.standard_normal((n, n), dtype=np.float32)
c = np.empty((n, n), dtype=np.float32)
rates = []
for threads in (1, 2):
    with threadpoolctl.threadpool_limits(limits=threads, user_api="blas"):
        np.matmul(a, b, out=c)
        t0 = time.perf_counter()
        for _ in range(calls):
            np.matmul(a, b, out=c)
        rates.append(2 * n**3 * calls / (time.perf_counter() - t0) / 1e9)
print(" ".join(f"{r:.1f}" for r in rates))
PY

rate() { # bench-regexp cpu benchtime
  "$out/kernels.test" -test.run '^$' -test.bench "$1" -test.cpu "$2" -test.benchtime "$3" |
    awk '/GFLOP\/s/ { for (i = 1; i < NF; i++) if ($(i+1) == "GFLOP/s") print $i }'
}

printf '%-6s %9s %9s %7s | %9s %9s %7s | %9s %9s %7s\n' round ours1 ours2 ratio peak1 peak2 ratio blas1 blas2 ratio
for r in $(seq 1 "$rounds"); do
  o1=$(rate 'BenchmarkGemm$/f32/NN/1024x1024x1024' 1 "${calls}x")
  o2=$(rate 'BenchmarkGemm$/f32/NN/1024x1024x1024' 2 "${calls}x")
  p1=$(rate 'BenchmarkPeakFMA' 1 400x)
  p2=$(rate 'BenchmarkPeakFMA' 2 400x)
  read -r b1 b2 < <(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$out/blas.py" "$calls")
  echo "$r $o1 $o2 $p1 $p2 $b1 $b2" >> "$out/rounds.txt"
  awk '{ printf "%-6s %9.1f %9.1f %7.2f | %9.1f %9.1f %7.2f | %9.1f %9.1f %7.2f\n", $1, $2, $3, $3/$2, $4, $5, $5/$4, $6, $7, $7/$6 }' <(tail -1 "$out/rounds.txt")
done

"$py" - "$out/rounds.txt" <<'PY'
import statistics, sys
rows = [list(map(float, l.split()[1:])) for l in open(sys.argv[1])]
med = lambda xs: statistics.median(xs)
col = lambda i: [r[i] for r in rows]
ratio = lambda i, j: [r[j] / r[i] for r in rows]
print(f"\nmedians over {len(rows)} rounds (GFLOP/s, float32, 1024³):")
print(f"  ours      1 core {med(col(0)):6.1f}   2 cores {med(col(1)):6.1f}   per-round 2/1 ratio {med(ratio(0, 1)):.2f}")
print(f"  FMA peak  1 core {med(col(2)):6.1f}   2 cores {med(col(3)):6.1f}   per-round 2/1 ratio {med(ratio(2, 3)):.2f}")
print(f"  OpenBLAS  1 thr  {med(col(4)):6.1f}   2 thr   {med(col(5)):6.1f}   per-round 2/1 ratio {med(ratio(4, 5)):.2f}")
print(f"  ours/OpenBLAS: 1 core {med([r[0] / r[4] for r in rows]):.2f}, 2 cores {med([r[1] / r[5] for r in rows]):.2f}")
print(f"  ours/peak:     1 core {med([r[0] / r[2] for r in rows]):.2f}, 2 cores {med([r[1] / r[3] for r in rows]):.2f}")
# A shared machine often lends the second core to someone else: the FMA
# peak, which needs nothing but the cores, then scales far below 2. Rounds
# where it scaled by at least 1.8 are those where two cores were there to use.
free = [r for r in rows if r[3] / r[2] >= 1.8]
print(f"\nrounds where the FMA peak scaled by >= 1.8 (both cores free): {len(free)} of {len(rows)}")
if free:
    print(f"  ours      per-round 2/1 ratio {med([r[1] / r[0] for r in free]):.2f} (rounds: {', '.join(f'{r[1] / r[0]:.2f}' for r in free)})")
    print(f"  OpenBLAS  per-round 2/1 ratio {med([r[5] / r[4] for r in free]):.2f} (rounds: {', '.join(f'{r[5] / r[4]:.2f}' for r in free)})")
    print(f"  FMA peak  per-round 2/1 ratio {med([r[3] / r[2] for r in free]):.2f}")
PY
