package lowrank

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Latent is the reduced latent system of a low-rank network (Mastrogiuseppe
// & Ostojic 2018; Dubreuil et al. 2022): the state is
// h(t) = Σ_r κ_r(t) m_r + Σ_s v_s(t) I_s + h⊥(t), with I_s = s_i[s]·wi[s, :]
// the input vectors, and one step of the network is exactly
//
//	κ_{t+1} = (1−α) κ_t + α nᵀ φ(M κ_t + Iᵀ v_t + h⊥_t + b)/N
//	v_{t+1} = (1−α) v_t + α u_t
//	h⊥_{t+1} = (1−α) h⊥_t
//
// (the Euler form of τκ̇ = −κ + nᵀφ(·)/N, τv̇ = −v + u). The component h⊥
// orthogonal to the m_r and I_s only decays; it is zero when h0 = 0. So
// the R + NIn numbers κ, v (and h⊥_0) determine the whole trajectory.
type Latent struct {
	Units, R, NIn int
	Alpha         float64
	Activation    layers.Activation
	// M, N are the factors [Units, R]; I the input vectors [NIn, Units];
	// B the bias [Units]. Row-major float64 copies of the layer's.
	M, N, I, B []float64

	chol  mat.Cholesky // of the Gram matrix of the rows of basis
	basis *mat.Dense   // [R+NIn, Units]: m_1…m_R, I_1…I_S, each scaled to norm 1
	norms []float64    // [R+NIn]: their norms before the scaling
}

// NewLatent returns the latent system of l. It returns an error if the
// vectors m_r and I_s are linearly dependent (the coordinates κ, v are then
// not unique): one is zero, or the Gram matrix of the vectors scaled to
// norm 1 has a condition number above 10¹².
func NewLatent[T autodiff.Float](l *Layer[T]) (*Latent, error) {
	c := l.Config
	n, r, in := c.Hidden, c.Rank, c.Inputs
	z := &Latent{Units: n, R: r, NIn: in, Alpha: c.Alpha, Activation: c.Activation,
		M: f64(l.M.Value.Data), N: f64(l.N.Value.Data), I: make([]float64, in*n), B: f64(l.B.Value.Data)}
	for s := range in {
		for j := range n {
			z.I[s*n+j] = float64(l.SI.Value.Data[s]) * float64(l.WI.Value.Data[s*n+j])
		}
	}
	k := r + in
	z.basis = mat.NewDense(k, n, nil)
	for q := range r {
		for j := range n {
			z.basis.Set(q, j, z.M[j*r+q])
		}
	}
	for s := range in {
		z.basis.SetRow(r+s, z.I[s*n:(s+1)*n])
	}
	// Scaled to norm 1, the vectors' Gram matrix is ill-conditioned only
	// when they are nearly dependent, not when their sizes differ (m of
	// norm 10⁴ beside inputs of norm 10⁻⁴).
	z.norms = make([]float64, k)
	for a := range k {
		row := z.basis.RawRowView(a)
		if z.norms[a] = floats.Norm(row, 2); z.norms[a] == 0 {
			return nil, fmt.Errorf("latent system: the %d vectors m_1…m_%d, I_1…I_%d are linearly dependent (%s is zero)", k, r, in, latentVector(a, r))
		}
		floats.Scale(1/z.norms[a], row)
	}
	var gram mat.SymDense
	gram.SymOuterK(1, z.basis)
	if !z.chol.Factorize(&gram) || z.chol.Cond() > 1e12 {
		return nil, fmt.Errorf("latent system: the %d vectors m_1…m_%d, I_1…I_%d are linearly dependent", k, r, in)
	}
	return z, nil
}

// latentVector names vector a of the latent basis m_1…m_r, I_1…I_S.
func latentVector(a, r int) string {
	if a < r {
		return fmt.Sprintf("m_%d", a+1)
	}
	return fmt.Sprintf("I_%d", a-r+1)
}

func f64[T autodiff.Float](x []T) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// Project returns the coordinates of the state h ([Units]) on the latent
// vectors, by least squares: κ [R], v [NIn] and the orthogonal remainder
// h⊥ = h − Mκ − Iᵀv [Units]. It allocates and panics if len(h) != Units.
func (z *Latent) Project(h []float64) (kappa, v, perp []float64) {
	if len(h) != z.Units {
		panic(fmt.Sprintf("lowrank: Latent.Project state of %d values for %d units", len(h), z.Units))
	}
	var rhs, c mat.VecDense
	rhs.MulVec(z.basis, mat.NewVecDense(z.Units, append([]float64(nil), h...)))
	if err := z.chol.SolveVecTo(&c, &rhs); err != nil {
		panic(fmt.Sprintf("lowrank: Latent.Project: %v", err)) // the factorisation succeeded in NewLatent
	}
	coef := c.RawVector().Data
	floats.Div(coef, z.norms) // the coordinates on the vectors before their scaling
	kappa, v = append([]float64(nil), coef[:z.R]...), append([]float64(nil), coef[z.R:]...)
	perp = append([]float64(nil), h...)
	z.addState(perp, kappa, v, -1)
	return kappa, v, perp
}

// addState adds sign·(M κ + Iᵀ v) to dst.
func (z *Latent) addState(dst, kappa, v []float64, sign float64) {
	n, r := z.Units, z.R
	for j := range n {
		s := 0.0
		for q := range r {
			s += z.M[j*r+q] * kappa[q]
		}
		for k := range z.NIn {
			s += z.I[k*n+j] * v[k]
		}
		dst[j] += sign * s
	}
}

// Trajectory is a run of the latent system: values after each step,
// time-major, like the network's states.
type Trajectory struct {
	Steps, Batch int
	Kappa        []float64 // [steps·batch, R]
	V            []float64 // [steps·batch, NIn]
}

// Simulate runs the latent system for steps steps of batch sequences from
// the state h0 ([Units], shared by the batch; nil = 0) with inputs u
// ([steps·batch, NIn], time-major), without noise, and returns κ and v
// after each step. It costs O(steps·batch·Units·(R+NIn)) and never forms
// the Units×Units connectivity. It returns an error if u has the wrong
// length or h0 the wrong size.
func (z *Latent) Simulate(u []float64, steps, batch int, h0 []float64) (*Trajectory, error) {
	if steps < 1 || batch < 1 || len(u) != steps*batch*z.NIn {
		return nil, fmt.Errorf("latent system: %d inputs for %d steps of %d sequences of %d inputs", len(u), steps, batch, z.NIn)
	}
	if h0 == nil {
		h0 = make([]float64, z.Units)
	}
	if len(h0) != z.Units {
		return nil, fmt.Errorf("latent system: initial state of %d values for %d units", len(h0), z.Units)
	}
	n, r, in, a := z.Units, z.R, z.NIn, z.Alpha
	k0, v0, perp := z.Project(h0)
	tr := &Trajectory{Steps: steps, Batch: batch, Kappa: make([]float64, steps*batch*r), V: make([]float64, steps*batch*in)}
	kappa, v := make([]float64, batch*r), make([]float64, batch*in)
	for b := range batch {
		copy(kappa[b*r:], k0)
		copy(v[b*in:], v0)
	}
	x := make([]float64, n)
	decay := 1.0
	for t := range steps {
		for b := range batch {
			kb, vb := kappa[b*r:(b+1)*r], v[b*in:(b+1)*in]
			for j := range n {
				x[j] = decay*perp[j] + z.B[j]
			}
			z.addState(x, kb, vb, 1)
			layers.ApplyTo(z.Activation, x, x)
			for q := range r {
				s := 0.0
				for j := range n {
					s += z.N[j*r+q] * x[j]
				}
				kb[q] = (1-a)*kb[q] + a*s/float64(n)
			}
			row := t*batch + b
			for k := range in {
				vb[k] = (1-a)*vb[k] + a*u[row*in+k]
			}
			copy(tr.Kappa[row*r:(row+1)*r], kb)
			copy(tr.V[row*in:(row+1)*in], vb)
		}
		decay *= 1 - a
	}
	return tr, nil
}

// ProjectStates returns κ [rows, R] and v [rows, NIn] of the states h
// ([rows, Units] row-major, e.g. a network's recorded states), by
// Project. It returns an error if the length is not a multiple of Units.
func (z *Latent) ProjectStates(h []float64) (kappa, v []float64, err error) {
	if len(h)%z.Units != 0 {
		return nil, nil, errors.New("latent system: states are not rows of the network's units")
	}
	rows := len(h) / z.Units
	kappa, v = make([]float64, rows*z.R), make([]float64, rows*z.NIn)
	for i := range rows {
		k, vv, _ := z.Project(h[i*z.Units : (i+1)*z.Units])
		copy(kappa[i*z.R:], k)
		copy(v[i*z.NIn:], vv)
	}
	return kappa, v, nil
}
