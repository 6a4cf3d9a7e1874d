package layers

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// SequenceReference computes what Sequence computes, with the same
// arguments, results and panics, but unfused: one primitive tape op per
// gate, per element-wise step and per time step. It is slow and allocates;
// it exists as the oracle the fused op is tested against. Noise drawn from
// opt.Noise follows the same order as Sequence, so equal seeds give equal
// trajectories.
func (g *GRU[T]) SequenceReference(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (*autodiff.Var[T], autodiff.Tensor[T]) {
	n, in := g.hidden, g.inputs
	CheckSequence("GRU", x, h0, steps, batch, in, n, opt)
	c := RefConsts[T]{Tape: tp}
	rows := steps * batch
	h := autodiff.Add(c.Zeros(batch, n), h0) // broadcast [1, N] over the batch
	var rates *autodiff.Var[T]
	for t := 0; t < steps; t++ {
		pick := c.SelectRows(t*batch, batch, rows)
		h = g.Step(tp, h, autodiff.MatMul(pick, false, x, false))
		if opt.Noise != nil && g.NoiseStd != 0 {
			h = autodiff.Add(h, c.Noise(batch, n, g.NoiseStd, opt.Noise))
		}
		if m := Perturbed(opt.Inactivation, t); m != nil {
			v := m.ClampValue
			if m.Silence {
				v = 0
			}
			h = c.Hold(h, m.Units, v)
		}
		rates = PlaceRows(rates, pick, h)
	}
	return rates, h.Value
}

// RefConsts builds the constant nodes the unfused reference sequences need
// on Tape. Each method allocates a fresh tensor and records it as a
// constant (no gradient).
type RefConsts[T autodiff.Float] struct{ Tape *autodiff.Tape[T] }

// Zeros returns a [rows, cols] constant of zeros.
func (c RefConsts[T]) Zeros(rows, cols int) *autodiff.Var[T] {
	return c.Tape.Const(autodiff.NewTensor[T](rows, cols))
}

// SelectRows returns the [count, total] matrix E with E[i, from+i] = 1, so
// that E·X picks rows from … from+count−1 of X and Eᵀ·Y places Y there.
func (c RefConsts[T]) SelectRows(from, count, total int) *autodiff.Var[T] {
	e := autodiff.NewTensor[T](count, total)
	for i := range count {
		e.Set(i, from+i, 1)
	}
	return c.Tape.Const(e)
}

// Noise returns a [rows, cols] constant of N(0, std²) draws from rng, in
// the order AddNoise draws them.
func (c RefConsts[T]) Noise(rows, cols int, std float64, rng *rand.Rand) *autodiff.Var[T] {
	e := autodiff.NewTensor[T](rows, cols)
	AddNoise(e.Data, std, rng)
	return c.Tape.Const(e)
}

// Hold returns x with the columns marked in units replaced by v:
// x ⊙ keep + fill, keep and fill being [1, N] rows.
func (c RefConsts[T]) Hold(x *autodiff.Var[T], units []bool, v float64) *autodiff.Var[T] {
	keep, fill := autodiff.NewTensor[T](1, len(units)), autodiff.NewTensor[T](1, len(units))
	for j, u := range units {
		if u {
			fill.Data[j] = T(v)
		} else {
			keep.Data[j] = 1
		}
	}
	return autodiff.Add(autodiff.Mul(x, c.Tape.Const(keep)), c.Tape.Const(fill))
}

// PlaceRows returns sum + pickᵀ·v: v's rows placed where pick selected them
// (sum nil counts as zero).
func PlaceRows[T autodiff.Float](sum, pick, v *autodiff.Var[T]) *autodiff.Var[T] {
	placed := autodiff.MatMul(pick, true, v, false)
	if sum == nil {
		return placed
	}
	return autodiff.Add(sum, placed)
}
