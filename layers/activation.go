package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/enum"
	"github.com/rnntrain/rnntrain/internal/kernels"
)

// Activation is a rate nonlinearity φ.
type Activation int

const (
	Tanh     Activation = iota // φ(x) = tanh x
	ReLU                       // φ(x) = max(x, 0)
	Softplus                   // φ(x) = log(1 + eˣ)
	Identity                   // φ(x) = x
)

// activationNames lists the activations' names, indexed by Activation.
func activationNames() []string {
	return []string{Tanh: "tanh", ReLU: "relu", Softplus: "softplus", Identity: "identity"}
}

func (a Activation) String() string { return enum.Name(activationNames(), int(a), "Activation") }

// ParseActivation returns the activation named s (tanh, relu, softplus,
// identity).
func ParseActivation(s string) (Activation, error) {
	i, err := enum.Parse(activationNames(), s, "activation")
	return Activation(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (a Activation) MarshalText() ([]byte, error) {
	return enum.Text("layers", activationNames(), int(a), "activation")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ApplyTo writes φ(x) into dst. dst and x may be the same slice. In float32,
// tanh uses the vectorised kernels.TanhTo (relative error ≤ 2.5e-7);
// float64 uses the math package. It panics if the lengths
// differ.
func ApplyTo[T autodiff.Float](a Activation, dst, x []T) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("layers: ApplyTo length mismatch %d vs %d", len(dst), len(x)))
	}
	switch a {
	case Tanh:
		if d, ok := any(dst).([]float32); ok {
			tanh32To(d, any(x).([]float32))
			return
		}
		for i, v := range x {
			dst[i] = T(math.Tanh(float64(v)))
		}
	case ReLU:
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case Softplus:
		for i, v := range x {
			dst[i] = T(softplus(float64(v)))
		}
	case Identity:
		copy(dst, x)
	default:
		panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
	}
}

// MulDerivTo multiplies g element-wise by φ'(x), given x and r = φ(x),
// writing into dst. φ' is computed from r alone (see mulDerivOutTo); x is
// part of the signature for activations whose derivative needs it. dst may
// alias g. It panics if the lengths differ.
func MulDerivTo[T autodiff.Float](a Activation, dst, g, x, r []T) {
	if len(dst) != len(g) || len(g) != len(x) || len(x) != len(r) {
		panic(fmt.Sprintf("layers: MulDerivTo length mismatch %d, %d, %d, %d", len(dst), len(g), len(x), len(r)))
	}
	mulDerivOutTo(a, dst, g, r)
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// mulDerivOutTo writes g ⊙ φ'(x) into dst, computing φ' from the output
// y = φ(x) alone: tanh 1−y², relu [y > 0], softplus σ(x) = 1 − e^{−y},
// identity 1. dst may alias g or y. Lengths are the caller's to check.
func mulDerivOutTo[T autodiff.Float](a Activation, dst, g, y []T) {
	g, y = g[:len(dst)], y[:len(dst)]
	switch a {
	case Tanh:
		for i, v := range g {
			dst[i] = v * (1 - y[i]*y[i])
		}
	case ReLU:
		for i, v := range g {
			if y[i] > 0 {
				dst[i] = v
			} else {
				dst[i] = 0
			}
		}
	case Softplus:
		for i, v := range g {
			dst[i] = v * T(-math.Expm1(-float64(y[i])))
		}
	case Identity:
		copy(dst, g)
	default:
		panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
	}
}

// tanh32To writes tanh(x) into dst with the vectorised float32 kernel
// (kernels.TanhTo, relative error ≤ 2.5e-7). dst may alias x.
func tanh32To(dst, x []float32) { kernels.TanhTo(dst, x[:len(dst)]) }
