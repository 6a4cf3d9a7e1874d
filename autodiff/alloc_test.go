package autodiff_test

import (
	"math/rand/v2"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// rnnStep is a small recurrent training computation built from primitive
// ops: a vanilla RNN h_{t+1} = tanh(x_t·W_in + h_t·W_rec + b) unrolled over
// steps time steps, a linear readout at every step and a masked MSE loss.
type rnnStep[T ad.Float] struct {
	tp                 *ad.Tape[T]
	wIn, wRec, b, wOut *ad.Param[T]
	x, target, mask    ad.Tensor[T] // time-major [steps·batch, dim]
	steps, batch       int
}

func newRNNStep[T ad.Float](steps, batch, nIn, hidden, nOut int) *rnnStep[T] {
	rng := rand.New(rand.NewPCG(5, 5))
	fill := func(t ad.Tensor[T], scale float64) ad.Tensor[T] {
		for i := range t.Data {
			t.Data[i] = T(scale * rng.NormFloat64())
		}
		return t
	}
	p := func(name string, r, c int, scale float64) *ad.Param[T] {
		q := ad.NewParam[T](name, r, c)
		fill(q.Value, scale)
		return q
	}
	s := &rnnStep[T]{
		tp:  ad.NewTape[T](),
		wIn: p("rnn.w_in", nIn, hidden, 0.5), wRec: p("rnn.w_rec", hidden, hidden, 0.3),
		b: p("rnn.b", 1, hidden, 0.1), wOut: p("rnn.w_out", hidden, nOut, 0.3),
		x:      fill(ad.NewTensor[T](steps*batch, nIn), 1),
		target: fill(ad.NewTensor[T](steps*batch, nOut), 1),
		mask:   ad.NewTensor[T](steps*batch, 1),
		steps:  steps, batch: batch,
	}
	for i := range s.mask.Data {
		if i%4 != 0 {
			s.mask.Data[i] = 1
		}
	}
	return s
}

// run records the forward pass and runs Backward; it returns the loss.
func (s *rnnStep[T]) run() T {
	tp := s.tp
	tp.Reset()
	for _, p := range []*ad.Param[T]{s.wIn, s.wRec, s.b, s.wOut} {
		p.ZeroGrad()
	}
	wIn, wRec, b, wOut := tp.Param(s.wIn), tp.Param(s.wRec), tp.Param(s.b), tp.Param(s.wOut)
	B := s.batch
	h := tp.Const(tp.AllocZero(B, s.wRec.Value.Rows))
	var loss *ad.Var[T]
	for t := range s.steps {
		xt := tp.Const(s.x.RowSlice(t*B, (t+1)*B))
		h = ad.Tanh(ad.Add(ad.Add(ad.MatMul(xt, false, wIn, false), ad.MatMul(h, false, wRec, false)), b))
		y := ad.MatMul(h, false, wOut, false)
		l := ad.MaskedMSE(y, s.target.RowSlice(t*B, (t+1)*B), s.mask.RowSlice(t*B, (t+1)*B))
		if loss == nil {
			loss = l
		} else {
			loss = ad.Add(loss, l)
		}
	}
	tp.Backward(loss)
	return loss.Value.Data[0]
}

// TestZeroAllocsRNN asserts that a warmed-up training step (forward,
// backward, Reset) allocates nothing.
func TestZeroAllocsRNN(t *testing.T) {
	s := newRNNStep[float32](5, 8, 3, 16, 2)
	s.run()
	if n := testing.AllocsPerRun(20, func() { s.run() }); n != 0 {
		t.Errorf("5-step RNN forward+backward: %v allocations per step, want 0", n)
	}
}

// TestZeroAllocsEveryOp runs every primitive op once per step and asserts
// that a warmed-up step allocates nothing, for both element types.
func TestZeroAllocsEveryOp(t *testing.T) {
	testZeroAllocsEveryOp[float32](t)
	testZeroAllocsEveryOp[float64](t)
}

func testZeroAllocsEveryOp[T ad.Float](t *testing.T) {
	tp := ad.NewTape[T]()
	p := ad.NewParam[T]("p", 4, 3)
	col := ad.NewParam[T]("col", 4, 1)
	for i := range p.Value.Data {
		p.Value.Data[i] = T(i)/7 + 0.1
	}
	for i := range col.Value.Data {
		col.Value.Data[i] = T(i) + 1
	}
	target, mask, rowMask := ad.NewTensor[T](4, 3), ad.NewTensor[T](4, 3), ad.NewTensor[T](4, 1)
	for i := range mask.Data {
		mask.Data[i], target.Data[i] = 1, T(i%3)/3
	}
	for i := range rowMask.Data {
		rowMask.Data[i] = 1
	}
	// The surrogate is boxed once, as a layer would hold it in its config.
	var s surrogate.Surrogate = surrogate.ArcTan{Alpha: 3}
	step := func() {
		tp.Reset()
		p.ZeroGrad()
		col.ZeroGrad()
		a, c := tp.Param(p), tp.Param(col)
		x := ad.Add(ad.Sub(ad.Mul(a, c), ad.Div(a, c)), ad.MeanAxis(a, 0))
		x = ad.Add(x, ad.Scale(ad.SumAxis(a, 1), 0.5))
		x = ad.Concat(ad.Tanh(x), ad.Sigmoid(x), ad.ReLU(x), ad.Softplus(x), ad.Exp(ad.Scale(x, 0.1)),
			ad.Log(ad.Square(x)), ad.Abs(x), ad.Spike(x, s))
		z := ad.MatMul(a, true, x, false)                  // [3 4]·[4 24] = [3 24]
		w := ad.MatMul(z, false, x, true)                  // [3 24]·[24 4] = [3 4]
		u := ad.MatMul(w, true, a, true)                   // [4 3]·[3 4] = [4 4]
		v := ad.Scale(ad.MatMul(u, false, a, false), 1e-3) // [4 4]·[4 3] = [4 3]
		l1 := ad.MaskedMSE(v, target, mask)
		l2 := ad.MaskedSoftmaxCE(v, target, rowMask)
		tp.Backward(ad.Add(ad.Add(l1, l2), ad.Mean(ad.Slice(v, 1, 3))))
	}
	targetCopy, maskCopy, valueCopy := target.Clone(), mask.Clone(), p.Value.Clone()
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("%T: every-op step: %v allocations per step, want 0", T(0), n)
	}
	// Ops never modify their inputs, constants included.
	for _, c := range []struct {
		name      string
		got, want ad.Tensor[T]
	}{{"target", target, targetCopy}, {"mask", mask, maskCopy}, {"p", p.Value, valueCopy}} {
		for k := range c.want.Data {
			if c.got.Data[k] != c.want.Data[k] {
				t.Fatalf("%T: %s[%d] changed from %v to %v", T(0), c.name, k, c.want.Data[k], c.got.Data[k])
			}
		}
	}
}

// BenchmarkRNNStep is a repeated forward+backward pass of a 5-step unrolled
// vanilla RNN (batch 8, 3 inputs, 16 units, 2 outputs) with Reset between
// steps. It must report 0 allocs/op.
func BenchmarkRNNStep(b *testing.B) {
	s := newRNNStep[float32](5, 8, 3, 16, 2)
	s.run() // warm up the tape's arena
	b.ReportAllocs()
	for b.Loop() {
		s.run()
	}
}
