package autodiff_test

import (
	"math"
	"testing"

	ad "github.com/rnntrain/rnntrain/autodiff"
)

// scaleOp is y = c·x as a fused op that can set x's gradient. It records
// how it was last called.
type scaleOp struct {
	c      float64
	calls  int
	setArg []bool
}

var _ ad.GradSetter[float64] = (*scaleOp)(nil)

func (o *scaleOp) Name() string { return "scale" }

func (o *scaleOp) Backward(g ad.Tensor[float64], grads []ad.Tensor[float64]) {
	o.BackwardSet(g, grads, nil)
}

func (o *scaleOp) SetsGrad(i int) bool { return i == 0 }

func (o *scaleOp) BackwardSet(g ad.Tensor[float64], grads []ad.Tensor[float64], set []bool) {
	o.calls++
	o.setArg = append(o.setArg[:0], set...)
	d := grads[0].Data
	if d == nil {
		return
	}
	for i, v := range g.Data {
		if len(set) > 0 && set[0] {
			d[i] = o.c * v
		} else {
			d[i] += o.c * v
		}
	}
}

func (o *scaleOp) wasSet() bool { return len(o.setArg) > 0 && o.setArg[0] }

func (o *scaleOp) record(tp *ad.Tape[float64], x *ad.Var[float64]) *ad.Var[float64] {
	out := tp.Alloc(x.Value.Rows, x.Value.Cols)
	for i, v := range x.Value.Data {
		out.Data[i] = o.c * v
	}
	return tp.Fused(o, out, x)
}

// TestGradSetter checks that a GradSetter sets the gradient of a variable
// it alone uses, and only then: the parameter's gradient matches the
// analytic one over repeated steps on a reused tape (whose uncleared
// buffers hold the previous step's values), when the variable has a second
// use, and when the op's input is the loss itself.
func TestGradSetter(t *testing.T) {
	x := ad.NewParam[float64]("x", 1, 3)
	copy(x.Value.Data, []float64{0.3, -0.7, 1.1})
	tp := ad.NewTape[float64]()
	const c = 2.5
	check := func(name string, want func(xv float64) float64) {
		t.Helper()
		for i, xv := range x.Value.Data {
			if w := want(xv); math.Abs(x.Grad.Data[i]-w) > 1e-12 {
				t.Fatalf("%s: dL/dx[%d] = %v, want %v", name, i, x.Grad.Data[i], w)
			}
		}
	}
	dtanh := func(xv float64) float64 { return 1 - math.Tanh(xv)*math.Tanh(xv) }

	// The only use of h = tanh(x): set, step after step.
	op := &scaleOp{c: c}
	for step := range 3 {
		tp.Reset()
		x.ZeroGrad()
		h := ad.Tanh(tp.Param(x))
		tp.Backward(ad.Sum(op.record(tp, h)))
		if !op.wasSet() {
			t.Fatalf("step %d: the gradient was added (set %v), want it set", step, op.setArg)
		}
		check("only use", func(xv float64) float64 { return c * dtanh(xv) })
	}

	// A second use of h: the gradient accumulates.
	tp.Reset()
	x.ZeroGrad()
	h := ad.Tanh(tp.Param(x))
	loss := ad.Add(ad.Sum(op.record(tp, h)), ad.Sum(ad.Mul(h, h)))
	tp.Backward(loss)
	if op.wasSet() {
		t.Fatalf("two uses: the gradient was set (%v), want it added", op.setArg)
	}
	check("two uses", func(xv float64) float64 { return (c + 2*math.Tanh(xv)) * dtanh(xv) })

	// The loss as the op's input: its seed is a use too.
	tp.Reset()
	x.ZeroGrad()
	loss = ad.Sum(ad.Tanh(tp.Param(x)))
	op.record(tp, loss)
	tp.Backward(loss)
	if op.wasSet() {
		t.Fatalf("loss as input: the gradient was set (%v), want it added", op.setArg)
	}
	check("loss as input", dtanh)

	// A parameter is never set: its gradient accumulates.
	tp.Reset()
	x.ZeroGrad()
	copy(x.Grad.Data, []float64{1, 1, 1})
	tp.Backward(ad.Sum(op.record(tp, tp.Param(x))))
	if op.wasSet() {
		t.Fatalf("parameter input: the gradient was set (%v), want it added", op.setArg)
	}
	check("parameter input", func(float64) float64 { return 1 + c })
}
