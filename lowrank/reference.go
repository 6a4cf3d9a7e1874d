package lowrank

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// SequenceReference computes what Sequence computes, with the same
// arguments, results and noise order, but unfused: one primitive tape op per
// product and element-wise step of every time step. It is slow and
// allocates; it exists as the oracle the fused op is tested against.
func (l *Layer[T]) SequenceReference(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt layers.SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	cfg := l.Config
	n, in := cfg.Hidden, cfg.Inputs
	layers.CheckSequence("lowrank", x, h0, steps, batch, in, n, opt)
	c := layers.RefConsts[T]{Tape: tp}
	phi := l.phiRef
	m, nn, wi, si, b := tp.Param(l.M), tp.Param(l.N), tp.Param(l.WI), tp.Param(l.SI), tp.Param(l.B)
	alpha, invN := T(cfg.Alpha), 1/T(n)
	rows := steps * batch
	h := autodiff.Add(c.Zeros(batch, n), h0)
	var rates *autodiff.Var[T]
	for t := 0; t < steps; t++ {
		mask := layers.Perturbed(opt.Inactivation, t)
		pick := c.SelectRows(t*batch, batch, rows)
		a := phi(autodiff.Add(h, b))
		if mask != nil && mask.Silence {
			a = c.Hold(a, mask.Units, 0)
		}
		kappa := autodiff.Scale(autodiff.MatMul(a, false, nn, false), invN)
		// u_t·diag(si)·wi = (u_t ⊙ si)·wi.
		input := autodiff.MatMul(autodiff.Mul(autodiff.MatMul(pick, false, x, false), si), false, wi, false)
		drive := autodiff.Add(autodiff.MatMul(kappa, false, m, true), input)
		h = autodiff.Add(h, autodiff.Scale(autodiff.Sub(drive, h), alpha))
		if opt.Noise != nil && cfg.NoiseStd != 0 {
			h = autodiff.Add(h, c.Noise(batch, n, cfg.NoiseStd, opt.Noise))
		}
		if mask != nil && mask.Clamp {
			h = c.Hold(h, mask.Units, mask.ClampValue)
		}
		var rt *autodiff.Var[T]
		switch cfg.Rates {
		case RatesTanh:
			rt = autodiff.Tanh(h)
		case RatesPhi:
			rt = phi(autodiff.Add(h, b))
		default:
			rt = h
		}
		if mask != nil && mask.Silence {
			rt = c.Hold(rt, mask.Units, 0)
		}
		rates = layers.PlaceRows(rates, pick, rt)
	}
	return rates, h.Value
}
