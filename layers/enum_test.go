package layers

import (
	"encoding"
	"fmt"
	"testing"
)

// TestEnumText checks that every enum of the package round-trips its
// constants through MarshalText and UnmarshalText, and that a value that is
// none of the constants fails to marshal instead of writing text that no
// Parse accepts.
func TestEnumText(t *testing.T) {
	t.Parallel()
	type enumValue interface {
		encoding.TextMarshaler
		fmt.Stringer
	}
	for _, c := range []struct {
		name   string
		valid  []enumValue
		bad    enumValue
		badErr string // MarshalText's error for bad
		parse  func(string) (enumValue, error)
	}{
		{"Activation", []enumValue{Tanh, ReLU, Softplus, Identity}, Activation(4), "layers: invalid activation 4",
			func(s string) (enumValue, error) { return ParseActivation(s) }},
		{"NoiseConvention", []enumValue{NoisePsychRNN, NoiseYang, NoiseValente}, NoiseConvention(-1), "layers: invalid noise convention -1",
			func(s string) (enumValue, error) { return ParseNoiseConvention(s) }},
		{"Integration", []enumValue{IntegrateState, IntegrateRate}, Integration(2), "layers: invalid integration 2",
			func(s string) (enumValue, error) { return ParseIntegration(s) }},
		{"Init", []enumValue{InitGaussian, InitOrthogonal, InitIdentity}, Init(3), "layers: invalid initialiser 3",
			func(s string) (enumValue, error) { return ParseInit(s) }},
		{"Reset", []enumValue{ResetSubtract, ResetZero}, Reset(2), "layers: invalid reset 2",
			func(s string) (enumValue, error) { return ParseReset(s) }},
		{"EGRUKernels", []enumValue{KernelsAuto, KernelsSparse, KernelsDense}, EGRUKernels(3), "layers: invalid kernels 3",
			func(s string) (enumValue, error) { return ParseEGRUKernels(s) }},
	} {
		for _, v := range c.valid {
			b, err := v.MarshalText()
			if err != nil {
				t.Errorf("%s(%v).MarshalText: %v", c.name, v, err)
				continue
			}
			if got, want := string(b), v.String(); got != want {
				t.Errorf("%s.MarshalText = %q, want %q", c.name, got, want)
			}
			got, err := c.parse(string(b))
			if err != nil || got != v {
				t.Errorf("Parse%s(%q) = %v, %v, want %v", c.name, b, got, err, v)
			}
		}
		if b, err := c.bad.MarshalText(); err == nil || err.Error() != c.badErr || b != nil {
			t.Errorf("%s.MarshalText of %v = %q, %v, want nil, %q", c.name, c.bad, b, err, c.badErr)
		}
		if got, want := c.bad.String(), fmt.Sprintf("%s(%d)", c.name, c.bad); got != want {
			t.Errorf("%s.String = %q, want %q", c.name, got, want)
		}
	}
}
