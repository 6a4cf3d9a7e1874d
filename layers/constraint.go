package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Constraint maps a raw weight parameter W [rows×cols] to the effective
// weight E a layer computes with, PsychRNN-style:
//
//	E = W ⊙ M                 (Abs false)
//	E = |W ⊙ M| · diag(s)     (Abs true: Dale's law)
//
// M is the connectivity mask (Mask; nil = all connections), s the per-column
// (presynaptic) sign: +1 excitatory, −1 inhibitory, 0 for a column that must
// stay silent (inhibitory units are not read out). Fixed marks elements that
// are not trained: their gradient is zeroed, so an optimizer leaves them
// unchanged. The zero Constraint is the identity (E = W, every element
// trained).
//
// Because the sign and the mask live in the map and not in W, the effective
// weights keep their signs and zeros whatever the optimizer does to W.
type Constraint struct {
	Mask    []bool    // len rows·cols; false = no connection; nil = all
	Fixed   []bool    // len rows·cols; true = not trained; nil = all trained
	Abs     bool      // effective magnitude |W ⊙ M| (Dale's law)
	ColSign []float64 // len cols; multiplies column j; nil = all +1
}

// IsIdentity reports whether E = W and every element trains, so a layer
// can use W and its gradient directly.
func (c *Constraint) IsIdentity() bool {
	return c.Mask == nil && c.Fixed == nil && !c.Abs && c.ColSign == nil
}

// check panics unless the constraint fits a rows×cols weight named name.
func (c *Constraint) check(name string, rows, cols int) {
	if c.Mask != nil && len(c.Mask) != rows*cols {
		panic(fmt.Sprintf("layers: %s connectivity mask has %d elements, want %d×%d", name, len(c.Mask), rows, cols))
	}
	if c.Fixed != nil && len(c.Fixed) != rows*cols {
		panic(fmt.Sprintf("layers: %s fixed-weight mask has %d elements, want %d×%d", name, len(c.Fixed), rows, cols))
	}
	if c.ColSign != nil && len(c.ColSign) != cols {
		panic(fmt.Sprintf("layers: %s column signs have %d elements, want %d", name, len(c.ColSign), cols))
	}
}

// effectiveTo writes the effective weight of w ([len(w)/cols × cols]) into
// dst. It panics if the lengths differ.
func effectiveTo[T autodiff.Float](c *Constraint, dst, w []T, cols int) {
	if len(dst) != len(w) {
		panic(fmt.Sprintf("layers: Constraint effective weight length %d vs %d", len(dst), len(w)))
	}
	for k, v := range w {
		if c.Mask != nil && !c.Mask[k] {
			dst[k] = 0
			continue
		}
		if c.Abs {
			v = T(math.Abs(float64(v)))
		}
		if c.ColSign != nil {
			v *= T(c.ColSign[k%cols])
		}
		dst[k] = v
	}
}

// accGradTo adds to dw the gradient with respect to the raw weight w given
// dE, the gradient with respect to the effective weight:
// dW += dE ⊙ ∂E/∂W, zero where the weight is fixed or masked. ∂|v|/∂v is
// taken as sign(v) with sign(0) = +1 (a weight at zero keeps moving).
func accGradTo[T autodiff.Float](c *Constraint, dw, dE, w []T, cols int) {
	for k, g := range dE {
		if (c.Mask != nil && !c.Mask[k]) || (c.Fixed != nil && c.Fixed[k]) {
			continue
		}
		if c.ColSign != nil {
			g *= T(c.ColSign[k%cols])
		}
		if c.Abs && w[k] < 0 {
			g = -g
		}
		dw[k] += g
	}
}

// constrained is a weight parameter with its constraint: the raw Param and
// how to get the effective weight and map gradients back.
type constrained[T autodiff.Float] struct {
	p *autodiff.Param[T]
	c Constraint
}

// effective returns the effective weight for this forward pass: p.Value
// itself for an identity constraint, else a tape buffer holding E.
func (w *constrained[T]) effective(tp *autodiff.Tape[T]) autodiff.Tensor[T] {
	if w.c.IsIdentity() {
		return w.p.Value
	}
	e := tp.Alloc(w.p.Value.Rows, w.p.Value.Cols)
	effectiveTo(&w.c, e.Data, w.p.Value.Data, e.Cols)
	return e
}

// gradTarget returns where a backward pass should accumulate dE: the raw
// gradient g itself for an identity constraint, else the zeroed scratch s.
// After accumulating, call finish.
func (w *constrained[T]) gradTarget(g, s autodiff.Tensor[T]) autodiff.Tensor[T] {
	if w.c.IsIdentity() {
		return g
	}
	s.Zero()
	return s
}

// finish maps the scratch gradient s (dE) into g (dW) unless the constraint
// is the identity, in which case gradTarget already wrote g.
func (w *constrained[T]) finish(g, s autodiff.Tensor[T]) {
	if w.c.IsIdentity() {
		return
	}
	accGradTo(&w.c, g.Data, s.Data, w.p.Value.Data, g.Cols)
}

// DaleSigns returns the column signs of Dale's law for n units of which the
// first round(excFraction·n) are excitatory (+1) and the rest inhibitory
// (−1), as PsychRNN's dale_ratio. It panics unless 0 < excFraction ≤ 1.
func DaleSigns(n int, excFraction float64) []float64 {
	if !(excFraction > 0 && excFraction <= 1) {
		panic(fmt.Sprintf("layers: DaleSigns excitatory fraction %g outside (0, 1]", excFraction))
	}
	s := make([]float64, n)
	ne := NumExcitatory(n, excFraction)
	for i := range s {
		if i < ne {
			s[i] = 1
		} else {
			s[i] = -1
		}
	}
	return s
}

// NumExcitatory returns round(excFraction·n), the number of excitatory
// units under Dale's law.
func NumExcitatory(n int, excFraction float64) int {
	return int(math.Round(excFraction * float64(n)))
}
