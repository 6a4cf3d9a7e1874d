package layers

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
)

// LeakyIntegrator is the non-spiking leaky-integrator output neuron of
// spiking networks (snnTorch's Leaky with the reset off, read out from its
// membrane; Bellec et al. 2018, Zenke & Vogels 2021): over a time-major
// sequence y [steps·batch, C] of inputs (the readout's W_out s_t + b),
//
//	o_t = β·o_{t−1} + y_t,   o_{−1} = 0 or a given membrane,
//
// and the outputs are the membranes o_t. β = exp(−dt/τ_out) is fixed.
type LeakyIntegrator[T autodiff.Float] struct {
	beta T
	ops  SeqCache[T, integratorOp[T]]
}

// NewLeakyIntegrator returns the integrator with decay beta. It panics
// unless 0 ≤ beta ≤ 1.
func NewLeakyIntegrator[T autodiff.Float](beta float64) *LeakyIntegrator[T] {
	if !(beta >= 0 && beta <= 1) {
		panic(fmt.Sprintf("layers: NewLeakyIntegrator decay β = %g, need 0 ≤ β ≤ 1", beta))
	}
	return &LeakyIntegrator[T]{beta: T(beta)}
}

// Beta returns the decay β.
func (l *LeakyIntegrator[T]) Beta() T { return l.beta }

// Forward records the integration of y ([steps·batch, C], time-major) on
// tp as one fused op and returns o, of y's shape, in a tape buffer; init is
// the membrane o_{−1} before the first step, [batch, C] or [1, C] (empty:
// 0), a constant (the last step of an earlier window). It does not
// allocate in steady state. It panics if y does not have steps·batch rows
// or init has another shape.
func (l *LeakyIntegrator[T]) Forward(tp *autodiff.Tape[T], y *autodiff.Var[T], init autodiff.Tensor[T], steps, batch int) *autodiff.Var[T] {
	c := y.Value.Cols
	if steps <= 0 || batch <= 0 || y.Value.Rows != steps*batch {
		panic(fmt.Sprintf("layers: LeakyIntegrator.Forward input %v, want %d·%d rows", y.Value.Shape(), steps, batch))
	}
	if init.Data != nil && (init.Cols != c || (init.Rows != batch && init.Rows != 1)) {
		panic(fmt.Sprintf("layers: LeakyIntegrator.Forward initial membrane %v, want [%d %d] or [1 %d]", init.Shape(), batch, c, c))
	}
	out := tp.Alloc(y.Value.Rows, c)
	o := l.ops.Get(&out.Data[0])
	o.beta, o.w = l.beta, batch*c
	o.carry = tp.Alloc(1, o.w)
	w := o.w
	copy(out.Data[:w], y.Value.Data[:w])
	if init.Data != nil {
		for k := range w {
			out.Data[k] += l.beta * init.Data[k%(init.Rows*c)]
		}
	}
	for k := w; k < len(out.Data); k++ {
		out.Data[k] = l.beta*out.Data[k-w] + y.Value.Data[k]
	}
	return tp.Fused(o, out, y)
}

// integratorOp is the fused op of LeakyIntegrator: w = batch·C values per
// step, carry [w] the backward pass's running gradient.
type integratorOp[T autodiff.Float] struct {
	beta  T
	w     int
	carry autodiff.Tensor[T]
}

func (o *integratorOp[T]) Name() string { return "leaky-integrator" }

// Backward implements autodiff.FusedOp: the gradient of o_t runs backwards
// in time, ĝ_t = g_t + β·ĝ_{t+1}, and dL/dy_t += ĝ_t.
func (o *integratorOp[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	d := grads[0].Data
	if d == nil {
		return
	}
	w, c := o.w, o.carry.Data
	clear(c)
	for t := len(g.Data)/w - 1; t >= 0; t-- {
		gt, dt := g.Data[t*w:(t+1)*w], d[t*w:(t+1)*w]
		for k, v := range gt {
			c[k] = v + o.beta*c[k]
			dt[k] += c[k]
		}
	}
}
