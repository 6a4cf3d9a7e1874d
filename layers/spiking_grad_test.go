package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/internal/kernels"
)

// spikeGradInputs returns dP and binary spikes s, [rows×n] each, with the
// given share of spikes, and a target holding random values.
func spikeGradInputs(rng *rand.Rand, rows, n int, act float64) (dP, s, tgt []float32) {
	dP, s, tgt = make([]float32, rows*n), make([]float32, rows*n), make([]float32, n*n)
	for k := range dP {
		dP[k] = float32(rng.NormFloat64())
		if rng.Float64() < act {
			s[k] = 1
		}
	}
	for k := range tgt {
		tgt[k] = float32(rng.NormFloat64())
	}
	return dP, s, tgt
}

// TestSpikeWeightGrad checks the weight gradient from spikes (row sums of
// dP per unit, or dense blocks) against the reference GEMM, at activities
// that take the sparse path, the dense one and both, with row counts that
// leave a partial block and an odd number of units.
func TestSpikeWeightGrad(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(8, 8))
	var g spikeWeightGrad[float32]
	for _, c := range []struct {
		rows, n int
		act     float64
	}{{150, 33, 0.05}, {64, 16, 0.6}, {200, 40, 0.3}, {7, 5, 0.2}, {130, 1, 0.5}, {300, 64, 0.2}, {257, 128, 0.1}} {
		dP, s, tgt := spikeGradInputs(rng, c.rows, c.n, c.act)
		want := append([]float32(nil), tgt...)
		kernels.GemmRef(true, false, c.n, c.n, c.rows, 1, dP, c.n, s, c.n, 1, want, c.n)
		packed := append([]float32(nil), tgt...)
		g.accumulate(dP, s, tgt, c.n, nil, nil)
		for k := range want {
			if d := math.Abs(float64(tgt[k] - want[k])); d > 1e-4*(1+math.Abs(float64(want[k]))) {
				t.Fatalf("rows=%d n=%d act=%g: dW[%d] = %v, want %v", c.rows, c.n, c.act, k, tgt[k], want[k])
			}
		}
		if c.n%kernels.SpikeStrip != 0 {
			continue
		}
		// dP already in the blocks' strips: the same bits.
		strips := make([]float32, len(dP))
		kernels.PackStripBlocks(strips, dP, 0, c.rows, c.n, gradRows)
		g.accumulate(dP, s, packed, c.n, strips, nil)
		for k := range tgt {
			if packed[k] != tgt[k] {
				t.Fatalf("rows=%d n=%d act=%g: dW[%d] = %v from packed strips, %v from dP", c.rows, c.n, c.act, k, packed[k], tgt[k])
			}
		}
	}
}

// BenchmarkSpikeWeightGrad times the W_rec gradient of one LIF training
// step at the reference sizes (T·B rows) and several activities: the dense
// GEMM against the row sums from spikes. gradFraction is where they cross.
func BenchmarkSpikeWeightGrad(b *testing.B) {
	for _, sz := range [][2]int{{256, 6400}, {512, 12800}, {1024, 3200}} {
		n, rows := sz[0], sz[1]
		for _, act := range []float64{0.05, 0.1, 0.2, 0.3} {
			rng := rand.New(rand.NewPCG(1, uint64(n)))
			dP, s, tgt := spikeGradInputs(rng, rows, n, act)
			b.Run(fmt.Sprintf("N=%d/act=%g/dense", n, act), func(b *testing.B) {
				for b.Loop() {
					kernels.Gemm(true, false, n, n, rows, 1, dP, n, s, n, 1, tgt, n)
				}
			})
			var g spikeWeightGrad[float32]
			b.Run(fmt.Sprintf("N=%d/act=%g/spikes", n, act), func(b *testing.B) {
				for b.Loop() {
					g.accumulate(dP, s, tgt, n, nil, nil)
				}
			})
		}
	}
}
