package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// StepMap is implemented by rate layers whose primary state variable
// (StateVars()[0]: x of a leaky layer integrating the state, r of one
// integrating the rate, h of a GRU or a low-rank layer) evolves by a smooth
// one-step map without noise,
//
//	s_{t+1} = F(s_t, u_t),
//
// the map whose fixed points, slow points and linearisation describe the
// network's dynamics (Sussillo & Barak 2013). F uses the weights as the
// layer's fused Sequence does (effective weights under Dale's law and the
// masks) and has no inactivation. Spiking layers do not implement it: their
// step is not differentiable.
type StepMap[T autodiff.Float] interface {
	// Step records F on tp for a batch: s is [B, N] (the primary state),
	// u is [B, inputs]; the result is [B, N]. Gradients flow into s, u and
	// the unfrozen parameters. It is one step of Sequence with that
	// initial state, composed of primitive ops. It panics on wrong shapes.
	Step(tp *autodiff.Tape[T], s, u *autodiff.Var[T]) *autodiff.Var[T]
	// Jacobians writes, in float64, the Jacobians of F at one point
	// (s [N], u [inputs]): ∂F/∂s into js [N·N] and ∂F/∂u into ju
	// [N·inputs], both row-major (js[i·N+j] = ∂F_i/∂s_j). It allocates
	// scratch space and panics on wrong lengths.
	Jacobians(js, ju, s, u []float64)
}

// CheckJacobians panics unless the Jacobian buffers and the point fit a
// layer of n units and in inputs.
func CheckJacobians(layer string, js, ju, s, u []float64, n, in int) {
	if len(js) != n*n || len(ju) != n*in || len(s) != n || len(u) != in {
		panic(fmt.Sprintf("layers: %s Jacobians got js %d, ju %d, s %d, u %d; want %d, %d, %d, %d",
			layer, len(js), len(ju), len(s), len(u), n*n, n*in, n, in))
	}
}

// CheckStep panics unless s is [B, n] and u is [B, in] for the same B.
func CheckStep[T autodiff.Float](layer string, s, u *autodiff.Var[T], n, in int) {
	if s.Value.Cols != n || u.Value.Cols != in || s.Value.Rows != u.Value.Rows || s.Value.Rows == 0 {
		panic(fmt.Sprintf("layers: %s Step got state %v and input %v, want [B, %d] and [B, %d]", layer, s.Value.Shape(), u.Value.Shape(), n, in))
	}
}

// Deriv returns φ'(x) in float64 (ReLU: 1 for x > 0, else 0). It panics
// if a is none of the Activation constants.
func (a Activation) Deriv(x float64) float64 {
	switch a {
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case Softplus:
		return sigmoid(x)
	case Identity:
		return 1
	}
	panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
}

// Apply returns φ(x) in float64. It panics if a is none of the Activation
// constants.
func (a Activation) Apply(x float64) float64 {
	switch a {
	case Tanh:
		return math.Tanh(x)
	case ReLU:
		return max(x, 0)
	case Softplus:
		return softplus(x)
	case Identity:
		return x
	}
	panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
}

// Float64s returns a float64 copy of v.
func Float64s[T autodiff.Float](v []T) []float64 {
	out := make([]float64, len(v))
	for k, x := range v {
		out[k] = float64(x)
	}
	return out
}
