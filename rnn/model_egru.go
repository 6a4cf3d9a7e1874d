package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// EGRUConfig is the event-based GRU of Subramoney et al. (ICLR 2023) with
// its released code's equations (model "egru", layers.EGRU); see Equations
// in its table entry. The private noise σ·ξ is added to c̃ in training.
type EGRUConfig struct {
	// Gamma γ is the pseudo-derivative's height (default 0.7, EvNN's
	// dampening_factor).
	Gamma float64 `json:"gamma"`
	// Eps ε is its inverse support: zero where |c̃ − ϑ| ≥ 1/ε (default 1,
	// EvNN's pseudo_derivative_support).
	Eps float64 `json:"eps"`
	// Trace reads out the output trace tr_t = 0.9 tr_{t−1} + 0.1 y_t
	// instead of y_t (default false).
	Trace bool `json:"trace"`
	// Zoneout is the probability that a unit keeps its previous c at a
	// training step (default 0).
	Zoneout float64 `json:"zoneout"`
	// DropConnect is the probability that a recurrent weight is dropped
	// for a training sequence (default 0).
	DropConnect float64 `json:"drop_connect"`
	// ActivityReg λ weighs the activity penalty λ·(mean(o) −
	// ActivityTarget)² (default 0, off; target default 0.05), the mean
	// over the steps each trial really has; under truncated BPTT each
	// window adds its share of the batch's steps times the penalty of its
	// own mean (layers.EGRUOptions.ActivityReg).
	ActivityReg    float64 `json:"activity_reg"`
	ActivityTarget float64 `json:"activity_target"`
	// Kernels is auto (sparse while a step's activity is low, the
	// default), sparse or dense.
	Kernels layers.EGRUKernels `json:"kernels"`
}

func egruModel() layers.Model {
	return layers.Model{
		Name:    "egru",
		Summary: "event-based GRU (Subramoney et al. 2023, EvNN's equations); kernels skip silent units",
		Equations: `r_t = sigmoid(W_ir u_t + b_ir + W_hr y_{t−1} + b_hr)
u'_t = sigmoid(W_iu u_t + b_iu + W_hu y_{t−1} + b_hu)   (update gate)
z_t = tanh(W_iz u_t + b_iz + r_t ⊙ (W_hz y_{t−1} + b_hz))
c̃_t = u'_t ⊙ c_{t−1} + (1 − u'_t) ⊙ z_t (+ zoneout, + σ ξ_t)
o_t = H(c̃_t − ϑ), y_t = o_t ⊙ c̃_t, c_t = c̃_t − o_t ⊙ ϑ   (ϑ per unit, trained)
tr_t = 0.9 tr_{t−1} + 0.1 y_t;  r = y (or tr with trace), c_0 = y_0 = 0
∂o/∂c̃ = γ max(0, 1 − ε|c̃ − ϑ|)`,
		New: func() layers.ModelConfig { return &EGRUConfig{Gamma: 0.7, Eps: 1, ActivityTarget: 0.05} },
		// y_t = o_t ⊙ c̃_t is nonzero where o_t = 1, with or without the
		// output trace: an event with c̃_t exactly 0, which needs a trained
		// threshold ϑ ≤ 0 (they start in (0, 1)), is the only one it misses.
		Events: "y",
		// Adam at 3·10⁻³, the general default, drives the default task's
		// held-out accuracy down again after it peaks (0.99 at step 500,
		// 0.88 at step 1000, seed 1); at 10⁻³ it ends at 0.99–1.00.
		DefaultLR: 1e-3,
		// Finite differences see the Heaviside step's true derivative, 0;
		// a vanishing γ makes the pseudo-derivative agree with it.
		Check: func() layers.ModelConfig { return &EGRUConfig{Gamma: 1e-12, Eps: 1, ActivityTarget: 0.05} },
	}
}

// Model implements layers.ModelConfig.
func (c *EGRUConfig) Model() layers.Model { return egruModel() }

// Resolve implements layers.ModelConfig: a zero γ or ε takes its default.
func (c *EGRUConfig) Resolve(layers.Spec) {
	if c.Gamma == 0 {
		c.Gamma = 0.7
	}
	if c.Eps == 0 {
		c.Eps = 1
	}
}

// options returns the layer options of c with the network's noise.
func (c *EGRUConfig) options(s layers.Spec) layers.EGRUOptions {
	return layers.EGRUOptions{
		Gamma: c.Gamma, Eps: c.Eps, Trace: c.Trace, Zoneout: c.Zoneout, DropConnect: c.DropConnect,
		ActivityReg: c.ActivityReg, ActivityTarget: c.ActivityTarget, NoiseStd: s.NoiseStd, Kernels: c.Kernels,
	}
}

// Validate implements layers.ModelConfig.
func (c *EGRUConfig) Validate(s layers.Spec) error {
	if s.Inputs <= 0 {
		return fmt.Errorf("inputs = %d, but the egru model needs at least one input", s.Inputs)
	}
	o := c.options(s)
	if o.Gamma == 0 {
		o.Gamma = 0.7
	}
	if o.Eps == 0 {
		o.Eps = 1
	}
	if math.IsNaN(o.NoiseStd) {
		return fmt.Errorf("noise = NaN")
	}
	// The kernels compute in T: γ = 1e39 is +Inf in float32 and makes the
	// pseudo-derivative NaN outside its support, ε = 1e-50 is 0 there.
	switch {
	case o.Gamma > 0 && !positive32(o.Gamma):
		return fmt.Errorf("gamma = %g, need a value > 0 that float32 holds (1.4e-45 … 3.4e38)", o.Gamma)
	case o.Eps > 0 && !positive32(o.Eps):
		return fmt.Errorf("eps = %g, need a value > 0 that float32 holds (1.4e-45 … 3.4e38)", o.Eps)
	case o.ActivityReg > 0 && !in32(o.ActivityReg):
		return fmt.Errorf("activity_reg = %g, need a value ≥ 0 %s", o.ActivityReg, range32)
	}
	return o.Validate()
}

// NewLayer32 implements layers.ModelConfig.
func (c *EGRUConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newEGRU[float32](c, s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *EGRUConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newEGRU[float64](c, s, rng)
}

func newEGRU[T autodiff.Float](c *EGRUConfig, s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	if err := c.Validate(s); err != nil {
		return nil, err
	}
	e, err := layers.NewEGRU[T]("egru", s.Inputs, s.Hidden, c.options(s), rng)
	if err != nil {
		return nil, err
	}
	e.WeightIH.Frozen, e.WeightHH.Frozen = s.FreezeInput, s.FreezeRecurrent
	// The threshold ϑ is a per-unit offset of the event condition, a
	// bias: it freezes with the biases.
	e.BiasIH.Frozen, e.BiasHH.Frozen, e.Threshold.Frozen = s.FreezeBias, s.FreezeBias, s.FreezeBias
	return egruLayer[T]{e}, nil
}

type egruLayer[T autodiff.Float] struct{ *layers.EGRU[T] }

func (e egruLayer[T]) WeightGroups() (in, rec []*autodiff.Param[T]) {
	return e.InputWeights(), e.RecurrentWeights()
}

// SequenceReference implements layers.Reference: EGRU.RunReference's
// rates (the activity penalty, off by default, is not part of them).
func (e egruLayer[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) *autodiff.Var[T] {
	rates, _, _ := e.RunReference(tp, x, init, steps, batch, opt)
	return rates
}
