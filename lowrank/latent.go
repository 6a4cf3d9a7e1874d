package lowrank

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Readout records the library's output z = rates·(W_out ⊙ s_o)/N on tp:
// rates is [rows, N] (Sequence's output with Config.Rates = RatesTanh for
// the library's model), the result is [rows, Outputs]. It is composed of
// primitive ops (one MatMul over all rows); wo and so receive gradients
// unless frozen.
//
// It panics if the layer has no outputs or rates is not [rows, N].
func (l *Layer[T]) Readout(tp *autodiff.Tape[T], rates *autodiff.Var[T]) *autodiff.Var[T] {
	n := l.Config.Hidden
	if l.WO == nil {
		panic("lowrank: Layer.Readout on a layer built with Outputs = 0")
	}
	if rates.Value.Cols != n {
		panic(fmt.Sprintf("lowrank: Layer.Readout rates shape %v, want [rows %d]", rates.Value.Shape(), n))
	}
	w := autodiff.Mul(tp.Param(l.WO), tp.Param(l.SO)) // [N, O] ⊙ [1, O]: column scaling
	scale := tp.Alloc(1, 1)
	scale.Data[0] = 1 / T(n)
	return autodiff.Mul(autodiff.MatMul(rates, false, w, false), tp.Const(scale))
}

// KappaTo writes into dst ([rows, R]) the latent recurrent variables
//
//	κ_r = n_rᵀ·φ(h + b)/N
//
// of the states h in the rows of states ([rows, N], e.g. the final states or
// recorded h_t), the drive each rank-one component receives. It allocates
// one row of scratch and panics if a shape is wrong.
func (l *Layer[T]) KappaTo(dst, states autodiff.Tensor[T]) {
	n, r := l.Config.Hidden, l.Config.Rank
	if states.Cols != n || dst.Rows != states.Rows || dst.Cols != r {
		panic(fmt.Sprintf("lowrank: Layer.KappaTo shapes dst %v, states %v, want [rows %d] and [rows %d]", dst.Shape(), states.Shape(), r, n))
	}
	a := make([]T, n)
	for i := 0; i < states.Rows; i++ {
		for j, v := range states.Data[i*n : (i+1)*n] {
			a[j] = v + l.B.Value.Data[j]
		}
		layers.ApplyTo(l.Config.Activation, a, a)
		for q := 0; q < r; q++ {
			var s T
			for j, v := range a {
				s += v * l.N.Value.Data[j*r+q]
			}
			dst.Data[i*r+q] = s / T(n)
		}
	}
}

// ProjectTo writes into kappa ([rows, R]) and v ([rows, Inputs]) the
// coordinates of each state h (a row of states, [rows, N]) on the recurrent
// and input subspaces,
//
//	h ≈ Σ_r κ_r m_r + Σ_s v_s I_s,  I_s = s_i[s]·wi[s, :],
//
// by least squares (the latent reduction of Mastrogiuseppe & Ostojic 2018
// and Dubreuil et al. 2022; the part of h orthogonal to these vectors
// decays). It works in float64 and allocates. It returns an error if the
// vectors m_r, I_s are linearly dependent, and panics if a shape is wrong.
func (l *Layer[T]) ProjectTo(kappa, v, states autodiff.Tensor[T]) error {
	n, r, in := l.Config.Hidden, l.Config.Rank, l.Config.Inputs
	if states.Cols != n || kappa.Rows != states.Rows || kappa.Cols != r || v.Rows != states.Rows || v.Cols != in {
		panic(fmt.Sprintf("lowrank: Layer.ProjectTo shapes kappa %v, v %v, states %v, want [rows %d], [rows %d], [rows %d]", kappa.Shape(), v.Shape(), states.Shape(), r, in, n))
	}
	k := r + in
	basis := make([][]float64, k) // m_1 … m_R, I_1 … I_S
	for q := 0; q < r; q++ {
		basis[q] = make([]float64, n)
		for j := range n {
			basis[q][j] = float64(l.M.Value.Data[j*r+q])
		}
	}
	for s := 0; s < in; s++ {
		basis[r+s] = make([]float64, n)
		for j := range n {
			basis[r+s][j] = float64(l.SI.Value.Data[s] * l.WI.Value.Data[s*n+j])
		}
	}
	gram := make([]float64, k*k)
	for a := range k {
		for b := range k {
			gram[a*k+b] = dot(basis[a], basis[b])
		}
	}
	chol, ok := cholesky(gram, k)
	if !ok {
		return fmt.Errorf("low-rank projection: the %d vectors m_1…m_%d, I_1…I_%d are linearly dependent", k, r, in)
	}
	h, c := make([]float64, n), make([]float64, k)
	for i := 0; i < states.Rows; i++ {
		for j, x := range states.Data[i*n : (i+1)*n] {
			h[j] = float64(x)
		}
		for a := range k {
			c[a] = dot(basis[a], h)
		}
		choleskySolve(chol, k, c)
		for q := 0; q < r; q++ {
			kappa.Data[i*r+q] = T(c[q])
		}
		for s := 0; s < in; s++ {
			v.Data[i*in+s] = T(c[r+s])
		}
	}
	return nil
}

// cholesky returns the lower factor L (row-major k×k) of the symmetric
// matrix a = L·Lᵀ, or false if a is not (numerically) positive definite.
func cholesky(a []float64, k int) ([]float64, bool) {
	l := make([]float64, k*k)
	scale := 0.0
	for i := range k {
		scale = max(scale, a[i*k+i])
	}
	for i := range k {
		for j := 0; j <= i; j++ {
			s := a[i*k+j]
			for p := 0; p < j; p++ {
				s -= l[i*k+p] * l[j*k+p]
			}
			if i == j {
				if s <= 1e-12*scale {
					return nil, false
				}
				l[i*k+i] = math.Sqrt(s)
			} else {
				l[i*k+j] = s / l[j*k+j]
			}
		}
	}
	return l, true
}

// choleskySolve overwrites b with the solution x of L·Lᵀ·x = b.
func choleskySolve(l []float64, k int, b []float64) {
	for i := range k {
		for p := 0; p < i; p++ {
			b[i] -= l[i*k+p] * b[p]
		}
		b[i] /= l[i*k+i]
	}
	for i := k - 1; i >= 0; i-- {
		for p := i + 1; p < k; p++ {
			b[i] -= l[p*k+i] * b[p]
		}
		b[i] /= l[i*k+i]
	}
}
