package layers

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// TestGemmColumns checks the column-blocked packed product against Gemm on
// the unpacked operand, for both orientations of B and block widths that
// divide the columns evenly, unevenly and not at all.
func TestGemmColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	const m, k, cols = 5, 40, 100
	randSlice := func(n int) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	a, b := randSlice(m*k), randSlice(k*cols)
	for _, transB := range []bool{false, true} {
		ldb := cols
		if transB {
			ldb = k
		}
		for _, width := range []int{32, 64, 96, cols} {
			var blocks []packedCols[float64]
			packColumns(&blocks, transB, k, cols, b, ldb, width)
			c0 := randSlice(m * cols)
			want := append([]float64(nil), c0...)
			kernels.Gemm(false, transB, m, cols, k, 0.5, a, k, b, ldb, 1, want, cols)
			got := append([]float64(nil), c0...)
			gemmColumns(kernels.DefaultPool(), m, 0.5, a, k, blocks, 1, got, cols)
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("transB=%v width %d: C[%d] = %v, want %v", transB, width, i, got[i], want[i])
				}
			}
		}
	}
}

// TestSerialWidth checks that blocks stay below the parallel threshold and
// are whole panels.
func TestSerialWidth(t *testing.T) {
	if w := serialWidth(false, 32, 256, 768); w != 768 {
		t.Errorf("unsplit: got %d, want all 768 columns", w)
	}
	for _, c := range [][3]int{{32, 256, 768}, {32, 768, 256}, {16, 128, 384}, {3, 32, 96}, {64, 4096, 100}} {
		m, k, cols := c[0], c[1], c[2]
		w := serialWidth(true, m, k, cols)
		if w != cols && (w%32 != 0 || (2*m*w*k >= 1<<22 && w > 32)) {
			t.Errorf("m=%d k=%d cols=%d: width %d is not a panel multiple below 2²² flops", m, k, cols, w)
		}
	}
}
