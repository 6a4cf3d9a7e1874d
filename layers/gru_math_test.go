package layers

import (
	"math"
	"testing"
)

func TestSigmoidTo(t *testing.T) {
	// kernels.SigmoidTo's relative error bound (2.5e-7) on values ≤ 1, plus float32 rounding.
	const tol32 = 6e-7
	var x64 []float64
	var x32 []float32
	for v := -20.0; v <= 20; v += 1.0 / 512 {
		x64 = append(x64, v)
		x32 = append(x32, float32(v))
	}
	x64 = append(x64, math.Inf(1), math.Inf(-1))
	x32 = append(x32, float32(math.Inf(1)), float32(math.Inf(-1)))
	g64, g32 := make([]float64, len(x64)), make([]float32, len(x32))
	sigmoidTo(g64, x64)
	sigmoidTo(g32, x32)
	for i, x := range x64 {
		want := 1 / (1 + math.Exp(-x))
		if g64[i] != want {
			t.Fatalf("float64 σ(%g): got %v want %v", x, g64[i], want)
		}
		if d := math.Abs(float64(g32[i]) - 1/(1+math.Exp(-float64(x32[i])))); d > tol32 {
			t.Fatalf("float32 σ(%g): got %v, error %.2g", x, g32[i], d)
		}
	}
}
