package layers

import (
	"github.com/rnntrain/rnntrain/autodiff"
)

// RunRef is Run composed of primitive ops one step at a time (autodiff.Spike
// for the spike, a constant copy of it where the reset is detached): the
// test oracle for the fused op. It returns the spikes of every step
// (rates[t] is [batch, N], after step t) and the final value of every state
// variable. noise is drawn in the order Run
// draws it, so equal rng states give equal noise.
func (l *LIF[T]) stepsReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) (rates []*autodiff.Var[T], final []*autodiff.Var[T]) {
	cfg := &l.cfg
	n := cfg.Units
	sur := cfg.Surrogate.Get()
	drive := newDriveRef(tp, &l.spikingWeights, x, steps, batch, opt, cfg.NoiseStd)
	one := constFilled[T](tp, 1, 1, 1)
	decay := func(p *autodiff.Param[T]) (d, oneMinus *autodiff.Var[T]) {
		d = applyPoint(tp, pointClamp01, tp.Param(p))
		return d, autodiff.Sub(autodiff.Scale(d, -1), autodiff.Scale(one, -1))
	}
	beta, beta1 := decay(l.beta)
	var alpha, rho, rho1 *autodiff.Var[T]
	if l.alpha != nil {
		alpha, _ = decay(l.alpha)
	}
	if l.rho != nil {
		rho, rho1 = decay(l.rho)
	}
	// Initial states: zero unless given, broadcast to [batch, N].
	start := func(k int) *autodiff.Var[T] {
		z := constFilled[T](tp, batch, n, 0)
		if k < len(init) && init[k] != nil {
			return autodiff.Add(z, init[k])
		}
		return z
	}
	idx := func(name string) int {
		for k, s := range l.names {
			if s == name {
				return k
			}
		}
		return -1
	}
	v := start(0)
	var cur, a *autodiff.Var[T]
	if k := idx("i"); k >= 0 {
		cur = start(k)
	}
	if k := idx("a"); k >= 0 {
		a = start(k)
	}
	s := start(idx("z"))
	var counter autodiff.Tensor[T] // refractory steps left
	if k := idx("r"); k >= 0 {
		counter = start(k).Value.Clone()
	}
	m := opt.Inactivation
	c := drive.c
	thr := constFilled[T](tp, 1, 1, cfg.Threshold)
	for t := 0; t < steps; t++ {
		p := drive.at(t, s)
		var u *autodiff.Var[T]
		if cur != nil {
			u = autodiff.Add(autodiff.Mul(v, beta), autodiff.Mul(cur, beta1))
			cur = autodiff.Add(autodiff.Mul(cur, alpha), p)
		} else {
			u = autodiff.Add(autodiff.Mul(v, beta), p)
		}
		th := thr
		if a != nil {
			a = autodiff.Add(autodiff.Mul(a, rho), autodiff.Mul(s, rho1))
			th = autodiff.Add(autodiff.Scale(a, T(cfg.AdaptStrength)), thr)
		}
		var refr autodiff.Tensor[T] // 1 where refractory
		if counter.Data != nil {
			refr = autodiff.NewTensor[T](batch, n)
			free := autodiff.NewTensor[T](batch, n)
			for e, c := range counter.Data {
				if c > 0 {
					refr.Data[e] = 1
				} else {
					free.Data[e] = 1
				}
			}
			u = autodiff.Add(autodiff.Mul(v, tp.Const(refr)), autodiff.Mul(u, tp.Const(free)))
		}
		spk := autodiff.Spike(autodiff.Sub(u, th), sur)
		if counter.Data != nil {
			free := autodiff.NewTensor[T](batch, n)
			for e, r := range refr.Data {
				free.Data[e] = 1 - r
			}
			spk = autodiff.Mul(spk, tp.Const(free))
		}
		active := m.Active(t)
		if active && m.Silence {
			spk = c.Hold(spk, m.Units, 0)
		}
		rs := spk
		if !cfg.ResetGrad {
			rs = tp.Const(spk.Value)
		}
		if cfg.Reset == ResetSubtract {
			if th == thr {
				v = autodiff.Sub(u, autodiff.Mul(rs, thr))
			} else {
				v = autodiff.Sub(u, autodiff.Mul(th, rs))
			}
		} else {
			v = autodiff.Mul(u, autodiff.Sub(autodiff.Scale(rs, -1), autodiff.Scale(one, -1)))
		}
		if active && m.Clamp {
			v = c.Hold(v, m.Units, m.ClampValue)
		}
		if counter.Data != nil {
			for e, z := range spk.Value.Data {
				if z != 0 {
					counter.Data[e] = T(cfg.RefractorySteps)
				} else {
					counter.Data[e] = max(counter.Data[e]-1, 0)
				}
			}
		}
		s = spk
		rates = append(rates, s)
	}
	final = []*autodiff.Var[T]{v}
	if cur != nil {
		final = append(final, cur)
	}
	if a != nil {
		final = append(final, a)
	}
	final = append(final, s)
	if counter.Data != nil {
		final = append(final, tp.Const(counter))
	}
	return rates, final
}

// driveRef is the reference's drive of a spiking layer: b + W_rec s +
// W_in x_t (+ noise), recorded with primitive ops.
type driveRef[T autodiff.Float] struct {
	c            RefConsts[T]
	wRec, bias   *autodiff.Var[T]
	xw           *autodiff.Var[T] // x·W_inᵀ of all steps; nil without inputs
	noise        autodiff.Tensor[T]
	steps, batch int
}

// newDriveRef records the effective weights and the input projection, and
// draws the noise in the order the fused op draws it.
func newDriveRef[T autodiff.Float](tp *autodiff.Tape[T], w *spikingWeights[T], x *autodiff.Var[T], steps, batch int, opt SeqOptions, noiseStd float64) *driveRef[T] {
	d := &driveRef[T]{c: RefConsts[T]{Tape: tp}, steps: steps, batch: batch}
	d.wRec = effectiveRef(tp, tp.Param(w.wRec.p), &w.wRec.c)
	d.bias = tp.Param(w.bias)
	if x.Value.Cols > 0 {
		d.xw = autodiff.MatMul(x, false, effectiveRef(tp, tp.Param(w.wIn.p), &w.wIn.c), true)
	}
	if opt.Noise != nil && noiseStd > 0 {
		d.noise = autodiff.NewTensor[T](steps*batch, w.bias.Value.Cols)
		AddNoise(d.noise.Data, noiseStd, opt.Noise)
	}
	return d
}

// at returns the drive of step t given the previous spikes s.
func (d *driveRef[T]) at(t int, s *autodiff.Var[T]) *autodiff.Var[T] {
	p := autodiff.Add(autodiff.MatMul(s, false, d.wRec, true), d.bias)
	if d.xw != nil {
		p = autodiff.Add(p, autodiff.MatMul(d.c.SelectRows(t*d.batch, d.batch, d.steps*d.batch), false, d.xw, false))
	}
	if d.noise.Data != nil {
		p = autodiff.Add(p, d.c.Tape.Const(d.noise.RowSlice(t*d.batch, (t+1)*d.batch)))
	}
	return p
}
