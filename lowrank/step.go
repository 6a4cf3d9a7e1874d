package lowrank

import (
	"fmt"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

var _ layers.StepMap[float64] = (*Layer[float64])(nil)

// phiRef records φ(v) with primitive ops.
func (l *Layer[T]) phiRef(v *autodiff.Var[T]) *autodiff.Var[T] {
	switch l.Config.Activation {
	case layers.Tanh:
		return autodiff.Tanh(v)
	case layers.ReLU:
		return autodiff.ReLU(v)
	case layers.Softplus:
		return autodiff.Softplus(v)
	case layers.Identity:
		return v
	}
	panic(fmt.Sprintf("lowrank: unknown activation %v", l.Config.Activation))
}

// Step implements layers.StepMap: one update of the state h [B, N] under
// the inputs u [B, I],
//
//	F(h, u) = h + α(−h + φ(h + b)·n·mᵀ/N + (u ⊙ s_i)·W_in).
func (l *Layer[T]) Step(tp *autodiff.Tape[T], h, u *autodiff.Var[T]) *autodiff.Var[T] {
	cfg := l.Config
	layers.CheckStep("lowrank", h, u, cfg.Hidden, cfg.Inputs)
	m, nn, wi, si, b := tp.Param(l.M), tp.Param(l.N), tp.Param(l.WI), tp.Param(l.SI), tp.Param(l.B)
	kappa := autodiff.Scale(autodiff.MatMul(l.phiRef(autodiff.Add(h, b)), false, nn, false), 1/T(cfg.Hidden))
	drive := autodiff.Add(autodiff.MatMul(kappa, false, m, true), autodiff.MatMul(autodiff.Mul(u, si), false, wi, false))
	return autodiff.Add(h, autodiff.Scale(autodiff.Sub(drive, h), T(cfg.Alpha)))
}

// Jacobians implements layers.StepMap:
//
//	∂F/∂h = (1−α) I + α (m nᵀ/N) diag(φ'(h + b)),  ∂F_i/∂u_k = α s_i[k] W_in[k, i].
func (l *Layer[T]) Jacobians(js, ju, h, u []float64) {
	cfg := l.Config
	n, r, in, a := cfg.Hidden, cfg.Rank, cfg.Inputs, cfg.Alpha
	layers.CheckJacobians("lowrank", js, ju, h, u, n, in)
	d := make([]float64, n)
	for j, v := range h {
		d[j] = a * cfg.Activation.Deriv(v+float64(l.B.Value.Data[j])) / float64(n)
	}
	m, nf := l.M.Value.Data, l.N.Value.Data
	for i := range n {
		for j := range n {
			s := 0.0
			for k := range r {
				s += float64(m[i*r+k]) * float64(nf[j*r+k])
			}
			js[i*n+j] = s * d[j]
		}
		js[i*n+i] += 1 - a
		for k := range in {
			ju[i*in+k] = a * float64(l.SI.Value.Data[k]) * float64(l.WI.Value.Data[k*n+i])
		}
	}
}
