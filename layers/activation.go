package layers

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/autodiff"
)

func (a Activation) String() string {
	switch a {
	case Tanh:
		return "tanh"
	case ReLU:
		return "relu"
	case Softplus:
		return "softplus"
	case Identity:
		return "identity"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ParseActivation returns the activation named s (tanh, relu, softplus,
// identity).
func ParseActivation(s string) (Activation, error) {
	for _, a := range []Activation{Tanh, ReLU, Softplus, Identity} {
		if a.String() == s {
			return a, nil
		}
	}
	return 0, fmt.Errorf("unknown activation %q (valid: tanh, relu, softplus, identity)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (a Activation) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Activation) UnmarshalText(b []byte) error {
	v, err := ParseActivation(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// ApplyTo writes φ(x) into dst. dst and x may be the same slice. It panics
// if the lengths differ.
func ApplyTo[T autodiff.Float](a Activation, dst, x []T) {
	if len(dst) != len(x) {
		panic(fmt.Sprintf("layers: ApplyTo length mismatch %d vs %d", len(dst), len(x)))
	}
	switch a {
	case Tanh:
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

// MulDerivTo multiplies g element-wise by φ'(x), given x and r = φ(x)
// (each rule uses whichever is cheaper), writing into dst. dst may alias g.
func MulDerivTo[T autodiff.Float](a Activation, dst, g, x, r []T) {
	if len(dst) != len(g) || len(g) != len(x) || len(x) != len(r) {
		panic(fmt.Sprintf("layers: MulDerivTo length mismatch %d, %d, %d, %d", len(dst), len(g), len(x), len(r)))
	}
	switch a {
	case Tanh:
		for i, v := range g {
			dst[i] = v * (1 - r[i]*r[i])
		}
	case ReLU:
		for i, v := range g {
			if x[i] > 0 {
				dst[i] = v
			} else {
				dst[i] = 0
			}
		}
	case Softplus:
		for i, v := range g {
			dst[i] = v * T(sigmoid(float64(x[i])))
		}
	case Identity:
		copy(dst, g)
	default:
		panic(fmt.Sprintf("layers: unknown activation %d", int(a)))
	}
}

func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
