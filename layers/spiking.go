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
	"github.com/rnntrain/rnntrain/internal/enum"
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

// resetNames lists the resets' names, indexed by Reset.
func resetNames() []string { return []string{ResetSubtract: "subtract", ResetZero: "zero"} }

func (r Reset) String() string { return enum.Name(resetNames(), int(r), "Reset") }

// ParseReset returns the reset named s (subtract, zero).
func ParseReset(s string) (Reset, error) {
	i, err := enum.Parse(resetNames(), s, "reset")
	return Reset(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (r Reset) MarshalText() ([]byte, error) {
	return enum.Text("layers", resetNames(), int(r), "reset")
}

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
	p := autodiff.NewVector[T](name, n)
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

// SpikeOptions are the options every spiking layer shares.
type SpikeOptions struct {
	// Surrogate is the spike's pseudo-derivative; zero = ArcTan(alpha=2).
	Surrogate Surrogate
	// ResetGrad lets the gradient flow through the spike in the reset
	// term; false detaches it (snnTorch's default).
	ResetGrad bool
	// NoiseStd is σ of a current noise added to the drive, drawn only when
	// Sequence gets an rng.
	NoiseStd float64
	// ExcFraction > 0 turns on Dale's law with that fraction of excitatory
	// units (the first round(f·N)) for W_rec, and W_in ≥ 0.
	ExcFraction float64
	// Radius scales W_rec ~ N(0, Radius²/N) (0 → 0.5); InputGain scales
	// W_in ~ N(0, InputGain²/Inputs) (0 → 2). Both are the PyTorch
	// anchor's lif_loop initialisation.
	Radius, InputGain float64
	// Init is the initialiser of W_rec (gaussian, the default, is the only
	// one with Dale's law), scaled by Radius.
	Init Init
	// RecMask [N×N] and InMask [N×Inputs] are connectivity masks (nil =
	// full); RecFixed and InFixed mark weights kept at their initial
	// values; NoAutapses removes the diagonal of W_rec.
	RecMask, InMask   []bool
	RecFixed, InFixed []bool
	NoAutapses        bool
	// Name prefixes the parameter names (default: the layer's kind).
	Name string
	// FreezeInput, FreezeRec and FreezeBias mark W_in, W_rec and the bias
	// untrained; in the ltc, FreezeRec marks its gates' weights too (the
	// units' coupling, ConnectionWeights) and FreezeBias the gates' bias.
	FreezeInput, FreezeRec, FreezeBias bool
}

// validate returns an error naming the first bad option of a layer of n
// units and in inputs.
func (o *SpikeOptions) validate(layer string, n, in int) error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case o.NoiseStd < 0 || bad(o.NoiseStd):
		return fmt.Errorf("layers: %s NoiseStd = %g, need ≥ 0", layer, o.NoiseStd)
	case o.ExcFraction < 0 || o.ExcFraction > 1 || math.IsNaN(o.ExcFraction):
		return fmt.Errorf("layers: %s ExcFraction = %g, need 0 (off) or in (0, 1]", layer, o.ExcFraction)
	case o.ExcFraction > 0 && NumExcitatory(n, o.ExcFraction) == 0:
		return fmt.Errorf("layers: %s ExcFraction = %g makes none of the %d units excitatory, and only excitatory units reach the readout", layer, o.ExcFraction, n)
	case o.Radius < 0 || bad(o.Radius):
		return fmt.Errorf("layers: %s Radius = %g, need ≥ 0", layer, o.Radius)
	case o.InputGain < 0 || bad(o.InputGain):
		return fmt.Errorf("layers: %s InputGain = %g, need ≥ 0", layer, o.InputGain)
	case o.Init < InitGaussian || o.Init > InitIdentity:
		return fmt.Errorf("layers: %s Init = %v is not known", layer, o.Init)
	case o.ExcFraction > 0 && o.Init != InitGaussian:
		return fmt.Errorf("layers: %s Init = %v with Dale's law, only gaussian is supported", layer, o.Init)
	}
	for _, m := range []struct {
		name string
		m    []bool
		want int
	}{{"RecMask", o.RecMask, n * n}, {"RecFixed", o.RecFixed, n * n}, {"InMask", o.InMask, n * in}, {"InFixed", o.InFixed, n * in}} {
		if m.m != nil && len(m.m) != m.want {
			return fmt.Errorf("layers: %s %s has %d elements, want %d", layer, m.name, len(m.m), m.want)
		}
	}
	return nil
}

