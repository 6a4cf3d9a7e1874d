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
