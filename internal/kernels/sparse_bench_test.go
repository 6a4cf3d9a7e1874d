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
			y := make([]float32, rows*n)
			ptr := []int32{0}
			var idx []int32
			var vals []float32
			for i := range rows {
				for j := range n {
					if rng.Float64() < act {
						v := float32(rng.NormFloat64())
						y[i*n+j] = v
						idx, vals = append(idx, int32(j)), append(vals, v)
					}
				}
				ptr = append(ptr, int32(len(idx)))
			}
			dst := make([]float32, rows*cols)
			flops := float64(2 * len(idx) * cols)
			run := func(name string, f func()) {
				b.Run(fmt.Sprintf("N%d/act%g/%s", n, act, name), func(b *testing.B) {
					for b.Loop() {
						f()
					}
					b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
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
