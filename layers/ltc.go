package layers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// LTCConfig describes a recurrent layer of liquid-time-constant spiking
// neurons (LTC-SN, Yin, Corradi & Bohté, Nature Machine Intelligence 2023;
// byin-cwi/sFPTT fptt/fptt_mnist/snn_models_LIF4_save4.py): adaptive LIF
// units whose membrane and adaptation time constants are computed at every
// step from the input and the state. One step, for every unit, with s the
// spikes and σ the logistic function:
//
//	d_t   = W_in x_t + W_rec s_{t−1} + b (+ σ_n ξ_t, private noise)
//	τm_t  = σ(G_d,m d_t + G_u u_{t−1} + c_m)
//	τa_t  = σ(G_d,a d_t + G_b b_{t−1} + c_a)
//	b_t   = τa_t ⊙ b_{t−1} + (1 − τa_t) ⊙ s_{t−1}
//	θ_t   = b_0 + β_a b_t
//	ũ_t   = (1 − τm_t) ⊙ u_{t−1} + τm_t ⊙ d_t
//	s_t   = H(ũ_t − θ_t)
//	u_t   = (1 − s_t) ⊙ ũ_t                    (hard reset)
//
// G_d = [G_d,m; G_d,a] is one [2N×N] parameter (gate_d.weight), G_u and G_b
// are [N×N] (gate_u.weight, gate_b.weight), c = [c_m, c_a] one [1×2N] bias
// (gate.bias). The paper's batch normalisations of W_in x and W_rec s are
// left out. τm and τa are decay fractions in (0, 1), not times; b_0 = 0.1
// and β_a = 1.8 are the paper's. The backward pass uses the surrogate's
// derivative at ũ_t − θ_t; unless ResetGrad is set the spike in the reset
// is a constant (detached). Trainable time constants are the gates
// themselves (their biases set each unit's resting τ).
type LTCConfig struct {
	Inputs, Units int
	// Threshold is b_0 > 0 (0 → 0.1); AdaptStrength is β_a ≥ 0 (0 leaves
	// the threshold fixed at b_0).
	Threshold, AdaptStrength float64
	// DtMS is the step, used only for the firing rate in Hz (Tally); 0,
	// for a task without a time step, reports the rate per step instead.
	DtMS float64
	// TauMemBias and TauAdaptBias initialise c_m and c_a: the resting
	// decay fractions are σ(c).
	TauMemBias, TauAdaptBias float64
	// SpikeOptions: the gates start at N(0, 1/(2N)) whatever Radius says.
	SpikeOptions
}

// Validate reports the first invalid field.
func (c *LTCConfig) Validate() error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case c.Units <= 0:
		return fmt.Errorf("layers: ltc Units = %d, need > 0", c.Units)
	case c.Inputs < 0:
		return fmt.Errorf("layers: ltc Inputs = %d, need ≥ 0", c.Inputs)
	case c.Threshold < 0 || bad(c.Threshold):
		return fmt.Errorf("layers: ltc Threshold = %g, need > 0 (0 = 0.1)", c.Threshold)
	case c.AdaptStrength < 0 || bad(c.AdaptStrength):
		return fmt.Errorf("layers: ltc AdaptStrength = %g, need ≥ 0", c.AdaptStrength)
	case bad(c.TauMemBias) || bad(c.TauAdaptBias):
		return fmt.Errorf("layers: ltc TauMemBias = %g, TauAdaptBias = %g, need finite values", c.TauMemBias, c.TauAdaptBias)
	}
	return c.SpikeOptions.validate("ltc", c.Units, c.Inputs)
}

// LTC is a recurrent layer of LTC spiking neurons that runs a whole
// sequence as one fused op; see LTCConfig for the update. Its output is the
// spikes; its state variables are the membrane u, the adaptation b and the
// spikes z of the last step.
type LTC[T autodiff.Float] struct {
	cfg LTCConfig
	spikingWeights[T]
	gd, gu, gb *autodiff.Param[T] // G_d [2N×N], G_u, G_b [N×N]
	gBias      *autodiff.Param[T] // c [1×2N]
	vars       []StateVar
	ops        SeqCache[T, ltcOp[T]]
}

// NewLTC builds the layer with weights drawn from rng. It returns an error
// naming the bad field if cfg is invalid.
func NewLTC[T autodiff.Float](cfg LTCConfig, rng *rand.Rand) (*LTC[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("layers: NewLTC needs an rng")
	}
	if cfg.Threshold == 0 {
		cfg.Threshold = 0.1
	}
	cfg.defaults("ltc")
	n := cfg.Units
	l := &LTC[T]{cfg: cfg}
	l.spikingWeights = newSpikingWeights[T](&cfg.SpikeOptions, n, cfg.Inputs, rng)
	sd := 1 / math.Sqrt(float64(2*n))
	l.gd = autodiff.NewParam[T](cfg.Name+".gate_d.weight", 2*n, n)
	l.gu = autodiff.NewParam[T](cfg.Name+".gate_u.weight", n, n)
	l.gb = autodiff.NewParam[T](cfg.Name+".gate_b.weight", n, n)
	for _, p := range []*autodiff.Param[T]{l.gd, l.gu, l.gb} {
		for k := range p.Value.Data {
			p.Value.Data[k] = T(sd * rng.NormFloat64())
		}
	}
	l.gBias = autodiff.NewVector[T](cfg.Name+".gate.bias", 2*n)
	for j := 0; j < n; j++ {
		l.gBias.Value.Data[j], l.gBias.Value.Data[n+j] = T(cfg.TauMemBias), T(cfg.TauAdaptBias)
	}
	// The gates' weights couple the units, as W_rec does.
	l.gd.Frozen, l.gu.Frozen, l.gb.Frozen = cfg.FreezeRec, cfg.FreezeRec, cfg.FreezeRec
	l.gBias.Frozen = cfg.FreezeBias
	l.vars = stateVars([]string{"u", "b", "z"}, n)
	return l, nil
}

// Config returns the layer's configuration with defaults filled in.
func (l *LTC[T]) Config() LTCConfig { return l.cfg }

// Size returns the number of units N.
func (l *LTC[T]) Size() int { return l.cfg.Units }

// Params returns weight_ih [N×I], weight_hh [N×N], bias [1×N],
// gate_d.weight [2N×N], gate_u.weight [N×N], gate_b.weight [N×N] and
// gate.bias [1×2N], names prefixed by the config's Name.
func (l *LTC[T]) Params() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{l.wIn.p, l.wRec.p, l.bias, l.gd, l.gu, l.gb, l.gBias}
}

// ConnectionWeights implements Coupled: weight_hh, gate_d.weight,
// gate_u.weight and gate_b.weight.
func (l *LTC[T]) ConnectionWeights() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{l.wRec.p, l.gd, l.gu, l.gb}
}

// StateVars implements Recurrent: the membrane u (post-reset), the
// adaptation b and the spikes z of the last step, each with N columns. The
// slice is the layer's: callers must not change it.
func (l *LTC[T]) StateVars() []StateVar { return l.vars }

// SequenceReference implements Reference with the unfused reference.
func (l *LTC[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) *autodiff.Var[T] {
	rates, _ := l.stepsReference(tp, x, init, steps, batch, opt)
	return stackSteps(tp, rates, steps, batch)
}
