package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/layers"
)

// LIFConfig is the recurrent leaky integrate-and-fire network (model
// "lif"); see Equations in its table entry and layers.LIFConfig.
type LIFConfig struct {
	// TauMemMS is the membrane time constant τ_mem (default 20 ms); the
	// decay is β = exp(−dt/τ_mem).
	TauMemMS float64 `json:"tau_mem_ms"`
	// Beta, if > 0, is β itself (tau_mem_ms is then ignored).
	Beta float64 `json:"beta"`
	// TauSynMS > 0 adds Norse's synaptic current with α = exp(−dt/τ_syn)
	// (default 0: current-based input straight into the membrane).
	TauSynMS float64 `json:"tau_syn_ms"`
	// Threshold is ϑ (default 1).
	Threshold float64 `json:"threshold"`
	// Reset is subtract (default) or zero.
	Reset layers.Reset `json:"reset"`
	// RefractorySteps holds a unit silent for that many steps after a
	// spike (default 0).
	RefractorySteps int `json:"refractory_steps"`
	// TrainTau trains every unit's decays (heterogeneous τ; default
	// false).
	TrainTau bool `json:"train_tau"`
	Spiking
}

// defaultLIFInputGain is the lif and alif models' default input_gain, the
// scale of the initial W_in ~ N(0, gain²/inputs). The inputs of the
// decision tasks' default presets are of order 0.1 (coherence·0.1, noise
// 0.1, context cue 0.1), and at dt = 20 ms with τ_mem = 20 ms (β = e⁻¹)
// the membrane sums a constant drive p only to p/(1 − β) ≈ 1.6 p, so with
// a gain of 1 the drive stays far below the threshold of 1: on context-dm
// (seed 1, 64 units) 77 % of the units never spike in the first batch and
// the mean rate is 0.07 Hz. A gain of 4 starts it at 5.5 Hz with 3 % of
// the units silent, and the other generated tasks tried (perceptual-dm,
// multisensory, match-to-sample, parametric-wm, go-nogo, flip-flop, the
// neurogym context-dm) at 2–14 Hz, while τ_mem keeps its physiological
// 20 ms.
const defaultLIFInputGain = 4

func lifModel() layers.Model {
	return layers.Model{
		Name:    "lif",
		Summary: "recurrent leaky integrate-and-fire neurons, surrogate gradients (snnTorch Leaky, Norse LIF)",
		Equations: `p_t = W_in x_t + W_rec s_{t−1} + b + σ ξ_t   (x_t: the inputs, after the encoding; u_t: the membrane before the reset)
u_t = β ⊙ v_{t−1} + p_t                     (tau_syn_ms = 0)
u_t = β ⊙ v_{t−1} + (1−β) ⊙ i_{t−1},  i_t = α ⊙ i_{t−1} + p_t   (Norse's synaptic current)
s_t = H(u_t − ϑ)   (backward: the surrogate's derivative at u_t − ϑ)
v_t = u_t − ϑ s_t (reset subtract) or (1 − s_t) ⊙ u_t (reset zero); s_0 = v_0 = 0
β = exp(−dt/τ_mem), α = exp(−dt/τ_syn); refractory: u_t = v_{t−1}, s_t = 0 for R steps after a spike
rates = spikes s_t; state variables v, [i], z (= s), [r]`,
		New:       func() layers.ModelConfig { return &LIFConfig{} },
		Surrogate: true,
		// The anchor's lif_loop: β = 0.9, ϑ = 1, detached reset by
		// subtraction, fast sigmoid of slope 25, U ~ N(0, 4/I), W ~ N(0, 0.25/N).
		Bench: func() layers.ModelConfig {
			return &LIFConfig{Beta: 0.9, Spiking: Spiking{Surrogate: layers.Surrogate{S: surrogate.FastSigmoid{Slope: 25}},
				InputGain: 2, Connectivity: Connectivity{SpectralRadius: 0.5}}}
		},
	}
}

// Model implements layers.ModelConfig.
func (c *LIFConfig) Model() layers.Model { return lifModel() }

// Resolve implements layers.ModelConfig.
func (c *LIFConfig) Resolve(layers.Spec) {
	if c.TauMemMS == 0 {
		c.TauMemMS = 20
	}
	if c.Threshold == 0 {
		c.Threshold = 1
	}
	if c.InputGain == 0 {
		c.InputGain = defaultLIFInputGain
	}
	c.Spiking.resolve()
}

// Validate implements layers.ModelConfig.
func (c *LIFConfig) Validate(s layers.Spec) error {
	switch {
	case !(c.TauMemMS > 0) || !finite(c.TauMemMS):
		return fmt.Errorf("tau_mem_ms = %g, need > 0", c.TauMemMS)
	case c.Beta < 0 || c.Beta > 1 || math.IsNaN(c.Beta):
		return fmt.Errorf("beta = %g, need 0 (from tau_mem_ms) or a decay in (0, 1]", c.Beta)
	case c.TauSynMS < 0 || !finite(c.TauSynMS):
		return fmt.Errorf("tau_syn_ms = %g, need ≥ 0 (0 = no synaptic current)", c.TauSynMS)
	case !positive32(c.Threshold):
		return fmt.Errorf("threshold = %g, need a value > 0 that float32 holds (1.4e-45 … 3.4e38)", c.Threshold)
	case c.Reset < layers.ResetSubtract || c.Reset > layers.ResetZero:
		return fmt.Errorf("reset = %d is not subtract or zero", int(c.Reset))
	case c.RefractorySteps < 0 || c.RefractorySteps > 1<<20:
		return fmt.Errorf("refractory_steps = %d, need 0 … 2^20", c.RefractorySteps)
	}
	return validateSpiking(&c.Spiking, s, c.layerConfig)
}

func (c *LIFConfig) layerConfig(s layers.Spec, masks bool) (layers.LIFConfig, error) {
	o, err := c.Spiking.options(s, "lif", masks)
	return layers.LIFConfig{
		Inputs: s.Inputs, Units: s.Hidden, DtMS: dtOf(s), NominalDt: !(s.DtMS > 0), TauMemMS: c.TauMemMS, Beta: c.Beta, TauSynMS: c.TauSynMS,
		Threshold: c.Threshold, Reset: c.Reset, RefractorySteps: c.RefractorySteps, TrainTau: c.TrainTau, SpikeOptions: o,
	}, err
}

// NewLayer32 implements layers.ModelConfig.
func (c *LIFConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newLIF[float32](c, s, nil, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *LIFConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newLIF[float64](c, s, nil, rng)
}

// newLIF builds the layer of c, with adapt (nil for plain LIF) setting the
// adaptive threshold.
func newLIF[T autodiff.Float](c *LIFConfig, s layers.Spec, adapt func(*layers.LIFConfig), rng *rand.Rand) (layers.Recurrent[T], error) {
	lc, err := c.layerConfig(s, true)
	if err != nil {
		return nil, err
	}
	if adapt != nil {
		adapt(&lc)
	}
	return layers.NewLIF[T](lc, rng)
}
