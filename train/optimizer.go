package train

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Optimizer updates parameters in place from their gradients. Frozen
// parameters are skipped. The parameter list must be the same, in the same
// order, at every call: optimizers keep per-parameter state by position.
type Optimizer interface {
	Step(params []*autodiff.Param[float32], lr float64)
}

// Adam is Kingma & Ba's optimizer with PyTorch's defaults when its fields are
// zero: β1 = 0.9, β2 = 0.999, ε = 1e-8.
//
//	m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²
//	θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ)
type Adam struct {
	Beta1, Beta2, Eps float64

	t    int
	m, v [][]float32
}

// Step performs one Adam update. It allocates its moment buffers on the
// first call only.
func (a *Adam) Step(params []*autodiff.Param[float32], lr float64) {
	b1, b2, eps := a.Beta1, a.Beta2, a.Eps
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	if a.m == nil {
		a.m = make([][]float32, len(params))
		a.v = make([][]float32, len(params))
		for i, p := range params {
			a.m[i] = make([]float32, p.Value.Len())
			a.v[i] = make([]float32, p.Value.Len())
		}
	}
	a.t++
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	step := float32(lr / c1)
	fb1, fb2 := float32(b1), float32(b2)
	sc2 := float32(1 / math.Sqrt(c2))
	feps := float32(eps)
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, v, g, w := a.m[i], a.v[i], p.Grad.Data, p.Value.Data
		for k := range w {
			gk := g[k]
			m[k] = fb1*m[k] + (1-fb1)*gk
			v[k] = fb2*v[k] + (1-fb2)*gk*gk
			w[k] -= step * m[k] / (float32(math.Sqrt(float64(v[k])))*sc2 + feps)
		}
	}
}
