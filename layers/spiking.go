// Pieces shared by the spiking layers (LIF, ALIF, LTC-SN): the reset
// mechanism, the surrogate held in a config, per-unit decay parameters and
// the constrained input and recurrent weights.

package layers

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// Reset selects what a spiking unit's membrane does after it spikes.
type Reset int

const (
	// ResetSubtract lowers the membrane by the threshold: v ← u − θ·s
	// (snnTorch reset_mechanism="subtract", Bellec's LSNN).
	ResetSubtract Reset = iota
	// ResetZero sets the membrane to zero: v ← (1 − s)·u (snnTorch
	// reset_mechanism="zero", Norse with v_reset = 0, the LTC-SN hard reset).
	ResetZero
)

// resetNames returns the names by value, so no package-level table can be changed.
func resetNames() [2]string { return [...]string{ResetSubtract: "subtract", ResetZero: "zero"} }

func (r Reset) String() string {
	if r >= 0 && int(r) < len(resetNames()) {
		return resetNames()[r]
	}
	return fmt.Sprintf("Reset(%d)", int(r))
}

// ParseReset returns the reset named s (subtract, zero).
func ParseReset(s string) (Reset, error) {
	for i, n := range resetNames() {
		if n == s {
			return Reset(i), nil
		}
	}
	return 0, fmt.Errorf("unknown reset %q (valid: subtract, zero)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (r Reset) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Reset) UnmarshalText(b []byte) error {
	v, err := ParseReset(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Surrogate is a surrogate gradient as a config value: it marshals to and
// from the text form of surrogate.Parse ("ArcTan(alpha=2)",
// "FastSigmoid(k=25)", "MultiGaussian"). The zero value means ArcTan with
// α = 2, snnTorch's default.
type Surrogate struct{ S surrogate.Surrogate }

// Get returns the surrogate, ArcTan{} for the zero value.
func (s Surrogate) Get() surrogate.Surrogate {
	if s.S == nil {
		return surrogate.ArcTan{}
	}
	return s.S
}

func (s Surrogate) String() string { return s.Get().String() }

// MarshalText implements encoding.TextMarshaler.
func (s Surrogate) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with surrogate.Parse.
func (s *Surrogate) UnmarshalText(b []byte) error {
	v, err := surrogate.Parse(string(b))
	if err != nil {
		return err
	}
	s.S = v
	return nil
}

// decayOf returns exp(−dt/τ), the per-step decay factor of a time constant
// τ (both in ms).
func decayOf(dtMS, tauMS float64) float64 { return math.Exp(-dtMS / tauMS) }

// newDecay returns a [1×n] parameter named name holding the decay d in
// every unit, frozen unless trained.
func newDecay[T autodiff.Float](name string, n int, d float64, train bool) *autodiff.Param[T] {
	p := autodiff.NewParam[T](name, 1, n)
	for k := range p.Value.Data {
		p.Value.Data[k] = T(d)
	}
	p.Frozen = !train
	return p
}

// clamp01To writes the decays the dynamics use, min(max(d, 0), 1), into
// dst. A trained decay may leave [0, 1]; its gradient is zero there (see
// accClampGrad).
func clamp01To[T autodiff.Float](dst, d []T) {
	for k, v := range d {
		dst[k] = min(max(v, 0), 1)
	}
}

// accClampGrad adds g to dst where the raw decay d lies inside [0, 1] (the
// derivative of the clamp).
func accClampGrad[T autodiff.Float](dst, g, d []T) {
	for k, v := range g {
		if d[k] >= 0 && d[k] <= 1 {
			dst[k] += v
		}
	}
}

// spikingWeights are the input and recurrent weights of a spiking layer
// with Dale's law and connectivity masks (Constraint).
type spikingWeights[T autodiff.Float] struct {
	wIn, wRec constrained[T]
}

// weightOptions are the connectivity options every spiking config shares.
type weightOptions struct {
	inputs, units       int
	excFraction, radius float64
	inputGain           float64
	recMask, inMask     []bool
	noAutapses          bool
	freezeIn, freezeRec bool
}

// checkMasks returns an error naming the first mask of the wrong length.
func checkMasks(layer string, n, in int, rec, inp []bool) error {
	if rec != nil && len(rec) != n*n {
		return fmt.Errorf("layers: %s RecMask has %d elements, want %d", layer, len(rec), n*n)
	}
	if inp != nil && len(inp) != n*in {
		return fmt.Errorf("layers: %s InMask has %d elements, want %d", layer, len(inp), n*in)
	}
	return nil
}

// newSpikingWeights draws W_rec ~ N(0, radius²/N) (or InitDaleTo under
// Dale's law) and W_in ~ N(0, inputGain²/Inputs) (|·| under Dale's law)
// from rng, named prefix.weight_hh and prefix.weight_ih.
func newSpikingWeights[T autodiff.Float](prefix string, o weightOptions, rng *rand.Rand) spikingWeights[T] {
	n, in := o.units, o.inputs
	var w spikingWeights[T]
	w.wRec.p = autodiff.NewParam[T](prefix+".weight_hh", n, n)
	w.wIn.p = autodiff.NewParam[T](prefix+".weight_ih", n, in)
	w.wRec.p.Frozen, w.wIn.p.Frozen = o.freezeRec, o.freezeIn
	r := make([]float64, n*n)
	if o.excFraction > 0 && o.excFraction < 1 {
		InitDaleTo(r, n, o.excFraction, o.radius, rng)
	} else {
		InitTo(InitGaussian, r, n, o.radius, rng)
	}
	for k, v := range r {
		w.wRec.p.Value.Data[k] = T(v)
	}
	if in > 0 {
		sd := o.inputGain / math.Sqrt(float64(in))
		for k := range w.wIn.p.Value.Data {
			w.wIn.p.Value.Data[k] = T(sd * rng.NormFloat64())
		}
	}
	w.wRec.c = Constraint{Mask: recurrentMask(o.recMask, n, o.noAutapses)}
	w.wIn.c = Constraint{Mask: o.inMask}
	if o.excFraction > 0 {
		w.wRec.c.Abs, w.wRec.c.ColSign = true, DaleSigns(n, o.excFraction)
		w.wIn.c.Abs = true
	}
	return w
}

// spikeCount returns the number of nonzero entries of s.
func spikeCount[T autodiff.Float](s []T) int {
	c := 0
	for _, v := range s {
		if v != 0 {
			c++
		}
	}
	return c
}

// recurrentMask returns the connectivity mask of an n×n recurrent weight:
// mask (nil = full), without the diagonal when noAutapses.
func recurrentMask(mask []bool, n int, noAutapses bool) []bool {
	if !noAutapses {
		return mask
	}
	m := make([]bool, n*n)
	for k := range m {
		m[k] = (mask == nil || mask[k]) && k/n != k%n
	}
	return m
}
