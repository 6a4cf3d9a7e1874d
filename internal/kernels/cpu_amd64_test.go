//go:build !noasm

package kernels

import "testing"

// TestFeatures checks that detection is stable and consistent: AVX-512
// kernels also use AVX2 and FMA, and kernelsFor offers what was detected.
func TestFeatures(t *testing.T) {
	f := features()
	if f != detectFeatures() {
		t.Fatalf("features() = %+v, a second detection gives %+v", f, detectFeatures())
	}
	if f.avx512 && !f.avx2FMA {
		t.Fatalf("AVX-512 without AVX2+FMA: %+v", f)
	}
	want := 1 + b2i(f.avx512) + b2i(f.avx2FMA)
	if got := len(kernelsFor[float32]()); got != want {
		t.Fatalf("%d float32 kernels for %+v, want %d", got, f, want)
	}
	t.Logf("detected %+v", f)
}
