package layers

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

var _ StepMap[float64] = (*GRU[float64])(nil)

// Step implements StepMap: one GRU update h' = (1 − z) ⊙ n + z ⊙ h (see
// GRU) of the batch h [B, N] under the inputs u [B, I].
func (g *GRU[T]) Step(tp *autodiff.Tape[T], h, u *autodiff.Var[T]) *autodiff.Var[T] {
	n := g.hidden
	CheckStep("GRU", h, u, n, g.inputs)
	wih, whh, bih, bhh := tp.Param(g.WeightIH), tp.Param(g.WeightHH), tp.Param(g.BiasIH), tp.Param(g.BiasHH)
	gi := autodiff.Add(autodiff.MatMul(u, false, wih, true), bih) // [B, 3N]
	gh := autodiff.Add(autodiff.MatMul(h, false, whh, true), bhh)
	gate := func(v *autodiff.Var[T], k int) *autodiff.Var[T] { return autodiff.Slice(v, k*n, (k+1)*n) }
	r := autodiff.Sigmoid(autodiff.Add(gate(gi, 0), gate(gh, 0)))
	z := autodiff.Sigmoid(autodiff.Add(gate(gi, 1), gate(gh, 1)))
	cand := autodiff.Tanh(autodiff.Add(gate(gi, 2), autodiff.Mul(r, gate(gh, 2))))
	return autodiff.Add(cand, autodiff.Mul(z, autodiff.Sub(h, cand))) // (1−z)⊙n + z⊙h
}

// Jacobians implements StepMap. With a_n = W_in u + b_in + r ⊙ g,
// g = W_hn h + b_hn:
//
//	∂h'_i/∂h_j = (1−z_i)(1−n_i²)(r_i W_hn[i,j] + g_i r_i(1−r_i) W_hr[i,j]) + (h_i−n_i) z_i(1−z_i) W_hz[i,j] + z_i δ_ij
//	∂h'_i/∂u_k = (1−z_i)(1−n_i²)(W_in[i,k] + g_i r_i(1−r_i) W_ir[i,k]) + (h_i−n_i) z_i(1−z_i) W_iz[i,k]
func (g *GRU[T]) Jacobians(js, ju, h, u []float64) {
	n, in := g.hidden, g.inputs
	CheckJacobians("GRU", js, ju, h, u, n, in)
	wih, whh := g.WeightIH.Value.Data, g.WeightHH.Value.Data
	bih, bhh := g.BiasIH.Value.Data, g.BiasHH.Value.Data
	// pre returns row `row` of W_ih u + b_ih and of W_hh h + b_hh.
	pre := func(row int) (float64, float64) {
		a, b := float64(bih[row]), float64(bhh[row])
		for k, v := range u {
			a += float64(wih[row*in+k]) * v
		}
		for j, v := range h {
			b += float64(whh[row*n+j]) * v
		}
		return a, b
	}
	for i := range n {
		ir, hr := pre(i)
		iz, hz := pre(n + i)
		an, gn := pre(2*n + i)
		r := 1 / (1 + math.Exp(-(ir + hr)))
		z := 1 / (1 + math.Exp(-(iz + hz)))
		c := math.Tanh(an + r*gn)
		dn := (1 - z) * (1 - c*c) // ∂h'/∂a_n
		dr := dn * gn * r * (1 - r)
		dz := (h[i] - c) * z * (1 - z)
		for j := range n {
			js[i*n+j] = dn*r*float64(whh[(2*n+i)*n+j]) + dr*float64(whh[i*n+j]) + dz*float64(whh[(n+i)*n+j])
		}
		js[i*n+i] += z
		for k := range in {
			ju[i*in+k] = dn*float64(wih[(2*n+i)*in+k]) + dr*float64(wih[i*in+k]) + dz*float64(wih[(n+i)*in+k])
		}
	}
}
