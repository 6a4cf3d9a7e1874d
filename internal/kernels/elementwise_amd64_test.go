//go:build !noasm

package kernels

import (
	"math"
	"testing"
)

// TestElementwise512SameBits checks that the 16-lane kernels give the same
// bits as the 8-lane ones (same operations, same order) on every input of
// the accuracy test, so that the documented bounds cover both.
func TestElementwise512SameBits(t *testing.T) {
	if !hasAVX512() || !hasAVX2() {
		t.Skip("needs AVX-512 and AVX2")
	}
	xs := elementwiseInputs()
	xs = xs[:len(xs)&^15]
	for _, k := range []struct {
		name     string
		v512, v8 func(dst, src *float32, n int)
	}{{"exp", expAVX512, expAVX2}, {"sigmoid", sigmoidAVX512, sigmoidAVX2}, {"tanh", tanhAVX512, tanhAVX2}} {
		got, want := make([]float32, len(xs)), make([]float32, len(xs))
		k.v512(&got[0], &xs[0], len(xs))
		k.v8(&want[0], &xs[0], len(xs))
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
				t.Fatalf("%s(%v): 16 lanes give %v, 8 lanes %v", k.name, xs[i], got[i], want[i])
			}
		}
	}
}
