package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSparseGatherPanels compares, at the EGRU's forward product of
// one batch half (32 rows at N = 512, 16 at N = 1024, as in the sweep)
// with a third of the units active at 3·act (a union of about 1.7 times
// the active places at act = 0.2), the panel gather (SparseGatherPanels)
// with the GEMM over the union of the active units that copies their rows
// of W first, as the layer does (the name gives the union's size over the
// active places). GFLOP/s counts only the FMAs of the active places.
func BenchmarkSparseGatherPanels(b *testing.B) {
	for _, sz := range [][2]int{{512, 32}, {1024, 16}} {
		n, rows := sz[0], sz[1]
		for _, act := range []float64{0.05, 0.1, 0.2} {
			rng := rand.New(rand.NewPCG(1, 1))
			cols := 3 * n
			w := randSlice(rng, n*cols)
			y, ptr, idx, vals := sparseBatch(rng, rows, n, act, 3)
			var union []int32
			for j := range n {
				for i := range rows {
					if y[i*n+j] != 0 {
						union = append(union, int32(j))
						break
					}
				}
			}
			u := len(union)
			a, wu := make([]float32, rows*u), make([]float32, u*cols)
			for i := range rows {
				for q, j := range union {
					a[i*u+q] = y[i*n+int(j)]
				}
			}
			var gp GatherPanels
			PackGatherPanels(&gp, false, n, cols, w, cols)
			dst := make([]float32, rows*cols)
			flops := float64(2 * len(idx) * cols)
			run := func(name string, f func()) {
				benchFlops(b, fmt.Sprintf("N%d/act%g/union%.1fx/%s", n, act, float64(u*rows)/float64(len(idx)), name), flops, f)
			}
			run("panels", func() { SparseGatherPanels(dst, cols, 0, cols, false, &gp, ptr, idx, vals) })
			run("union-gemm", func() {
				for q, j := range union {
					copy(wu[q*cols:(q+1)*cols], w[int(j)*cols:(int(j)+1)*cols])
				}
				GemmOn(nil, false, false, rows, cols, u, 1, a, u, wu, cols, 0, dst, cols)
			})
		}
	}
}

// BenchmarkGatherSegments times the EGRU's recurrent-weight gradient
// gathers (one core's half of the 3N columns, N units, T·B = 12 800 rows at
// N = 512 and 3200 at N = 1024, a third of the units active at 3·act) in
// segments of 128, 512 and 2048 rows: per segment, SparseGatherPanels
// accumulates every unit's listed rows of the segment's panels (packed
// before timing).
func BenchmarkGatherSegments(b *testing.B) {
	for _, sz := range [][2]int{{512, 12800}, {1024, 3200}} {
		n, total := sz[0], sz[1]
		cols := 3 * n / 2
		for _, segRows := range []int{128, 512, 2048} {
			for _, act := range []float64{0.05, 0.2} {
				rng := rand.New(rand.NewPCG(1, 1))
				nseg := total / segRows
				ws, ptrs := make([]GatherPanels, nseg), make([][]int32, nseg)
				var idx []int32
				var vals []float32
				for s := range nseg {
					PackGatherPanels(&ws[s], false, segRows, cols, randSlice(rng, segRows*cols), cols)
					_, p, i, v := sparseBatch(rng, n, segRows, act, 1) // unit j's rows of the segment
					for k := range p {
						p[k] += int32(len(idx))
					}
					ptrs[s], idx, vals = p, append(idx, i...), append(vals, v...)
				}
				dst := make([]float32, n*cols)
				benchFlops(b, fmt.Sprintf("N%d/rows%d/act%g", n, segRows, act), float64(2*len(idx)*cols), func() {
					for s := range nseg {
						SparseGatherPanels(dst, cols, 0, cols, true, &ws[s], ptrs[s], idx, vals)
					}
				})
			}
		}
	}
}
