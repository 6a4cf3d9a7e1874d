package layers

import (
	"math"
	"testing"
)

func TestTanh32Eigen(t *testing.T) {
	// float32 rounding alone is 6e-8 near ±1; the approximation adds at most
	// a few units in the last place there.
	const tol = 4e-7
	for i := -2_000_000; i <= 2_000_000; i += 7 {
		x := float32(i) * 1e-5
		want := math.Tanh(float64(x))
		if got := float64(tanh32(x)); math.Abs(got-want) > tol {
			t.Fatalf("tanh32(%v): got %v want %v", x, got, want)
		}
	}
	for _, x := range []float32{float32(math.Inf(1)), 1e30, -1e30} {
		if got, want := tanh32(x), float32(math.Copysign(1, float64(x))); math.Abs(float64(got-want)) > tol {
			t.Errorf("tanh32(%v): got %v want %v", x, got, want)
		}
	}
	got, src := make([]float32, 3), []float32{-2, 0, 0.5}
	sigmoidTo(got, src)
	for i, x := range src {
		if want := 1 / (1 + math.Exp(-float64(x))); math.Abs(float64(got[i])-want) > tol {
			t.Errorf("sigmoidTo(%v): got %v want %v", x, got[i], want)
		}
	}
}
