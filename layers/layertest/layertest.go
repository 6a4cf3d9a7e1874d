package layertest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// SeqFunc is Sequence or SequenceReference of some layer.
type SeqFunc = func(tp *autodiff.Tape[float64], x, h0 *autodiff.Var[float64], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[float64], autodiff.Tensor[float64])

// Problem is a layer run on a random input, scored by a fixed random
// projection of its rates so that every rate matters to the loss.
type Problem struct {
	Steps, Batch int
	X, H0        *autodiff.Param[float64]
	Proj         autodiff.Tensor[float64] // [steps·batch, N]
	Params       []*autodiff.Param[float64]
	Opt          func() layers.SeqOptions // fresh options (and noise stream) per run
}

// RandParam returns a rows×cols parameter named name with values drawn
// from N(0, scale²) by rng.
func RandParam(rng *rand.Rand, name string, rows, cols int, scale float64) *autodiff.Param[float64] {
	p := autodiff.NewParam[float64](name, rows, cols)
	for i := range p.Value.Data {
		p.Value.Data[i] = scale * rng.NormFloat64()
	}
	return p
}

// NewProblem returns the problem for a layer with parameters layer, n
// units and inputs inputs: a random input X [steps·batch, inputs], a random
// initial state H0 [h0Rows, n] (1 for a state shared by the batch, batch
// for one per trial), a random projection [steps·batch, n], and Params =
// X, H0 and then layer, all drawn from rng.
func NewProblem(rng *rand.Rand, layer []*autodiff.Param[float64], steps, batch, inputs, n, h0Rows int) *Problem {
	p := &Problem{
		Steps: steps, Batch: batch,
		X:    RandParam(rng, "x", steps*batch, inputs, 1),
		H0:   RandParam(rng, "h0", h0Rows, n, 0.5),
		Proj: RandParam(rng, "proj", steps*batch, n, 1).Value,
		Opt:  func() layers.SeqOptions { return layers.SeqOptions{} },
	}
	p.Params = append([]*autodiff.Param[float64]{p.X, p.H0}, layer...)
	return p
}

// Loss returns the loss function of gradcheck.Case for f: it records
// Σ proj ⊙ rates of f(x, h0) on tp from vars (X, H0, layer params…, the
// order of p.Params).
func (p *Problem) Loss(f SeqFunc) func(tp *autodiff.Tape[float64], vars []*autodiff.Var[float64]) *autodiff.Var[float64] {
	return func(tp *autodiff.Tape[float64], vars []*autodiff.Var[float64]) *autodiff.Var[float64] {
		rates, _ := f(tp, vars[0], vars[1], p.Steps, p.Batch, p.Opt())
		return autodiff.Sum(autodiff.Mul(rates, tp.Const(p.Proj)))
	}
}

// Run records p's loss with f on a new tape and back-propagates, after
// clearing every parameter's gradient; it returns the rates and a copy of
// every parameter's gradient, in the order of p.Params.
func (p *Problem) Run(f SeqFunc) (rates []float64, grads [][]float64) {
	tp := autodiff.NewTape[float64]()
	vars := make([]*autodiff.Var[float64], len(p.Params))
	for i, q := range p.Params {
		q.ZeroGrad()
		vars[i] = tp.Param(q)
	}
	r, _ := f(tp, vars[0], vars[1], p.Steps, p.Batch, p.Opt())
	rates = append(rates, r.Value.Data...)
	tp.Backward(autodiff.Sum(autodiff.Mul(r, tp.Const(p.Proj))))
	for _, q := range p.Params {
		grads = append(grads, append([]float64(nil), q.Grad.Data...))
	}
	return rates, grads
}

// CloseTo reports the first index where got and want differ by more than
// tol·(1+|want|), or −1; 0 when their lengths differ.
func CloseTo(got, want []float64, tol float64) int {
	if len(got) != len(want) {
		return 0
	}
	for i := range got {
		if !(math.Abs(got[i]-want[i]) <= tol*(1+math.Abs(want[i]))) {
			return i
		}
	}
	return -1
}

// CheckFusedVsReference compares rates and all gradients of fused and ref on p.
func CheckFusedVsReference(t *testing.T, p *Problem, fused, ref SeqFunc) {
	t.Helper()
	// Both compute the same float64 expressions in different orders: they
	// agree to rounding, far below 1e-10.
	const tol = 1e-10
	gr, gg := p.Run(fused)
	wr, wg := p.Run(ref)
	if i := CloseTo(gr, wr, tol); i >= 0 {
		t.Fatalf("rates[%d]: got %v want %v (fused vs reference)", i, gr[i], wr[i])
	}
	for k, q := range p.Params {
		if i := CloseTo(gg[k], wg[k], tol); i >= 0 {
			t.Errorf("grad %s[%d]: got %v want %v (fused vs reference)", q.Name, i, gg[k][i], wg[k][i])
		}
	}
}

