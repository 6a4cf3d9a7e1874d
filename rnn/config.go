package rnn

import (
	"fmt"
	"math"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
)

// Config describes a network: input → recurrent layer → linear readout.
// The zero value of every field means its documented default; Defaults
// returns the config with those filled in, and New applies them.
type Config struct {
	// Kind is the recurrent layer (default Vanilla, "rnn").
	Kind Kind `json:"model"`
	// Inputs, Hidden and Outputs are the sizes I, N and O; Hidden and
	// Outputs must be positive, Inputs may be 0 (autonomous dynamics).
	Inputs  int `json:"inputs"`
	Hidden  int `json:"hidden"`
	Outputs int `json:"outputs"`
	// Rank is the rank R of a LowRank network (default 1).
	Rank int `json:"rank,omitempty"`
	// Alpha is dt/τ (default 0.2 for Leaky and LowRank; Vanilla and GRU
	// have no leak and need 0 or 1).
	Alpha float64 `json:"alpha,omitempty"`
	// Activation is φ (default tanh; Vanilla and GRU are always tanh).
	Activation layers.Activation `json:"activation"`
	// Integration selects state (PsychRNN, the default) or rate (Yang,
	// NeuroGym) integration for Leaky.
	Integration layers.Integration `json:"integration"`
	// NoiseStd is σ of the private recurrent noise (default 0), entering as
	// Noise says (default psychrnn: √(2α)σ outside φ). GRU and LowRank add
	// σ·ξ unscaled (valente) and accept only the zero value or valente.
	// Noise is drawn only when Forward gets an rng.
	NoiseStd float64                `json:"noise_std"`
	Noise    layers.NoiseConvention `json:"noise_convention"`
	// ExcFraction > 0 turns on Dale's law (Leaky only) with that fraction
	// of excitatory units; inhibitory units are not read out. Default 0: off.
	ExcFraction float64 `json:"exc_fraction,omitempty"`
	// Init and SpectralRadius set the recurrent initialisation (default
	// gaussian with spectral radius 1.1, PsychRNN's default).
	Init           layers.Init `json:"init"`
	SpectralRadius float64     `json:"spectral_radius,omitempty"`
	// NoAutapses removes self-connections (Leaky).
	NoAutapses bool `json:"no_autapses,omitempty"`
	// RecMask, RecFixed, InMask, InFixed are connectivity masks and masks of
	// untrained weights, row-major [Hidden×Hidden] and [Hidden×Inputs]
	// (Leaky; nil = all connections, all trained).
	RecMask  []bool `json:"rec_mask,omitempty"`
	RecFixed []bool `json:"rec_fixed,omitempty"`
	InMask   []bool `json:"in_mask,omitempty"`
	InFixed  []bool `json:"in_fixed,omitempty"`
	// TrainInitialState makes the initial state h0 [1×Hidden] a trained
	// parameter; otherwise it stays at zero.
	TrainInitialState bool `json:"train_initial_state,omitempty"`
	// InputScale and OutputScale are the initial low-rank input and output
	// scalings s_i and s_o (default 1).
	InputScale  float64 `json:"input_scale,omitempty"`
	OutputScale float64 `json:"output_scale,omitempty"`
	// Rates selects the low-rank layer's output (default tanh). With tanh
	// the network reads out as the low_rank_rnns library does,
	// z = tanh(h)·(W_out ⊙ s_o)/N, and trains m, n, s_i, s_o (the library's
	// defaults); with phi or state a Linear readout reads φ(h + b) or h,
	// and m, n and W_in train (the PyTorch anchor's lowrank_loop uses state).
	Rates lowrank.Rates `json:"rates,omitempty"`
	// FreezeInput, FreezeRecurrent, FreezeBias and FreezeOutput keep whole
	// parameter groups at their initial values (default: all train).
	FreezeInput     bool `json:"freeze_input,omitempty"`
	FreezeRecurrent bool `json:"freeze_recurrent,omitempty"`
	FreezeBias      bool `json:"freeze_bias,omitempty"`
	FreezeOutput    bool `json:"freeze_output,omitempty"`
}

// Defaults returns c with every zero-valued field that has a default set
// to it.
func (c Config) Defaults() Config {
	if c.Alpha == 0 {
		switch c.Kind {
		case Leaky, LowRank:
			c.Alpha = 0.2
		default:
			c.Alpha = 1
		}
	}
	if c.Kind == LowRank && c.Rank == 0 {
		c.Rank = 1
	}
	if c.SpectralRadius == 0 {
		c.SpectralRadius = 1.1
	}
	if c.InputScale == 0 {
		c.InputScale = 1
	}
	if c.OutputScale == 0 {
		c.OutputScale = 1
	}
	return c
}

