package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSparseGather compares, at the EGRU's recurrent product of N
// units and a batch of 64 rows with a fraction act of units active per row,
// the blocked batch gather (SparseGatherRows), the row-by-row gather
// (SparseGather per row) and the dense GEMM of the same product; GFLOP/s
// counts only the FMAs of the active units, so the dense figure is its
// speed times act.
func BenchmarkSparseGather(b *testing.B) {
	for _, n := range []int{512, 1024} {
		for _, act := range []float64{0.1, 0.2} {
			rng := rand.New(rand.NewPCG(1, 1))
			const rows = 64
			cols := 3 * n
			w := randSlice(rng, n*cols)
			y, ptr, idx, vals := sparseBatch(rng, rows, n, act, 1)
			dst := make([]float32, rows*cols)
			flops := float64(2 * len(idx) * cols)
			run := func(name string, f func()) { benchFlops(b, fmt.Sprintf("N%d/act%g/%s", n, act, name), flops, f) }
			run("rows", func() { SparseGatherRows(dst, cols, 0, cols, false, w, cols, ptr, idx, vals) })
			run("per-row", func() {
				for i := range rows {
					SparseGather(dst[i*cols:(i+1)*cols], false, w, cols, idx[ptr[i]:ptr[i+1]], vals[ptr[i]:ptr[i+1]])
				}
			})
			run("gemm", func() { GemmOn(nil, false, false, rows, cols, n, 1, y, n, w, cols, 0, dst, cols) })
		}
	}
}

// benchFlops runs f as sub-benchmark name and reports flops per call as
// GFLOP/s.
func benchFlops(b *testing.B, name string, flops float64, f func()) {
	b.Run(name, func(b *testing.B) {
		for b.Loop() {
			f()
		}
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// sparseBatch draws a batch of rows rows of n units in which the units j
// with j%stride = 0 are active with probability stride·act, with standard
// normal values: dense (y) and in compressed-row form (ptr, idx, vals).
func sparseBatch(rng *rand.Rand, rows, n int, act float64, stride int) (y []float32, ptr, idx []int32, vals []float32) {
	y, ptr = make([]float32, rows*n), []int32{0}
	for i := range rows {
		for j := 0; j < n; j += stride {
			if rng.Float64() < float64(stride)*act {
				v := float32(rng.NormFloat64())
				y[i*n+j] = v
				idx, vals = append(idx, int32(j)), append(vals, v)
			}
		}
		ptr = append(ptr, int32(len(idx)))
	}
	return y, ptr, idx, vals
}

// BenchmarkSumStripRows times SumStripRows as the LIF's forward pass uses
// it: the recurrent input of one step for half a batch (32 sequences) at
// 20 % activity, the rows of W_effᵀ [N×N] packed in strips, and reports
// the time per added row of 64 columns.
func BenchmarkSumStripRows(b *testing.B) {
	for _, n := range []int{256, 512, 1024} {
		rng := rand.New(rand.NewPCG(1, 2))
		const lists, act = 32, 0.2
		packed, dst := make([]float32, n*n), make([]float32, lists*n)
		for i := range packed {
			packed[i] = float32(rng.NormFloat64())
		}
		idx, cnt := make([]int32, lists*n), make([]int32, lists)
		s := make([]float32, n)
		total := 0
		for r := range cnt {
			for j := range s {
				s[j] = 0
				if rng.Float64() < act {
					s[j] = 1
				}
			}
			cnt[r] = int32(SpikeIndices(idx[r*n:(r+1)*n], s))
			total += int(cnt[r])
		}
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				SumStripRows(dst, n, packed, n, n, idx, n, cnt)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(total*n/SpikeStrip), "ns/row")
		})
	}
}
