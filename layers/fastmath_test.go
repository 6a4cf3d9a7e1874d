package layers

import (
	"math"
	"testing"
)

// TestTanh32 checks tanh32To against math.Tanh on a dense grid over
// [−12, 12] (every regime and both branch boundaries) at 4e-7 absolute
// error: float32's spacing near 1 is 6e-8, so this is a few ulps.
func TestTanh32(t *testing.T) {
	t.Parallel()
	var xs []float32
	for v := -12.0; v <= 12; v += 1.0 / 4096 {
		xs = append(xs, float32(v))
	}
	xs = append(xs, 0, 0.25, -0.25, 9, -9, 1e-30, -1e-30)
	got := make([]float32, len(xs))
	tanh32To(got, xs)
	worst := 0.0
	for i, x := range xs {
		want := math.Tanh(float64(x))
		if d := math.Abs(float64(got[i]) - want); d > worst {
			worst = d
		}
		if d := math.Abs(float64(got[i]) - want); d > 4e-7 {
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
