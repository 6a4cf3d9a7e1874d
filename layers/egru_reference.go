package layers

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// RunReference computes what Run computes, with the same arguments and
// results (Final and Rates; not States), but unfused: one primitive tape op
// per gate, per element-wise step and per time step, the event through
// autodiff.Spike with surrogate.Triangle{γ, ε}. It also returns the activity
// penalty s·λ·(mean(o) − target)² as a 1×1 variable (nil when ActivityReg is
// 0), the mean over the unit-steps within opt.Lengths when they are given
// and s = opt.PenaltyShare (1 when 0), which the caller adds to its loss; Run adds the penalty's gradient
// inside its own backward pass instead. Random draws (DropConnect, zoneout,
// noise) follow Run's order, so equal seeds give equal trajectories. It is
// slow and allocates; it exists as the oracle the fused op is tested
// against.
func (e *EGRU[T]) RunReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) (rates *autodiff.Var[T], final []autodiff.Tensor[T], penalty *autodiff.Var[T]) {
	n, in := e.hidden, e.inputs
	o := e.Options
	c := RefConsts[T]{Tape: tp}
	var inits [3]*autodiff.Var[T]
	for k := range len(EGRUStateNames(o.Trace)) {
		inits[k] = c.Zeros(1, n)
		if k < len(init) && init[k] != nil {
			inits[k] = init[k]
		}
		CheckSequence("EGRU", x, inits[k], steps, batch, in, n, opt)
	}
	wih, whh, bih, bhh, thr := tp.Param(e.WeightIH), tp.Param(e.WeightHH), tp.Param(e.BiasIH), tp.Param(e.BiasHH), tp.Param(e.Threshold)
	training := opt.Noise != nil
	if training && o.DropConnect > 0 {
		whh = autodiff.Mul(whh, c.dropMask(3*n, n, o.DropConnect, opt.Noise))
	}
	sur := surrogate.Triangle{Gamma: o.Gamma, Eps: o.Eps}
	rows := steps * batch
	broadcast := func(v *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.Add(c.Zeros(batch, n), v) }
	cs := broadcast(inits[0])
	y := tp.Const(broadcast(inits[1]).Value)
	var tr, events *autodiff.Var[T]
	if o.Trace {
		tr = tp.Const(broadcast(inits[2]).Value)
	}
	for t := range steps {
		pick := c.SelectRows(t*batch, batch, rows)
		gi := autodiff.Add(autodiff.MatMul(autodiff.MatMul(pick, false, x, false), false, wih, true), bih) // [B, 3N]
		gh := autodiff.Add(autodiff.MatMul(y, false, whh, true), bhh)
		gate := func(v *autodiff.Var[T], k int) *autodiff.Var[T] { return autodiff.Slice(v, k*n, (k+1)*n) }
		r := autodiff.Sigmoid(autodiff.Add(gate(gi, 0), gate(gh, 0)))
		u := autodiff.Sigmoid(autodiff.Add(gate(gi, 1), gate(gh, 1)))
		z := autodiff.Tanh(autodiff.Add(gate(gi, 2), autodiff.Mul(r, gate(gh, 2))))
		ct := autodiff.Add(z, autodiff.Mul(u, autodiff.Sub(cs, z))) // u⊙c + (1−u)⊙z
		if o.Zoneout > 0 {
			if training {
				keep := c.zoneMask(batch, n, o.Zoneout, opt.Noise)
				ct = autodiff.Add(autodiff.Mul(ct, keep), autodiff.Sub(cs, autodiff.Mul(cs, keep)))
			} else {
				ct = autodiff.Add(autodiff.Scale(ct, T(1-o.Zoneout)), autodiff.Scale(cs, T(o.Zoneout)))
			}
		}
		if training && o.NoiseStd != 0 {
			ct = autodiff.Add(ct, c.Noise(batch, n, o.NoiseStd, opt.Noise))
		}
		m := Perturbed(opt.Inactivation, t)
		if m != nil {
			v := m.ClampValue
			if m.Silence {
				v = 0
			}
			ct = c.Hold(ct, m.Units, v)
		}
		ev := autodiff.Spike(autodiff.Sub(ct, thr), sur)
		if m != nil && m.Silence {
			ev = c.Hold(ev, m.Units, 0)
		}
		y = autodiff.Mul(ev, ct)
		cs = autodiff.Sub(ct, autodiff.Mul(ev, thr))
		out := y
		if o.Trace {
			tr = autodiff.Add(autodiff.Scale(tr, 0.9), autodiff.Scale(y, 0.1))
			out = tr
		}
		rates = PlaceRows(rates, pick, out)
		if opt.Lengths != nil {
			ev = autodiff.Mul(ev, c.withinLengths(opt.Lengths, t, n))
		}
		if events == nil {
			events = autodiff.Sum(ev)
		} else {
			events = autodiff.Add(events, autodiff.Sum(ev))
		}
	}
	final = []autodiff.Tensor[T]{cs.Value, y.Value}
	if o.Trace {
		final = append(final, tr.Value)
	}
	count := rows * n
	if opt.Lengths != nil {
		count = 0
		for _, l := range opt.Lengths {
			count += min(l, steps) * n
		}
	}
	switch {
	case o.ActivityReg > 0 && count == 0:
		penalty = c.Zeros(1, 1)
	case o.ActivityReg > 0:
		share := opt.PenaltyShare
		if share == 0 {
			share = 1
		}
		d := autodiff.Add(autodiff.Scale(events, T(1/float64(count))), tp.Const(autodiff.FromSlice(1, 1, []T{T(-o.ActivityTarget)})))
		penalty = autodiff.Scale(autodiff.Mul(d, d), T(share*o.ActivityReg))
	}
	return rates, final, penalty
}

// withinLengths returns the [len(lengths), n] mask of step t: 1 in the rows
// of the trials still running (t < lengths[b]), 0 in the padding.
func (c RefConsts[T]) withinLengths(lengths []int, t, n int) *autodiff.Var[T] {
	m := autodiff.NewTensor[T](len(lengths), n)
	for b, l := range lengths {
		if t < l {
			for j := range n {
				m.Data[b*n+j] = 1
			}
		}
	}
	return c.Tape.Const(m)
}

// dropMask draws Run's DropConnect mask: 0 with probability p, else
// 1/(1−p), row-major.
func (c RefConsts[T]) dropMask(rows, cols int, p float64, rng *rand.Rand) *autodiff.Var[T] {
	m := autodiff.NewTensor[T](rows, cols)
	for k := range m.Data {
		if rng.Float64() >= p {
			m.Data[k] = T(1 / (1 - p))
		}
	}
	return c.Tape.Const(m)
}

// zoneMask draws one step of Run's zoneout mask: 0 (keep the previous c)
// with probability p, else 1, row-major.
func (c RefConsts[T]) zoneMask(rows, cols int, p float64, rng *rand.Rand) *autodiff.Var[T] {
	m := autodiff.NewTensor[T](rows, cols)
	for k := range m.Data {
		m.Data[k] = 1
		if rng.Float64() < p {
			m.Data[k] = 0
		}
	}
	return c.Tape.Const(m)
}