// PrecisionRun is a layer in one precision, its parameters and its
// Sequence, for ComparePrecisions: the float32 path (used for training)
// has its own fast tanh and sigmoid, which the float64 checks do not reach.
type PrecisionRun[T autodiff.Float] struct {
	Params []*autodiff.Param[T]
	Seq    func(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T])
}

// Run records r's layer over x [steps·batch, inputs] from h0 [1, n], scored
// by Σ proj ⊙ rates, converting the float64 inputs to T, and
// back-propagates after clearing the gradients; it returns the rates and
// every parameter's gradient, concatenated in the order of r.Params, as
// float64.
func (r PrecisionRun[T]) Run(x, h0, proj []float64, steps, batch, inputs, n int) (rates, grads []float64) {
	conv := func(s []float64, rows, cols int) autodiff.Tensor[T] {
		t := autodiff.NewTensor[T](rows, cols)
		for i, v := range s {
			t.Data[i] = T(v)
		}
		return t
	}
	tp := autodiff.NewTape[T]()
	for _, p := range r.Params {
		p.ZeroGrad()
	}
	out, _ := r.Seq(tp, tp.Const(conv(x, steps*batch, inputs)), tp.Const(conv(h0, 1, n)), steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Sum(autodiff.Mul(out, tp.Const(conv(proj, steps*batch, n)))))
	for _, v := range out.Value.Data {
		rates = append(rates, float64(v))
	}
	for _, p := range r.Params {
		for _, v := range p.Grad.Data {
			grads = append(grads, float64(v))
		}
	}
	return rates, grads
}

// CopyParams sets every float32 parameter to its float64 twin's value.
func CopyParams(dst []*autodiff.Param[float32], src []*autodiff.Param[float64]) {
	for i, p := range src {
		for k, v := range p.Value.Data {
			dst[i].Value.Data[k] = float32(v)
		}
	}
}

// ComparePrecisions runs r32 and r64 on the same random input, initial
// state and projection (a fixed seed) and fails t, naming the layer name,
// if their rates or gradients differ by more than float32 rounding
// explains, or if the float32 gradient is NaN. The two layers must hold
// the same weights (see CopyParams).
func ComparePrecisions(t *testing.T, name string, r32 PrecisionRun[float32], r64 PrecisionRun[float64], steps, batch, inputs, n int) {
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
	gr, gg := r32.Run(x, h0, proj, steps, batch, inputs, n)
	wr, wg := r64.Run(x, h0, proj, steps, batch, inputs, n)
	// float32 rounding (6e-8 per op) and the 4e-7 tanh error, accumulated
	// over a few steps and sums of tens of terms, stay far below 1e-4.
	const tol = 1e-4
	if i := CloseTo(gr, wr, tol); i >= 0 {
		t.Errorf("%s rates[%d]: float32 %v float64 %v", name, i, gr[i], wr[i])
	}
	if i := CloseTo(gg, wg, tol); i >= 0 {
		t.Errorf("%s grads[%d]: float32 %v float64 %v", name, i, gg[i], wg[i])
	}
	if math.IsNaN(gg[0]) {
		t.Errorf("%s: NaN gradient", name)
	}
}

// WidenMask returns opt with its inactivation mask, if any, repeated to n
// units.
func WidenMask(opt func() layers.SeqOptions, n int) func() layers.SeqOptions {
	return func() layers.SeqOptions {
		o := opt()
		if m := o.Inactivation; m != nil {
			wide := *m
			wide.Units = make([]bool, n)
			for j := range wide.Units {
				wide.Units[j] = m.Units[j%len(m.Units)]
			}
			o.Inactivation = &wide
		}
		return o
	}
}

// SteadyAllocs is testing.AllocsPerRun(runs, f) repeated up to three times,
// returning the least: a step that allocates does so every time, while the
// runtime's own records (a parked goroutine's wait record when the
// operating system starves the pool's worker) come and go with the load.
func SteadyAllocs(runs int, f func()) float64 {
	least := testing.AllocsPerRun(runs, f)
	for i := 1; i < 3 && least > 0; i++ {
		least = min(least, testing.AllocsPerRun(runs, f))
	}
	return least
}
