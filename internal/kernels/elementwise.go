package kernels

import (
	"fmt"
	"math"
)

// The float32 element-wise kernels below are vectorised on amd64 (16 lanes
// with AVX-512, 8 with AVX2+FMA, the same operations in the same order, so
// the same bits) and fall back to float64 math elsewhere and with -tags
// noasm.
// Their accuracy against the float64 functions of package math, checked by
// TestElementwiseAccuracy on a 2⁻¹² grid over [-30, 30], a 2⁻⁸ grid over
// [-90, 90] and the special values (measured maximum in parentheses), is:
//
//	ExpTo      relative error ≤ 1.5e-7 (8.0e-8) where exp(x) ≥ 2⁻¹²⁵; smaller
//	           results may be flushed to 0; +Inf above 88.72
//	SigmoidTo  relative error ≤ 2.5e-7 (1.4e-7) where the result is ≥ 2.4e-38,
//	           absolute error ≤ 2.4e-38 below
//	TanhTo     relative error ≤ 2.5e-7 (1.3e-7)
//
// The float32 machine epsilon is 1.2e-7, so these are 1–2 ulp.
//
// NaN inputs give NaN. The float64 variants call package math.

// ExpTo sets dst[i] = exp(src[i]). dst may be src. It panics if the lengths
// differ.
func ExpTo(dst, src []float32) {
	checkElementwise("ExpTo", dst, src)
	expTo(dst, src)
}

// SigmoidTo sets dst[i] = 1/(1+exp(-src[i])). dst may be src. It panics if
// the lengths differ.
func SigmoidTo(dst, src []float32) {
	checkElementwise("SigmoidTo", dst, src)
	sigmoidTo(dst, src)
}

// TanhTo sets dst[i] = tanh(src[i]). dst may be src. It panics if the lengths
// differ.
func TanhTo(dst, src []float32) {
	checkElementwise("TanhTo", dst, src)
	tanhTo(dst, src)
}

// ExpTo64 sets dst[i] = math.Exp(src[i]). dst may be src. It panics if the
// lengths differ.
func ExpTo64(dst, src []float64) {
	checkElementwise("ExpTo64", dst, src)
	for i, x := range src {
		dst[i] = math.Exp(x)
	}
}

// SigmoidTo64 sets dst[i] = 1/(1+exp(-src[i])). dst may be src. It panics if
// the lengths differ.
func SigmoidTo64(dst, src []float64) {
	checkElementwise("SigmoidTo64", dst, src)
	for i, x := range src {
		dst[i] = sigmoid64(x)
	}
}

// TanhTo64 sets dst[i] = math.Tanh(src[i]). dst may be src. It panics if the
// lengths differ.
func TanhTo64(dst, src []float64) {
	checkElementwise("TanhTo64", dst, src)
	for i, x := range src {
		dst[i] = math.Tanh(x)
	}
}

func sigmoid64(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func checkElementwise[E Float](op string, dst, src []E) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernels: %s length mismatch: dst %d, src %d", op, len(dst), len(src)))
	}
}

// The portable loops, also used for the tails of the vector loops.

func expToGo(dst, src []float32) {
	for i, x := range src {
		dst[i] = float32(math.Exp(float64(x)))
	}
}

func sigmoidToGo(dst, src []float32) {
	for i, x := range src {
		dst[i] = float32(sigmoid64(float64(x)))
	}
}

func tanhToGo(dst, src []float32) {
	for i, x := range src {
		dst[i] = float32(math.Tanh(float64(x)))
	}
}
