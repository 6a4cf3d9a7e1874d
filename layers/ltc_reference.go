package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
)

// RunRef is Run composed of primitive ops one step at a time: the test
// oracle for the fused op. It returns the spikes of every step (rates[t] is
// [batch, N]) and the final u, b and z. Noise is drawn in the order Run
// draws it.
func (l *LTC[T]) stepsReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) (rates []*autodiff.Var[T], final []*autodiff.Var[T]) {
	cfg := &l.cfg
	n := cfg.Units
	sur := cfg.Surrogate.Get()
	drive := newDriveRef(tp, &l.spikingWeights, x, steps, batch, opt, cfg.NoiseStd)
	c := drive.c
	gd, gu, gb, gBias := tp.Param(l.gd), tp.Param(l.gu), tp.Param(l.gb), tp.Param(l.gBias)
	cm, ca := autodiff.Slice(gBias, 0, n), autodiff.Slice(gBias, n, 2*n)
	one := constFilled[T](tp, 1, 1, 1)
	oneMinus := func(v *autodiff.Var[T]) *autodiff.Var[T] {
		return autodiff.Sub(autodiff.Scale(v, -1), autodiff.Scale(one, -1))
	}
	start := func(k int) *autodiff.Var[T] {
		z := c.Zeros(batch, n)
		if k < len(init) && init[k] != nil {
			return autodiff.Add(z, init[k])
		}
		return z
	}
	u, b, s := start(0), start(1), start(2)
	thr := constFilled[T](tp, 1, 1, cfg.Threshold)
	m := opt.Inactivation
	for t := 0; t < steps; t++ {
		d := drive.at(t, s)
		zd := autodiff.MatMul(d, false, gd, true) // [batch, 2N]
		tm := autodiff.Sigmoid(autodiff.Add(autodiff.Add(autodiff.Slice(zd, 0, n), autodiff.MatMul(u, false, gu, true)), cm))
		ta := autodiff.Sigmoid(autodiff.Add(autodiff.Add(autodiff.Slice(zd, n, 2*n), autodiff.MatMul(b, false, gb, true)), ca))
		b = autodiff.Add(autodiff.Mul(ta, b), autodiff.Mul(oneMinus(ta), s))
		th := autodiff.Add(autodiff.Scale(b, T(cfg.AdaptStrength)), thr)
		uu := autodiff.Add(autodiff.Mul(oneMinus(tm), u), autodiff.Mul(tm, d))
		spk := autodiff.Spike(autodiff.Sub(uu, th), sur)
		active := m.Active(t)
		if active && m.Silence {
			spk = c.Hold(spk, m.Units, 0)
		}
		rs := spk
		if !cfg.ResetGrad {
			rs = tp.Const(spk.Value)
		}
		u = autodiff.Mul(uu, oneMinus(rs))
		if active && m.Clamp {
			u = c.Hold(u, m.Units, m.ClampValue)
		}
		s = spk
		rates = append(rates, s)
	}
	return rates, []*autodiff.Var[T]{u, b, s}
}
