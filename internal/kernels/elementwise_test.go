package kernels

import (
	"math"
	"testing"
)

// elementwiseInputs returns the float32 values on a 2⁻¹² grid over [-30, 30]
// and a 2⁻⁸ grid over [-90, 90], the special values, and the boundaries of
// the vector algorithms.
func elementwiseInputs() []float32 {
	var xs []float32
	for x := -30.0; x <= 30; x += 0x1p-12 {
		xs = append(xs, float32(x))
	}
	for x := -90.0; x <= 90; x += 0x1p-8 {
		xs = append(xs, float32(x))
	}
	return append(xs, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 1e-8, -1e-8, 0.625, -0.625,
		0.62499994, 88.72283, 88.7229, 89, -86.9, -87.3, -87.34, -88, -100, 100, 1000, -1000,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()))
}

// TestElementwiseAccuracy checks the documented error bounds of the float32
// element-wise kernels against float64 math, odd lengths included.
func TestElementwiseAccuracy(t *testing.T) {
	xs := elementwiseInputs()
	for _, tc := range []struct {
		name   string
		f      func(dst, src []float32)
		ref    func(float64) float64
		relTol float64
		absTol float64 // where the reference is below tiny
		tiny   float64
	}{
		{"ExpTo", ExpTo, math.Exp, 1.5e-7, 0x1p-125, 0x1p-125},
		{"SigmoidTo", SigmoidTo, sigmoid64, 2.5e-7, 2.4e-38, 2.4e-38},
		{"TanhTo", TanhTo, math.Tanh, 2.5e-7, 0, 0},
	} {
		for _, n := range []int{len(xs), 13, 7, 1, 0} {
			src := xs[:n]
			dst := make([]float32, n)
			tc.f(dst, src)
			maxRel := 0.0
			for i, x := range src {
				want, got := tc.ref(float64(x)), float64(dst[i])
				switch {
				case math.IsNaN(want):
					if !math.IsNaN(got) {
						t.Fatalf("%s(%v) = %v, want NaN", tc.name, x, got)
					}
					continue
				case math.IsInf(float64(float32(want)), 0) || want == 0:
					if float64(float32(want)) != got {
						t.Fatalf("%s(%v) = %v, want %v", tc.name, x, got, float32(want))
					}
					continue
				case math.Abs(want) < tc.tiny:
					if d := math.Abs(got - want); d > tc.absTol {
						t.Fatalf("%s(%v) = %v, want %v (abs error %.3g > %.3g)", tc.name, x, got, want, d, tc.absTol)
					}
					continue
				}
				rel := math.Abs(got-want) / math.Abs(want)
				maxRel = max(maxRel, rel)
				if rel > tc.relTol {
					t.Fatalf("%s(%v) = %v, want %v (relative error %.3g > %.3g)", tc.name, x, got, want, rel, tc.relTol)
				}
			}
			if n == len(xs) {
				t.Logf("%s: max relative error %.3g over %d inputs", tc.name, maxRel, n)
			}
		}
	}
}

func TestElementwiseInPlaceAndPanics(t *testing.T) {
	xs := []float32{-2, -0.5, 0, 0.3, 1, 4, 9, 20, 0.1}
	want := make([]float32, len(xs))
	TanhTo(want, xs)
	got := append([]float32(nil), xs...)
	TanhTo(got, got)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("in-place TanhTo[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("TanhTo with mismatched lengths did not panic")
		}
	}()
	TanhTo(got[:3], xs)
}

func TestElementwise64(t *testing.T) {
	src := []float64{-3, 0, 0.5, 2}
	dst := make([]float64, len(src))
	for _, tc := range []struct {
		f   func(dst, src []float64)
		ref func(float64) float64
	}{{ExpTo64, math.Exp}, {SigmoidTo64, sigmoid64}, {TanhTo64, math.Tanh}} {
		tc.f(dst, src)
		for i, x := range src {
			if dst[i] != tc.ref(x) {
				t.Fatalf("f(%v) = %v, want %v", x, dst[i], tc.ref(x))
			}
		}
	}
}

func BenchmarkElementwise(b *testing.B) {
	src := make([]float32, 64*256)
	for i := range src {
		src[i] = float32(i%200)/20 - 5
	}
	dst := make([]float32, len(src))
	for _, bc := range []struct {
		name string
		f    func(dst, src []float32)
	}{{"Exp", ExpTo}, {"Sigmoid", SigmoidTo}, {"Tanh", TanhTo}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(src)))
			for b.Loop() {
				bc.f(dst, src)
			}
		})
	}
}
