package autodiff_test

import (
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
)

// BenchmarkElementwise times the forward and backward of a gate-like
// element-wise chain, σ(a + bias) ⊙ tanh(a), on a [64·20, 256] float32
// tensor (20 time steps of a 64-trial batch): no GEMM, only the loops.
func BenchmarkElementwise(b *testing.B) {
	const rows, cols = 64 * 20, 256
	p := ad.NewParam[float32]("a", rows, cols)
	bias := ad.NewParam[float32]("bias", 1, cols)
	for i := range p.Value.Data {
		p.Value.Data[i] = float32(i%17)/8 - 1
	}
	tp := ad.NewTape[float32]()
	step := func() {
		tp.Reset()
		a := tp.Param(p)
		tp.Backward(ad.Mean(ad.Mul(ad.Sigmoid(ad.Add(a, tp.Param(bias))), ad.Tanh(a))))
	}
	step()
	b.SetBytes(rows * cols * 4)
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}
