package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/layers"
)

// Connectivity holds the recurrent initialisation and the connectivity
// options the vanilla and leaky models share.
type Connectivity struct {
	// Init is the recurrent initialiser (default gaussian, PsychRNN's).
	Init layers.Init `json:"init"`
	// SpectralRadius scales the initial W_rec (default 1.1, PsychRNN's
	// spec_rad).
	SpectralRadius float64 `json:"spectral_radius"`
	// NoAutapses removes self-connections (default false).
	NoAutapses bool `json:"no_autapses"`
	// RecMask and InMask are .npy files of connectivity masks, [N, N] and
	// [N, inputs] (non-zero = connected); RecFixed and InFixed mark weights
	// kept at their initial values. "" (the default) is full and trained.
	RecMask  string `json:"rec_mask"`
	RecFixed string `json:"rec_fixed"`
	InMask   string `json:"in_mask"`
	InFixed  string `json:"in_fixed"`
}

func (c *Connectivity) resolve() {
	if c.SpectralRadius == 0 {
		c.SpectralRadius = 1.1
	}
}

func (c *Connectivity) validate() error {
	if c.Init < layers.InitGaussian || c.Init > layers.InitIdentity {
		return fmt.Errorf("init = %d is not a known initialiser", int(c.Init))
	}
	if !(c.SpectralRadius >= 0) || !in32(c.SpectralRadius) {
		return fmt.Errorf("spectral_radius = %g, need a value ≥ 0 %s", c.SpectralRadius, range32)
	}
	return nil
}

// apply fills the layer config's connectivity from c, loading the mask
// files.
func (c *Connectivity) apply(lc *layers.LeakyConfig) error {
	lc.Init, lc.Radius, lc.NoAutapses = c.Init, c.SpectralRadius, c.NoAutapses
	var err error
	lc.RecMask, lc.RecFixed, lc.InMask, lc.InFixed, err = c.masks(lc.Units, lc.Inputs)
	return err
}

// masks loads the mask files of a layer of n units and in inputs (nil for
// each one not given).
func (c *Connectivity) masks(n, in int) (rec, recFixed, inMask, inFixed []bool, err error) {
	if rec, err = LoadMask(c.RecMask, "rec_mask", n, n); err != nil {
		return
	}
	if recFixed, err = LoadMask(c.RecFixed, "rec_fixed", n, n); err != nil {
		return
	}
	if inMask, err = LoadMask(c.InMask, "in_mask", n, in); err != nil {
		return
	}
	inFixed, err = LoadMask(c.InFixed, "in_fixed", n, in)
	return
}

// LeakyConfig is the leaky rate RNN of PsychRNN, NeuroGym and Yang et al.
// (model "leaky"); see Equations in its table entry.
type LeakyConfig struct {
	// Alpha is dt/τ (default 0: the task's dt over layers.TauMS; a task
	// whose dt is longer than τ has no default, see layers.AlphaFor).
	Alpha float64 `json:"alpha"`
	// Activation is φ (default tanh).
	Activation layers.Activation `json:"activation"`
	// Integration is state (PsychRNN, the default) or rate (Yang,
	// NeuroGym).
	Integration layers.Integration `json:"integration"`
	// NoiseConvention says how σ enters: psychrnn (default), yang or
	// valente.
	NoiseConvention layers.NoiseConvention `json:"noise_convention"`
	// Dale > 0 turns on Dale's law with that fraction of excitatory units
	// (the first round(f·N)); inhibitory units are not read out. Default 0:
	// off.
	Dale float64 `json:"dale"`
	Connectivity
}

// ExcitatoryFraction implements DaleModel.
func (c *LeakyConfig) ExcitatoryFraction() float64 { return c.Dale }

// DaleModel is implemented by the configs of models that take Dale's law
// (leaky, lif, alif, ltc): ExcitatoryFraction is the fraction f of
// excitatory units, the first round(f·N), or 0 when the law is off.
type DaleModel interface {
	ExcitatoryFraction() float64
}

