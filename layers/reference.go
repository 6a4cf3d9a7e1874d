package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// This file holds the unfused references of the fused layers, written with
// the engine's primitive ops one step at a time. They are slow and allocate;
// tests compare the fused ops against them.

// pointwise is an element-wise map with its derivative, recorded as a
// one-input node: the reference's stand-in for primitives the engine does
// not have (|·|, ReLU, softplus).
type pointwise[T autodiff.Float] struct {
	kind pointKind
	x, y autodiff.Tensor[T]
}

type pointKind int

const (
	pointAbs pointKind = iota
	pointReLU
	pointSoftplus
	pointClamp01 // min(max(x, 0), 1), the clamp of trained decays
)

func (p *pointwise[T]) Name() string { return fmt.Sprintf("pointwise(%d)", int(p.kind)) }

func (p *pointwise[T]) Backward(g autodiff.Tensor[T], grads []autodiff.Tensor[T]) {
	d := grads[0].Data
	if d == nil {
		return
	}
	for k, v := range g.Data {
		x := float64(p.x.Data[k])
		var dv float64
		switch p.kind {
		case pointAbs:
			dv = 1
			if x < 0 {
				dv = -1
			}
		case pointReLU:
			if x > 0 {
				dv = 1
			}
		case pointSoftplus:
			dv = sigmoid(x)
		case pointClamp01:
			if x >= 0 && x <= 1 {
				dv = 1
			}
		}
		d[k] += v * T(dv)
	}
}

func applyPoint[T autodiff.Float](tp *autodiff.Tape[T], kind pointKind, x *autodiff.Var[T]) *autodiff.Var[T] {
	y := tp.Alloc(x.Value.Rows, x.Value.Cols)
	for k, v := range x.Value.Data {
		f := float64(v)
		switch kind {
		case pointAbs:
			f = math.Abs(f)
		case pointReLU:
			f = max(f, 0)
		case pointSoftplus:
			f = softplus(f)
		case pointClamp01:
			f = min(max(f, 0), 1)
		}
		y.Data[k] = T(f)
	}
	return tp.Fused(&pointwise[T]{kind: kind, x: x.Value, y: y}, y, x)
}

// activationRef records φ(x) with primitive ops.
func activationRef[T autodiff.Float](tp *autodiff.Tape[T], a Activation, x *autodiff.Var[T]) *autodiff.Var[T] {
	switch a {
	case Tanh:
		return autodiff.Tanh(x)
	case ReLU:
		return applyPoint(tp, pointReLU, x)
	case Softplus:
		return applyPoint(tp, pointSoftplus, x)
	case Identity:
		return x
	}
	panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
}

// constFilled returns a constant rows×cols tensor with every element v.
func constFilled[T autodiff.Float](tp *autodiff.Tape[T], rows, cols int, v float64) *autodiff.Var[T] {
	t := autodiff.NewTensor[T](rows, cols)
	for k := range t.Data {
		t.Data[k] = T(v)
	}
	return tp.Const(t)
}

// effectiveRef records the effective weight of w under c with primitive
// ops: fixed elements enter as constants (no gradient), then the mask, |·|
// and the column signs.
func effectiveRef[T autodiff.Float](tp *autodiff.Tape[T], w *autodiff.Var[T], c *Constraint) *autodiff.Var[T] {
	rows, cols := w.Value.Rows, w.Value.Cols
	if c.Fixed != nil {
		train := autodiff.NewTensor[T](rows, cols)
		fixed := autodiff.NewTensor[T](rows, cols)
		for k, f := range c.Fixed {
			if f {
				fixed.Data[k] = w.Value.Data[k]
			} else {
				train.Data[k] = 1
			}
		}
		w = autodiff.Add(autodiff.Mul(w, tp.Const(train)), tp.Const(fixed))
	}
	if c.Mask != nil {
		m := autodiff.NewTensor[T](rows, cols)
		for k, on := range c.Mask {
			if on {
				m.Data[k] = 1
			}
		}
		w = autodiff.Mul(w, tp.Const(m))
	}
	if c.Abs {
		w = applyPoint(tp, pointAbs, w)
	}
	if c.ColSign != nil {
		s := autodiff.NewTensor[T](1, cols)
		for j, v := range c.ColSign {
			s.Data[j] = T(v)
		}
		w = autodiff.Mul(w, tp.Const(s))
	}
	return w
}

// SequenceRef is Sequence composed of primitive ops one step at a time: the
// test oracle for the fused op. It returns the rates of every step
// (rates[t] is [batch, N], r_{t+1}) and the final integrated quantity. x is
// recorded as a constant (no gradient); noise is drawn in the same order as
// Sequence, so equal rng states give equal noise.
func (l *Leaky[T]) SequenceRef(tp *autodiff.Tape[T], x autodiff.Tensor[T], h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) ([]*autodiff.Var[T], *autodiff.Var[T]) {
	cfg := &l.cfg
	n, in := cfg.Units, cfg.Inputs
	wRec, wIn, bias := l.weightsRef(tp)
	a1 := constFilled[T](tp, 1, 1, 1-cfg.Alpha)
	alpha := constFilled[T](tp, 1, 1, cfg.Alpha)
	s := autodiff.Add(constFilled[T](tp, batch, n, 0), h0)
	state := cfg.Integration == IntegrateState
	r := s
	if state {
		r = activationRef(tp, cfg.Activation, s)
	}
	std, inside := cfg.Noise.Scale(cfg.NoiseStd, cfg.Alpha)
	m := opt.Inactivation
	var keep, clampTo *autodiff.Var[T]
	if m != nil {
		k := autodiff.NewTensor[T](1, n)
		c := autodiff.NewTensor[T](1, n)
		for j, on := range m.Units {
			if on {
				c.Data[j] = T(m.ClampValue)
			} else {
				k.Data[j] = 1
			}
		}
		keep, clampTo = tp.Const(k), tp.Const(c)
	}
	rates := make([]*autodiff.Var[T], steps)
	for t := 0; t < steps; t++ {
		pre := autodiff.Add(autodiff.MatMul(r, false, wRec, true), bias)
		if in > 0 {
			u := tp.Const(x.RowSlice(t*batch, (t+1)*batch))
			pre = autodiff.Add(pre, autodiff.MatMul(u, false, wIn, true))
		}
		var nz *autodiff.Var[T]
		if opt.Noise != nil && std > 0 {
			buf := autodiff.NewTensor[T](batch, n)
			AddNoise(buf.Data, std, opt.Noise)
			nz = tp.Const(buf)
			if inside {
				pre = autodiff.Add(pre, nz)
				nz = nil
			}
		}
		if !state {
			pre = activationRef(tp, cfg.Activation, pre)
		}
		s = autodiff.Add(autodiff.Mul(s, a1), autodiff.Mul(pre, alpha))
		if nz != nil {
			s = autodiff.Add(s, nz)
		}
		active := m.Active(t)
		if state {
			if active && m.Clamp {
				s = autodiff.Add(autodiff.Mul(s, keep), clampTo)
			}
			r = activationRef(tp, cfg.Activation, s)
			if active && m.Silence {
				r = autodiff.Mul(r, keep)
			}
		} else {
			if active && m.Silence {
				s = autodiff.Mul(s, keep)
			} else if active && m.Clamp {
				s = autodiff.Add(autodiff.Mul(s, keep), clampTo)
			}
			r = s
		}
		rates[t] = r
	}
	return rates, s
}
