package layers_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// run32 and run64 record the same layer in both precisions: the float32
// path (used for training) has its own fast tanh and sigmoid, which the
// float64 checks do not reach.
type precisionRun[T autodiff.Float] struct {
	params []*autodiff.Param[T]
	seq    func(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T])
}

func (r precisionRun[T]) run(x, h0, proj []float64, steps, batch, inputs, n int) (rates, grads []float64) {
	conv := func(s []float64, rows, cols int) autodiff.Tensor[T] {
		t := autodiff.NewTensor[T](rows, cols)
		for i, v := range s {
			t.Data[i] = T(v)
		}
		return t
	}
	tp := autodiff.NewTape[T]()
	for _, p := range r.params {
		p.ZeroGrad()
	}
	out, _ := r.seq(tp, tp.Const(conv(x, steps*batch, inputs)), tp.Const(conv(h0, 1, n)), steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Sum(autodiff.Mul(out, tp.Const(conv(proj, steps*batch, n)))))
	for _, v := range out.Value.Data {
		rates = append(rates, float64(v))
	}
	for _, p := range r.params {
		for _, v := range p.Grad.Data {
			grads = append(grads, float64(v))
		}
	}
	return rates, grads
}

// copyParams sets every float32 parameter to its float64 twin's value.
func copyParams(dst []*autodiff.Param[float32], src []*autodiff.Param[float64]) {
	for i, p := range src {
		for k, v := range p.Value.Data {
			dst[i].Value.Data[k] = float32(v)
		}
	}
}

func comparePrecisions(t *testing.T, name string, r32 precisionRun[float32], r64 precisionRun[float64], steps, batch, inputs, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 9))
	draw := func(k int) []float64 {
		s := make([]float64, k)
		for i := range s {
			s[i] = rng.NormFloat64()
		}
		return s
	}
	x, h0, proj := draw(steps*batch*inputs), draw(n), draw(steps*batch*n)
	gr, gg := r32.run(x, h0, proj, steps, batch, inputs, n)
	wr, wg := r64.run(x, h0, proj, steps, batch, inputs, n)
	// float32 rounding (6e-8 per op) and the 4e-7 tanh error, accumulated
	// over a few steps and sums of tens of terms, stay far below 1e-4.
	const tol = 1e-4
	if i := closeTo(gr, wr, tol); i >= 0 {
		t.Errorf("%s rates[%d]: float32 %v float64 %v", name, i, gr[i], wr[i])
	}
	if i := closeTo(gg, wg, tol); i >= 0 {
		t.Errorf("%s grads[%d]: float32 %v float64 %v", name, i, gg[i], wg[i])
	}
	if math.IsNaN(gg[0]) {
		t.Errorf("%s: NaN gradient", name)
	}
}

func TestFloat32MatchesFloat64(t *testing.T) {
	const steps, batch, inputs, n = 6, 3, 2, 8
	g64 := layers.NewGRU[float64]("gru", inputs, n, rand.New(rand.NewPCG(1, 1)))
	g32 := layers.NewGRU[float32]("gru", inputs, n, rand.New(rand.NewPCG(1, 1)))
	for _, p := range g64.Params() {
		for k := range p.Value.Data {
			p.Value.Data[k] *= 4 // reach the saturated parts of σ and tanh
		}
	}
	copyParams(g32.Params(), g64.Params())
	comparePrecisions(t, "GRU", precisionRun[float32]{g32.Params(), g32.Sequence}, precisionRun[float64]{g64.Params(), g64.Sequence}, steps, batch, inputs, n)

	cfg := layers.LowRankConfig{Inputs: inputs, Hidden: n, Rank: 2, Alpha: 0.2, Rates: layers.RatesTanh}
	l64, err := layers.NewLowRank[float64]("lr", cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	l32, _ := layers.NewLowRank[float32]("lr", cfg, rand.New(rand.NewPCG(2, 2)))
	for _, l := range []interface{ SetTrained(layers.LowRankParams) }{l64, l32} {
		l.SetTrained(allLowRank)
	}
	copyParams(l32.Params(), l64.Params())
	comparePrecisions(t, "LowRank", precisionRun[float32]{l32.Params(), l32.Sequence}, precisionRun[float64]{l64.Params(), l64.Sequence}, steps, batch, inputs, n)
}