// Validate reports the first invalid field of c (after defaults), naming
// it.
func (c Config) Validate() error {
	c = c.Defaults()
	bad := func(field string, format string, a ...any) error {
		return fmt.Errorf("rnn: config %s %s", field, fmt.Sprintf(format, a...))
	}
	switch {
	case c.Kind < Vanilla || c.Kind > LowRank:
		return bad("Kind", "= %d is not a known model (valid: rnn, leaky, gru, lowrank)", int(c.Kind))
	case c.Inputs < 0:
		return bad("Inputs", "= %d, need ≥ 0", c.Inputs)
	case c.Hidden <= 0:
		return bad("Hidden", "= %d, need > 0", c.Hidden)
	case c.Outputs <= 0:
		return bad("Outputs", "= %d, need > 0", c.Outputs)
	case c.Kind == LowRank && (c.Rank <= 0 || c.Rank > c.Hidden):
		return bad("Rank", "= %d, need 1 ≤ R ≤ Hidden = %d", c.Rank, c.Hidden)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return bad("Alpha", "= %g, need 0 < α ≤ 1", c.Alpha)
	case (c.Kind == Vanilla || c.Kind == GRU) && c.Alpha != 1:
		return bad("Alpha", "= %g, but model %v has no leak (leave it 0)", c.Alpha, c.Kind)
	case c.Activation < layers.Tanh || c.Activation > layers.Identity:
		return bad("Activation", "= %d is not a known activation", int(c.Activation))
	case (c.Kind == Vanilla || c.Kind == GRU) && c.Activation != layers.Tanh:
		return bad("Activation", "= %v, but model %v is always tanh", c.Activation, c.Kind)
	case c.Integration < layers.IntegrateState || c.Integration > layers.IntegrateRate:
		return bad("Integration", "= %d is not known", int(c.Integration))
	case c.NoiseStd < 0 || math.IsNaN(c.NoiseStd):
		return bad("NoiseStd", "= %g, need ≥ 0", c.NoiseStd)
	case c.Noise < layers.NoisePsychRNN || c.Noise > layers.NoiseValente:
		return bad("Noise", "= %d is not a known convention", int(c.Noise))
	case c.ExcFraction < 0 || c.ExcFraction > 1 || math.IsNaN(c.ExcFraction):
		return bad("ExcFraction", "= %g, need 0 (off) or in (0, 1]", c.ExcFraction)
	case c.ExcFraction > 0 && c.Kind != Leaky:
		return bad("ExcFraction", "= %g, but Dale's law is supported for the leaky model only", c.ExcFraction)
	case c.Init < layers.InitGaussian || c.Init > layers.InitIdentity:
		return bad("Init", "= %d is not a known initialiser", int(c.Init))
	case c.ExcFraction > 0 && c.Init != layers.InitGaussian:
		return bad("Init", "= %v, but Dale's law needs gaussian", c.Init)
	case c.SpectralRadius < 0 || math.IsNaN(c.SpectralRadius):
		return bad("SpectralRadius", "= %g, need ≥ 0", c.SpectralRadius)
	case (c.Kind == GRU || c.Kind == LowRank) && c.Inputs == 0:
		return bad("Inputs", "= 0, but model %v needs at least one input", c.Kind)
	case (c.Kind == GRU || c.Kind == LowRank) && c.Noise != layers.NoisePsychRNN && c.Noise != layers.NoiseValente:
		return bad("Noise", "= %v, but model %v adds σ·ξ unscaled (valente) only", c.Noise, c.Kind)
	case (c.Kind == GRU || c.Kind == LowRank) && c.ExcFraction > 0:
		return bad("ExcFraction", "= %g, but Dale's law is supported for the leaky model only", c.ExcFraction)
	case c.Rates < lowrank.RatesTanh || c.Rates > lowrank.RatesState:
		return bad("Rates", "= %d is not known", int(c.Rates))
	case c.InputScale <= 0 || c.OutputScale <= 0:
		return bad("InputScale/OutputScale", "= %g/%g, need > 0", c.InputScale, c.OutputScale)
	}
	if c.Kind == Vanilla || c.Kind == Leaky {
		lc := c.leakyConfig()
		if err := lc.Validate(); err != nil {
			return fmt.Errorf("rnn: config: %w", err)
		}
	} else if c.RecMask != nil || c.RecFixed != nil || c.InMask != nil || c.InFixed != nil {
		return bad("RecMask/RecFixed/InMask/InFixed", "set, but masks are supported for rnn and leaky only")
	}
	return nil
}

// leakyConfig returns the layer configuration of a Vanilla or Leaky
// network (c has its defaults filled in).
func (c Config) leakyConfig() layers.LeakyConfig {
	lc := layers.LeakyConfig{
		Inputs: c.Inputs, Units: c.Hidden, Alpha: c.Alpha, Activation: c.Activation,
		Integration: c.Integration, NoiseStd: c.NoiseStd, Noise: c.Noise,
		ExcFraction: c.ExcFraction, Init: c.Init, Radius: c.SpectralRadius,
		RecMask: c.RecMask, RecFixed: c.RecFixed, InMask: c.InMask, InFixed: c.InFixed,
		NoAutapses: c.NoAutapses, Name: "leaky",
		FreezeInput: c.FreezeInput, FreezeRec: c.FreezeRecurrent, FreezeBias: c.FreezeBias,
	}
	if c.Kind == Vanilla {
		lc.Integration, lc.Torch, lc.Name = layers.IntegrateRate, true, "rnn"
	}
	return lc
}