func leakyModel() layers.Model {
	return layers.Model{
		Name:    "leaky",
		Summary: "leaky rate RNN (PsychRNN, NeuroGym, Yang et al. 2019)",
		Equations: `x_{t+1} = (1−α) x_t + α (W_rec r_t + W_in u_t + b) + √(2α) σ ξ_t
r_t = φ(x_t), x_0 = 0; α = dt/τ (state integration, psychrnn noise)
rate integration: r_{t+1} = (1−α) r_t + α φ(W_rec r_t + W_in u_t + b + noise)
noise yang: √(2/α) σ ξ_t inside the drive; valente: σ ξ_t unscaled`,
		New: func() layers.ModelConfig { return &LeakyConfig{} },
		// The anchor's leaky_loop integrates the rate: h ← (1−α)h + α tanh(…).
		Bench: func() layers.ModelConfig {
			return &LeakyConfig{Alpha: 0.2, Integration: layers.IntegrateRate, Connectivity: Connectivity{SpectralRadius: 0.9}}
		},
	}
}

// Model implements layers.ModelConfig.
func (c *LeakyConfig) Model() layers.Model { return leakyModel() }

// Resolve implements layers.ModelConfig: α = dt/τ when 0.
func (c *LeakyConfig) Resolve(s layers.Spec) {
	c.Alpha = layers.AlphaFor(c.Alpha, s.DtMS)
	c.Connectivity.resolve()
}

// Validate implements layers.ModelConfig.
func (c *LeakyConfig) Validate(s layers.Spec) error {
	lc, err := c.layerConfig(s, false)
	if err != nil {
		return err
	}
	if err := layers.CheckAlpha(c.Alpha, s.DtMS); err != nil {
		return err
	}
	switch {
	case c.Dale < 0 || c.Dale > 1 || math.IsNaN(c.Dale):
		return fmt.Errorf("dale = %g, need 0 (off) or a fraction in (0, 1]", c.Dale)
	case c.Dale > 0 && layers.NumExcitatory(s.Hidden, c.Dale) == 0:
		return fmt.Errorf("dale = %g makes none of the %d units excitatory, and only excitatory units reach the readout", c.Dale, s.Hidden)
	case c.Dale > 0 && c.Init != layers.InitGaussian:
		return fmt.Errorf("init = %v, but Dale's law needs gaussian", c.Init)
	}
	if err := c.Connectivity.validate(); err != nil {
		return err
	}
	return lc.Validate()
}

func (c *LeakyConfig) layerConfig(s layers.Spec, masks bool) (layers.LeakyConfig, error) {
	lc := layers.LeakyConfig{
		Inputs: s.Inputs, Units: s.Hidden, Alpha: c.Alpha, Activation: c.Activation,
		Integration: c.Integration, NoiseStd: s.NoiseStd, Noise: c.NoiseConvention,
		ExcFraction: c.Dale, Name: "leaky",
		FreezeInput: s.FreezeInput, FreezeRec: s.FreezeRecurrent, FreezeBias: s.FreezeBias,
	}
	lc.Init, lc.Radius, lc.NoAutapses = c.Init, c.SpectralRadius, c.NoAutapses
	if masks {
		if err := c.Connectivity.apply(&lc); err != nil {
			return lc, err
		}
	}
	return lc, nil
}

