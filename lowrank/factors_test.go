package lowrank

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFromMatrix: the SVD factors of a rank-2 connectivity rebuild it
// exactly at rank 2, and at rank 1 leave an error equal to the second
// singular value (Eckart–Young, spectral norm ≤ Frobenius error).
func TestFromMatrix(t *testing.T) {
	t.Parallel()
	const n = 12
	rng := rand.New(rand.NewPCG(4, 4))
	f := &Factors{Units: n, R: 2, M: make([]float64, 2*n), N: make([]float64, 2*n)}
	for i := range f.M {
		f.M[i], f.N[i] = rng.NormFloat64(), rng.NormFloat64()
	}
	j := f.Matrix()
	g, err := FromMatrix(j, n, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range g.Matrix() {
		if math.Abs(v-j[i]) > 1e-12 {
			t.Fatalf("rank-2 rebuild differs at %d: got %v, want %v", i, v, j[i])
		}
	}
	s, err := SingularValues(j, n)
	if err != nil {
		t.Fatal(err)
	}
	if s[2] > 1e-12*s[0] {
		t.Fatalf("singular values %v: a rank-2 matrix has a third", s[:3])
	}
	one, err := g.Truncate(1)
	if err != nil {
		t.Fatal(err)
	}
	var fro float64
	for i, v := range one.Matrix() {
		fro += (v - j[i]) * (v - j[i])
	}
	if math.Abs(math.Sqrt(fro)-s[1]) > 1e-9 {
		t.Fatalf("rank-1 error %v, want the second singular value %v", math.Sqrt(fro), s[1])
	}
	if _, err := FromMatrix(j, n, n+1); err == nil {
		t.Fatal("rank above n accepted")
	}
	j[3] = math.NaN()
	if _, err := FromMatrix(j, n, 1); err == nil {
		t.Fatal("NaN connectivity accepted")
	}
}

// TestFactorsShapeCheck: Factors whose M or N does not hold Units·R values
// panic with a message naming the method and the sizes, instead of an
// index out of range (Tensors) or a gonum dimension panic (Matrix).
func TestFactorsShapeCheck(t *testing.T) {
	t.Parallel()
	bad := &Factors{Units: 3, R: 1, M: make([]float64, 3), N: make([]float64, 4)}
	for name, f := range map[string]func(){
		"Tensors":  func() { bad.Tensors() },
		"Matrix":   func() { bad.Matrix() },
		"Truncate": func() { _, _ = bad.Truncate(1) },
	} {
		want := "lowrank: Factors.Tensors: 3 units, rank 1 with 3 and 4 values in M and N, want Units·R = 3 each"
		if name != "Tensors" {
			want = "lowrank: Factors.Matrix: 3 units, rank 1 with 3 and 4 values in M and N, want Units·R = 3 each"
		}
		func() {
			defer func() {
				if got := recover(); got != want {
					t.Errorf("%s: panic %v, want %q", name, got, want)
				}
			}()
			f()
		}()
	}
	good := &Factors{Units: 2, R: 1, M: []float64{1, 2}, N: []float64{3, 4}}
	if got := good.Matrix(); got[1] != 1*4/2.0 {
		t.Errorf("J[0][1] = %g, want m_0·n_1/Units = 2", got[1])
	}
}
