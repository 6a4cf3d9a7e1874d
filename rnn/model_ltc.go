package rnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// LTCConfig is the liquid-time-constant spiking network (LTC-SN, Yin,
// Corradi & Bohté 2023; model "ltc"); see Equations in its table entry and
// layers.LTCConfig.
type LTCConfig struct {
	// Threshold is b_0 (default 0.1, the paper's).
	Threshold float64 `json:"threshold"`
	// AdaptStrength is β_a ≥ 0 (the model table's New sets 1.8, the
	// paper's); 0 keeps the threshold fixed at b_0.
	AdaptStrength float64 `json:"adapt_strength"`
	// TauMemBias and TauAdaptBias initialise the gates' biases c_m and
	// c_a; the resting decay fractions are σ(c) (default 0: ½).
	TauMemBias   float64 `json:"tau_mem_bias"`
	TauAdaptBias float64 `json:"tau_adapt_bias"`
	Spiking
}

func ltcModel() layers.Model {
	return layers.Model{
		Name:    "ltc",
		Summary: "liquid-time-constant spiking neurons (LTC-SN, Yin, Corradi & Bohté 2023)",
		Equations: `d_t = W_in x_t + W_rec s_{t−1} + b + σ ξ_t   (x_t: the inputs, after the encoding; u_t: the membrane)
τm_t = sigmoid(G_d,m d_t + G_u u_{t−1} + c_m),  τa_t = sigmoid(G_d,a d_t + G_b b_{t−1} + c_a)
b_t = τa_t ⊙ b_{t−1} + (1 − τa_t) ⊙ s_{t−1},  θ_t = b_0 + β_a b_t
ũ_t = (1 − τm_t) ⊙ u_{t−1} + τm_t ⊙ d_t,  s_t = H(ũ_t − θ_t),  u_t = (1 − s_t) ⊙ ũ_t
rates = spikes s_t; state variables u, b, z (= s); the paper's batch norms are left out
the gates G_d, G_u, G_b couple every pair of units: rec_mask, no_autapses and dale act on W_rec alone`,
		// β_a's default is set here, not by Resolve, so that a β_a of 0 (a
		// fixed threshold) can be asked for.
		New:       func() layers.ModelConfig { return &LTCConfig{AdaptStrength: 1.8} },
		Surrogate: true,
	}
}

// Model implements layers.ModelConfig.
func (c *LTCConfig) Model() layers.Model { return ltcModel() }

// Resolve implements layers.ModelConfig.
func (c *LTCConfig) Resolve(layers.Spec) {
	if c.Threshold == 0 {
		c.Threshold = 0.1
	}
	c.Spiking.resolve()
}

// Validate implements layers.ModelConfig.
func (c *LTCConfig) Validate(s layers.Spec) error {
	switch {
	case !positive32(c.Threshold):
		return fmt.Errorf("threshold = %g, need a value > 0 that float32 holds (1.4e-45 … 3.4e38)", c.Threshold)
	case c.AdaptStrength < 0 || !in32(c.AdaptStrength):
		return fmt.Errorf("adapt_strength = %g, need ≥ 0 %s", c.AdaptStrength, range32)
	case !in32(c.TauMemBias):
		return fmt.Errorf("tau_mem_bias = %g, need a finite value %s", c.TauMemBias, range32)
	case !in32(c.TauAdaptBias):
		return fmt.Errorf("tau_adapt_bias = %g, need a finite value %s", c.TauAdaptBias, range32)
	}
	return validateSpiking(&c.Spiking, s, c.layerConfig)
}

func (c *LTCConfig) layerConfig(s layers.Spec, masks bool) (layers.LTCConfig, error) {
	o, err := c.Spiking.options(s, "ltc", masks)
	return layers.LTCConfig{Inputs: s.Inputs, Units: s.Hidden, DtMS: s.DtMS, Threshold: c.Threshold, AdaptStrength: c.AdaptStrength,
		TauMemBias: c.TauMemBias, TauAdaptBias: c.TauAdaptBias, SpikeOptions: o}, err
}

// NewLayer32 implements layers.ModelConfig.
func (c *LTCConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newLTC[float32](c, s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *LTCConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newLTC[float64](c, s, rng)
}

// newLTC builds the layer of c, loading the mask files.
func newLTC[T autodiff.Float](c *LTCConfig, s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	lc, err := c.layerConfig(s, true)
	if err != nil {
		return nil, err
	}
	return layers.NewLTC[T](lc, rng)
}
