package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/layers"
)

// ALIFConfig is the adaptive LIF network of Bellec et al. 2018's LSNN
// (model "alif"): the lif model with a threshold that rises with every
// spike and decays back.
type ALIFConfig struct {
	// TauAdaptMS is the adaptation time constant τ_a (default 700 ms,
	// Bellec et al.'s sequential MNIST); ρ = exp(−dt/τ_a).
	TauAdaptMS float64 `json:"tau_adapt_ms"`
	// AdaptStrength is β_a (default 1.8, Bellec et al.'s and the LTC-SN's).
	AdaptStrength float64 `json:"adapt_strength"`
	LIFConfig
}

func alifModel() layers.Model {
	return layers.Model{
		Name:    "alif",
		Summary: "adaptive LIF (LSNN, Bellec et al. 2018): the lif model with an adaptive threshold",
		Equations: `the lif model's update with ϑ replaced by the adaptive threshold θ_t:
a_t = ρ ⊙ a_{t−1} + (1 − ρ) ⊙ s_{t−1},  θ_t = b_0 + β_a a_t,  ρ = exp(−dt/τ_a), b_0 = threshold
s_t = H(u_t − θ_t),  v_t = u_t − θ_t s_t (subtract) or (1 − s_t) ⊙ u_t (zero)
the spike in a_t is not detached (Bellec et al.); state variables v, [i], a, z, [r]`,
		New:       func() layers.ModelConfig { return &ALIFConfig{} },
		Surrogate: true,
		// As the egru's: at 3·10⁻³ the default task's accuracy falls back
		// after its peak (0.98 at step 600, 0.88 at step 1000, seed 1).
		DefaultLR: 1e-3,
		// The defaults with input_gain 1: the configuration benchmarked
		// before the default gain became 4 (a kernel's time depends on
		// how many units spike).
		Bench: func() layers.ModelConfig { return &ALIFConfig{LIFConfig: LIFConfig{Spiking: Spiking{InputGain: 1}}} },
	}
}

// Model implements layers.ModelConfig.
func (c *ALIFConfig) Model() layers.Model { return alifModel() }

// Resolve implements layers.ModelConfig.
func (c *ALIFConfig) Resolve(s layers.Spec) {
	if c.TauAdaptMS == 0 {
		c.TauAdaptMS = 700
	}
	if c.AdaptStrength == 0 {
		c.AdaptStrength = 1.8
	}
	c.LIFConfig.Resolve(s)
}

// Validate implements layers.ModelConfig.
func (c *ALIFConfig) Validate(s layers.Spec) error {
	switch {
	case !(c.TauAdaptMS > 0) || math.IsInf(c.TauAdaptMS, 0):
		return fmt.Errorf("tau_adapt_ms = %g, need > 0", c.TauAdaptMS)
	case !(c.AdaptStrength > 0) || !in32(c.AdaptStrength):
		return fmt.Errorf("adapt_strength = %g, need a value > 0 %s (the lif model has none)", c.AdaptStrength, range32)
	}
	return c.LIFConfig.Validate(s)
}

func (c *ALIFConfig) adapt(lc *layers.LIFConfig) {
	lc.TauAdaptMS, lc.AdaptStrength, lc.Name = c.TauAdaptMS, c.AdaptStrength, "alif"
}

// NewLayer32 implements layers.ModelConfig.
func (c *ALIFConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newLIF[float32](&c.LIFConfig, s, c.adapt, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *ALIFConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newLIF[float64](&c.LIFConfig, s, c.adapt, rng)
}