// defaults fills the zero Radius, InputGain and Name.
func (o *SpikeOptions) defaults(name string) {
	if o.Radius == 0 {
		o.Radius = 0.5
	}
	if o.InputGain == 0 {
		o.InputGain = 2
	}
	if o.Name == "" {
		o.Name = name
	}
}

// spikingWeights are the input and recurrent weights of a spiking layer
// with Dale's law and connectivity masks (Constraint), and its bias.
type spikingWeights[T autodiff.Float] struct {
	wIn, wRec   constrained[T]
	bias        *autodiff.Param[T] // [1×N]
	excFraction float64
}

// newSpikingWeights draws W_rec ~ N(0, Radius²/N) (or InitDaleTo under
// Dale's law) and W_in ~ N(0, InputGain²/Inputs) (|·| under Dale's law)
// from rng, named Name.weight_hh and Name.weight_ih, and a zero bias
// Name.bias. o must have its defaults.
func newSpikingWeights[T autodiff.Float](o *SpikeOptions, n, in int, rng *rand.Rand) spikingWeights[T] {
	w := spikingWeights[T]{excFraction: o.ExcFraction}
	w.wRec.p = autodiff.NewParam[T](o.Name+".weight_hh", n, n)
	w.wIn.p = autodiff.NewParam[T](o.Name+".weight_ih", n, in)
	w.bias = autodiff.NewVector[T](o.Name+".bias", n)
	w.wRec.p.Frozen, w.wIn.p.Frozen, w.bias.Frozen = o.FreezeRec, o.FreezeInput, o.FreezeBias
	r := make([]float64, n*n)
	if o.ExcFraction > 0 {
		InitDaleTo(r, n, o.ExcFraction, o.Radius, rng)
	} else {
		InitTo(o.Init, r, n, o.Radius, rng)
	}
	for k, v := range r {
		w.wRec.p.Value.Data[k] = T(v)
	}
	if in > 0 {
		sd := o.InputGain / math.Sqrt(float64(in))
		for k := range w.wIn.p.Value.Data {
			w.wIn.p.Value.Data[k] = T(sd * rng.NormFloat64())
		}
	}
	w.wRec.c = Constraint{Mask: recurrentMask(o.RecMask, n, o.NoAutapses), Fixed: o.RecFixed}
	w.wIn.c = Constraint{Mask: o.InMask, Fixed: o.InFixed}
	if o.ExcFraction > 0 {
		w.wRec.c.Abs, w.wRec.c.ColSign = true, DaleSigns(n, o.ExcFraction)
		w.wIn.c.Abs = true
	}
	return w
}

// InputWeights returns the raw input weight W_in [N×I].
func (w *spikingWeights[T]) InputWeights() *autodiff.Param[T] { return w.wIn.p }

// RecurrentWeights returns the raw recurrent weight W_rec [N×N].
func (w *spikingWeights[T]) RecurrentWeights() *autodiff.Param[T] { return w.wRec.p }

// RecurrentConstraint returns the map from raw to effective recurrent
// weights (Dale's law, masks).
func (w *spikingWeights[T]) RecurrentConstraint() Constraint { return w.wRec.c }

// WeightGroups implements Weighted: W_in and W_rec.
func (w *spikingWeights[T]) WeightGroups() (in, rec []*autodiff.Param[T]) {
	return []*autodiff.Param[T]{w.wIn.p}, []*autodiff.Param[T]{w.wRec.p}
}