// NewLayer32 implements layers.ModelConfig.
func (c *LeakyConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newLeaky[float32](c, s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *LeakyConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newLeaky[float64](c, s, rng)
}

func newLeaky[T autodiff.Float](c *LeakyConfig, s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	lc, err := c.layerConfig(s, true)
	if err != nil {
		return nil, err
	}
	l, err := layers.NewLeaky[T](lc, rng)
	if err != nil {
		return nil, err
	}
	return leakyLayer[T]{l}, nil
}

// leakyLayer adds the network-facing methods to a leaky layer: its weight
// groups and, under Dale's law, PsychRNN's readout constraint
// W_out_eff = |W_out ⊙ M|·D_out (only excitatory units read out, with
// non-negative weights).
type leakyLayer[T autodiff.Float] struct{ *layers.Leaky[T] }

func (l leakyLayer[T]) WeightGroups() (in, rec []*autodiff.Param[T]) {
	return []*autodiff.Param[T]{l.InputWeights()}, []*autodiff.Param[T]{l.RecurrentWeights()}
}

func (l leakyLayer[T]) ReadoutConstraint() layers.Constraint {
	cfg := l.Config()
	if cfg.ExcFraction == 0 {
		return layers.Constraint{}
	}
	s := layers.DaleSigns(cfg.Units, cfg.ExcFraction)
	for j := range s {
		s[j] = max(s[j], 0)
	}
	return layers.Constraint{Abs: true, ColSign: s}
}

// VanillaConfig is torch.nn.RNN (model "rnn"): the leaky model's rate form
// with α = 1 and φ = tanh, in torch's parameter layout.
type VanillaConfig struct {
	Connectivity
}

func vanillaModel() layers.Model {
	return layers.Model{
		Name:    "rnn",
		Summary: "vanilla RNN (torch.nn.RNN's equation and layout)",
		Equations: `h_{t+1} = tanh(W_ih u_t + b_ih + W_hh h_t + b_hh) + √2 σ ξ_t
r = h, h_0 = 0 (the leaky model's rate form with α = 1, φ = tanh)`,
		New:   func() layers.ModelConfig { return &VanillaConfig{} },
		Bench: func() layers.ModelConfig { return &VanillaConfig{Connectivity{SpectralRadius: 0.9}} },
		// Without a leak the default task's 68 steps of tanh units train
		// unsteadily at 3·10⁻³ (seeds 1–3: 0.500, 0.674, 0.928 after 1000
		// steps); at 10⁻³: 0.995, 0.997, 1.000.
		DefaultLR: 1e-3,
	}
}

// Model implements layers.ModelConfig.
func (c *VanillaConfig) Model() layers.Model { return vanillaModel() }

// Resolve implements layers.ModelConfig.
func (c *VanillaConfig) Resolve(layers.Spec) { c.Connectivity.resolve() }

func (c *VanillaConfig) leaky() *LeakyConfig {
	return &LeakyConfig{Alpha: 1, Activation: layers.Tanh, Integration: layers.IntegrateRate, Connectivity: c.Connectivity}
}

// Validate implements layers.ModelConfig.
func (c *VanillaConfig) Validate(s layers.Spec) error { return c.leaky().Validate(s) }

// NewLayer32 implements layers.ModelConfig.
func (c *VanillaConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newVanilla[float32](c, s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *VanillaConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newVanilla[float64](c, s, rng)
}

func newVanilla[T autodiff.Float](c *VanillaConfig, s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	lc, err := c.leaky().layerConfig(s, true)
	if err != nil {
		return nil, err
	}
	lc.Torch, lc.Name = true, "rnn"
	l, err := layers.NewLeaky[T](lc, rng)
	if err != nil {
		return nil, err
	}
	return leakyLayer[T]{l}, nil
}

// SequenceReference implements layers.Reference: Leaky.SequenceRef, with
// its per-step rates placed into one [steps·batch, N] variable.
func (l leakyLayer[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) *autodiff.Var[T] {
	perStep, _ := l.SequenceRef(tp, x.Value, layers.SingleInit(tp, init, l.Size()), steps, batch, opt)
	c := layers.RefConsts[T]{Tape: tp}
	var rates *autodiff.Var[T]
	for t, r := range perStep {
		rates = layers.PlaceRows(rates, c.SelectRows(t*batch, batch, steps*batch), r)
	}
	return rates
}

// AbsPaths makes the mask files' paths absolute (relative ones are taken
// from the working directory), so that a run's config names them wherever
// it is read.
func (c *Connectivity) AbsPaths() error {
	return files.AbsPaths(&c.RecMask, &c.RecFixed, &c.InMask, &c.InFixed)
}
