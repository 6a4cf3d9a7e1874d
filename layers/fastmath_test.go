package layers

import (
	"math"
	"testing"
)

// TestTanh32 checks tanh32To against math.Tanh on a dense grid over
// [−12, 12] (both sides of the clamp at ±8) at 1e-6 absolute error, the
// fit's 7.7e-7 plus float32 rounding.
func TestTanh32(t *testing.T) {
	t.Parallel()
	var xs []float32
	for v := -12.0; v <= 12; v += 1.0 / 4096 {
		xs = append(xs, float32(v))
	}
	xs = append(xs, 0, 8, -8, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-30, -1e-30)
	got := make([]float32, len(xs))
	tanh32To(got, xs)
	worst := 0.0
	for i, x := range xs {
		want := math.Tanh(float64(x))
		if d := math.Abs(float64(got[i]) - want); d > worst {
			worst = d
		}
		if d := math.Abs(float64(got[i]) - want); d > 1e-6 {
			t.Fatalf("tanh32(%g) = %.9g, want %.9g (error %.2g)", x, got[i], want, d)
		}
	}
	t.Logf("max abs error %.3g", worst)
}

func BenchmarkTanh32(b *testing.B) {
	x := make([]float32, 2048)
	for i := range x {
		x[i] = float32(i-1024) / 256
	}
	y := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		tanh32To(y, x)
	}
}

func BenchmarkTanhMath(b *testing.B) {
	x := make([]float32, 2048)
	for i := range x {
		x[i] = float32(i-1024) / 256
	}
	y := make([]float32, len(x))
	b.SetBytes(int64(4 * len(x)))
	for b.Loop() {
		for i, v := range x {
			y[i] = float32(math.Tanh(float64(v)))
		}
	}
}
