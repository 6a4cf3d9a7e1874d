// Element-wise non-linearities of the fused GRU and low-rank ops: exact in
// float64 (gradient checks), a fast rational approximation in float32
// (training). These move to internal/kernels (TanhTo, SigmoidTo) when its
// vector versions land.

package layers

import (
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

// tanhTo writes tanh(src) into dst; dst may alias src. float32 slices use
// tanh32 (absolute error below 4e-7), all others math.Tanh.
func tanhTo[T autodiff.Float](dst, src []T) {
	src = src[:len(dst)]
	if d, ok := any(dst).([]float32); ok {
		s := any(src).([]float32)
		for i, v := range s {
			d[i] = tanh32(v)
		}
		return
	}
	for i, v := range src {
		dst[i] = T(math.Tanh(float64(v)))
	}
}

// sigmoidTo writes σ(src) = 1/(1 + e^−src) into dst; dst may alias src.
// float32 slices use σ(x) = (1 + tanh32(x/2))/2.
func sigmoidTo[T autodiff.Float](dst, src []T) {
	src = src[:len(dst)]
	if d, ok := any(dst).([]float32); ok {
		s := any(src).([]float32)
		for i, v := range s {
			d[i] = 0.5 + 0.5*tanh32(0.5*v)
		}
		return
	}
	for i, v := range src {
		dst[i] = T(1 / (1 + math.Exp(-float64(v))))
	}
}

// applyTo is ApplyTo with the fast tanh for float32.
func applyTo[T autodiff.Float](a Activation, dst, src []T) {
	if a == Tanh {
		tanhTo(dst, src)
		return
	}
	ApplyTo(a, dst, src)
}

// tanh32 is tanh as the ratio x·P(x²)/Q(x²) of a degree-13 odd and a
// degree-6 even polynomial fitted to tanh on [−7.9053, 7.9053] (the
// approximation Eigen uses for float tanh), with x clamped to that range,
// beyond which tanh rounds to ±1 in float32. Its absolute error is below
// 4e-7 (TestTanh32 checks it against math.Tanh).
func tanh32(x float32) float32 {
	const clamp = 7.90531110763549805
	// Plain comparisons, not min/max: those also order NaNs and signed
	// zeros, which costs branches here. A NaN passes through to the result.
	if x > clamp {
		x = clamp
	} else if x < -clamp {
		x = -clamp
	}
	x2 := x * x
	p := float32(-2.76076847742355e-16)
	p = p*x2 + 2.00018790482477e-13
	p = p*x2 - 8.60467152213735e-11
	p = p*x2 + 5.12229709037114e-08
	p = p*x2 + 1.48572235717979e-05
	p = p*x2 + 6.37261928875436e-04
	p = p*x2 + 4.89352455891786e-03
	q := float32(1.19825839466702e-06)
	q = q*x2 + 1.18534705686654e-04
	q = q*x2 + 2.26843463243900e-03
	q = q*x2 + 4.89352518554385e-03
	return x * p / q
}
