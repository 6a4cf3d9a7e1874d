package dynamics

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// PCA is a projection onto the top principal components of a set of
// states.
type PCA struct {
	// Mean is the states' mean [N]; Components holds the top K principal
	// axes, [K][N], each of unit norm; Explained the fraction of the
	// variance along each.
	Mean       []float64
	Components [][]float64
	Explained  []float64
}

// FitPCA returns the top k principal components of the rows of x
// ([rows·n]). It returns an error if there are fewer than 2 rows or the
// decomposition fails, and panics if len(x) is not a multiple of n or k is
// not in [1, n].
func FitPCA(x []float64, n, k int) (PCA, error) {
	if n < 1 || len(x)%n != 0 || k < 1 || k > n {
		panic(fmt.Sprintf("dynamics: FitPCA: %d values, N = %d, k = %d", len(x), n, k))
	}
	rows := len(x) / n
	if rows < 2 {
		return PCA{}, fmt.Errorf("dynamics: PCA of %d states, need at least 2", rows)
	}
	var pc stat.PC
	if !pc.PrincipalComponents(mat.NewDense(rows, n, slices.Clone(x)), nil) {
		return PCA{}, fmt.Errorf("dynamics: PCA of %d states did not converge", rows)
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	p := PCA{Mean: make([]float64, n)}
	for i := range rows {
		for j := range n {
			p.Mean[j] += x[i*n+j] / float64(rows)
		}
	}
	_, cols := vecs.Dims()
	for c := range min(k, cols) {
		p.Components = append(p.Components, mat.Col(nil, c, &vecs))
		f := 0.0
		if total > 0 {
			f = vars[c] / total
		}
		p.Explained = append(p.Explained, f)
	}
	return p, nil
}

// Project returns the coordinates of the state s [N] on the components.
func (p PCA) Project(s []float64) []float64 {
	out := make([]float64, len(p.Components))
	for c, v := range p.Components {
		for j, x := range s {
			out[c] += (x - p.Mean[j]) * v[j]
		}
	}
	return out
}

// ProjectDirection returns the coordinates of the direction d [N] (no
// mean subtracted).
func (p PCA) ProjectDirection(d []float64) []float64 {
	out := make([]float64, len(p.Components))
	for c, v := range p.Components {
		for j, x := range d {
			out[c] += x * v[j]
		}
	}
	return out
}