// ReadoutConstraint implements ReadoutConstrained: under Dale's law only
// the excitatory units are read out, with non-negative weights (PsychRNN's
// W_out_eff = |W_out ⊙ M|·D_out); otherwise the identity.
func (w *spikingWeights[T]) ReadoutConstraint() Constraint {
	if w.excFraction == 0 {
		return Constraint{}
	}
	s := DaleSigns(w.wRec.p.Value.Rows, w.excFraction)
	for j := range s {
		s[j] = max(s[j], 0)
	}
	return Constraint{Abs: true, ColSign: s}
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

// stateVars returns per-unit state variables of n columns named names.
func stateVars(names []string, n int) []StateVar {
	vs := make([]StateVar, len(names))
	for k, name := range names {
		vs[k] = StateVar{Name: name, Size: n}
	}
	return vs
}

// stackSteps places the per-step rates ([batch, N] each) into one
// [steps·batch, N] variable with primitive ops.
func stackSteps[T autodiff.Float](tp *autodiff.Tape[T], rates []*autodiff.Var[T], steps, batch int) *autodiff.Var[T] {
	c := RefConsts[T]{Tape: tp}
	var all *autodiff.Var[T]
	for t, r := range rates {
		all = PlaceRows(all, c.SelectRows(t*batch, batch, steps*batch), r)
	}
	return all
}

// spikeTally returns the tally of spikes [steps·batch, N], time-major:
// each unit's spike count and the unit-steps counted, over every row or,
// when lengths is not nil, over the first lengths[b] steps of each trial
// b of the batch of len(lengths); and the step dtMS. It panics if the
// rows are not a whole number of steps of len(lengths) trials.
func spikeTally[T autodiff.Float](rates *autodiff.Var[T], lengths []int, dtMS float64) (Tally, bool) {
	if rates == nil || rates.Value.Len() == 0 {
		return Tally{}, false
	}
	t := Tally{DtMS: dtMS}
	t.Spikes, t.UnitSteps = spikeCounts(rates.Value, lengths)
	return t, true
}

// spikeCounts returns each unit's count of spikes (or events) in s
// [steps·batch, N], time-major, and the unit-steps counted: over every row
// or, when lengths is not nil, over the first lengths[b] steps of each
// trial b of the batch of len(lengths). It panics if the rows are not a
// whole number of steps of len(lengths) trials.
func spikeCounts[T autodiff.Float](s autodiff.Tensor[T], lengths []int) (counts []float64, unitSteps float64) {
	batch := s.Rows
	if lengths != nil {
		batch = len(lengths)
		if batch == 0 || s.Rows%batch != 0 {
			panic(fmt.Sprintf("layers: spike tally: %d rows are not steps of %d trials", s.Rows, batch))
		}
	}
	counts = make([]float64, s.Cols)
	for r := range s.Rows {
		if lengths != nil && r/batch >= lengths[r%batch] {
			continue
		}
		for j, v := range s.Data[r*s.Cols : (r+1)*s.Cols] {
			counts[j] += float64(v)
		}
		unitSteps += float64(s.Cols)
	}
	return counts, unitSteps
}

// Tally implements Reporter: each unit's spike count, for rate_hz
// (rate_per_step when NominalDt is set), silent_units and
// activity_sparsity (Tally.Figures).
func (l *LIF[T]) Tally(rates *autodiff.Var[T], lengths []int) (Tally, bool) {
	if l.cfg.NominalDt {
		return spikeTally(rates, lengths, 0)
	}
	return spikeTally(rates, lengths, l.cfg.DtMS)
}

// Tally implements Reporter: each unit's spike count, for rate_hz
// (rate_per_step when DtMS is 0), silent_units and activity_sparsity
// (Tally.Figures).
func (l *LTC[T]) Tally(rates *autodiff.Var[T], lengths []int) (Tally, bool) {
	return spikeTally(rates, lengths, l.cfg.DtMS)
}
