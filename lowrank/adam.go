package lowrank

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// adam is Adam with PyTorch's defaults (β = 0.9, 0.999, ε = 1e-8) for the
// fits' few parameters. The package cannot use train's optimizers: train's
// tests import the network package, which imports this one, so the import
// would be a cycle.
type adam struct {
	step int
	m, v [][]float32
}

// update takes one Adam step of size lr on the parameters that are not
// frozen, from their gradients.
func (a *adam) update(params []*autodiff.Param[float32], lr float64) {
	if a.m == nil {
		a.m, a.v = make([][]float32, len(params)), make([][]float32, len(params))
		for i, p := range params {
			a.m[i], a.v[i] = make([]float32, p.Value.Len()), make([]float32, p.Value.Len())
		}
	}
	a.step++
	const b1, b2, eps = 0.9, 0.999, 1e-8
	c1, c2 := 1-math.Pow(b1, float64(a.step)), 1-math.Pow(b2, float64(a.step))
	for i, p := range params {
		if p.Frozen {
			continue
		}
		m, v := a.m[i], a.v[i]
		for k, g := range p.Grad.Data {
			m[k] = b1*m[k] + (1-b1)*g
			v[k] = b2*v[k] + (1-b2)*g*g
			p.Value.Data[k] -= float32(lr * float64(m[k]) / c1 / (math.Sqrt(float64(v[k])/c2) + eps))
		}
	}
}

// gradNorm is the Euclidean norm of every gradient, in float64.
func gradNorm(params []*autodiff.Param[float32]) float64 {
	var s float64
	for _, p := range params {
		for _, g := range p.Grad.Data {
			s += float64(g) * float64(g)
		}
	}
	return math.Sqrt(s)
}
