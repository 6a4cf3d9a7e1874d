package lowrank

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Factors is a rank-R connectivity J = M·Nᵀ/Units between Units units,
// J[i][j] the weight from unit j to unit i, kept as its factors M and N
// ([Units, R] each, row-major, float64): the m and n of a low-rank layer.
type Factors struct {
	Units, R int
	M, N     []float64
}

// FactorsOf copies the factors m and n of a low-rank layer.
func FactorsOf[T autodiff.Float](l *Layer[T]) *Factors {
	f := &Factors{Units: l.Size(), R: l.Config.Rank}
	f.M, f.N = make([]float64, len(l.M.Value.Data)), make([]float64, len(l.N.Value.Data))
	for i, v := range l.M.Value.Data {
		f.M[i] = float64(v)
	}
	for i, v := range l.N.Value.Data {
		f.N[i] = float64(v)
	}
	return f
}

// check panics, naming op, unless f has positive sizes and M and N hold
// Units·R values each.
func (f *Factors) check(op string) {
	if f.Units < 1 || f.R < 1 || len(f.M) != f.Units*f.R || len(f.N) != f.Units*f.R {
		panic(fmt.Sprintf("lowrank: Factors.%s: %d units, rank %d with %d and %d values in M and N, want Units·R = %d each",
			op, f.Units, f.R, len(f.M), len(f.N), f.Units*f.R))
	}
}

// Tensors returns m and n as fresh float32 [Units, R] tensors (for
// Layer.SetFactors). It panics unless Units, R ≥ 1 and M and N hold
// Units·R values each.
func (f *Factors) Tensors() (m, n autodiff.Tensor[float32]) {
	f.check("Tensors")
	m, n = autodiff.NewTensor[float32](f.Units, f.R), autodiff.NewTensor[float32](f.Units, f.R)
	for i := range f.M {
		m.Data[i], n.Data[i] = float32(f.M[i]), float32(f.N[i])
	}
	return m, n
}

// Matrix returns J = M·Nᵀ/Units, [Units, Units] row-major, freshly
// allocated. It panics as Tensors does.
func (f *Factors) Matrix() []float64 {
	f.check("Matrix")
	u := f.Units
	j := mat.NewDense(u, u, nil)
	j.Mul(mat.NewDense(u, f.R, f.M), mat.NewDense(u, f.R, f.N).T())
	j.Scale(1/float64(u), j)
	return j.RawMatrix().Data
}

// Truncate returns the rank-r factors of the best rank-r approximation of
// f's connectivity (Eckart–Young), from its SVD: m = U_r S_r √N, n = V_r √N.
// It returns FromMatrix's errors and panics as Tensors does.
func (f *Factors) Truncate(r int) (*Factors, error) {
	return FromMatrix(f.Matrix(), f.Units, r)
}

// FromMatrix returns the rank-r factors of the connectivity j ([n, n]
// row-major, j[i*n+k] the weight from unit k to unit i) by its SVD J = U S
// Vᵀ: m = U_r S_r √n and n = V_r √n, so that M·Nᵀ/n is the best rank-r
// approximation of J. Singular vectors have numpy's sign ambiguity. It
// returns an error if r is not in [1, n], j is not n·n long or not finite,
// or the SVD fails.
func FromMatrix(j []float64, n, r int) (*Factors, error) {
	if n < 1 || len(j) != n*n {
		return nil, fmt.Errorf("low-rank factors: matrix of %d values is not %d×%d", len(j), n, n)
	}
	if r < 1 || r > n {
		return nil, fmt.Errorf("low-rank factors: rank %d outside [1, %d]", r, n)
	}
	for _, v := range j {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("low-rank factors: the connectivity has non-finite weights")
		}
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(n, n, append([]float64(nil), j...)), mat.SVDThin) {
		return nil, errors.New("low-rank factors: the SVD of the connectivity did not converge")
	}
	var u, v mat.Dense
	svd.UTo(&u)
	svd.VTo(&v)
	s := svd.Values(nil)
	root := math.Sqrt(float64(n))
	f := &Factors{Units: n, R: r, M: make([]float64, n*r), N: make([]float64, n*r)}
	for i := range n {
		for q := range r {
			f.M[i*r+q] = u.At(i, q) * s[q] * root
			f.N[i*r+q] = v.At(i, q) * root
		}
	}
	return f, nil
}

// SingularValues returns the singular values of j ([n, n] row-major),
// largest first.
func SingularValues(j []float64, n int) ([]float64, error) {
	if n < 1 || len(j) != n*n {
		return nil, fmt.Errorf("singular values: matrix of %d values is not %d×%d", len(j), n, n)
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(n, n, append([]float64(nil), j...)), mat.SVDNone) {
		return nil, errors.New("singular values: the SVD did not converge")
	}
	return svd.Values(nil), nil
}
