package rnn

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// GRUConfig is torch.nn.GRU (model "gru"). It has no options of its own:
// the private noise σ·ξ is added to h unscaled.
type GRUConfig struct{}

func gruModel() layers.Model {
	return layers.Model{
		Name:    "gru",
		Summary: "gated recurrent unit (torch.nn.GRU's equations and layout)",
		Equations: `r_t = sigmoid(W_ir u_t + b_ir + W_hr h_t + b_hr)
z_t = sigmoid(W_iz u_t + b_iz + W_hz h_t + b_hz)
n_t = tanh(W_in u_t + b_in + r_t ⊙ (W_hn h_t + b_hn))
h_{t+1} = (1 − z_t) ⊙ n_t + z_t ⊙ h_t + σ ξ_t, r = h, h_0 = 0`,
		New: func() layers.ModelConfig { return &GRUConfig{} },
	}
}

// Model implements layers.ModelConfig.
func (c *GRUConfig) Model() layers.Model { return gruModel() }

// Resolve implements layers.ModelConfig.
func (c *GRUConfig) Resolve(layers.Spec) {}

// Validate implements layers.ModelConfig.
func (c *GRUConfig) Validate(s layers.Spec) error {
	if s.Inputs <= 0 {
		return fmt.Errorf("inputs = %d, but the gru model needs at least one input", s.Inputs)
	}
	return nil
}

// NewLayer32 implements layers.ModelConfig.
func (c *GRUConfig) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newGRU[float32](s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *GRUConfig) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newGRU[float64](s, rng)
}

func newGRU[T autodiff.Float](s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	g, err := layers.NewGRU[T]("gru", s.Inputs, s.Hidden, rng)
	if err != nil {
		return nil, err
	}
	g.NoiseStd = s.NoiseStd
	g.WeightIH.Frozen, g.WeightHH.Frozen = s.FreezeInput, s.FreezeRecurrent
	g.BiasIH.Frozen, g.BiasHH.Frozen = s.FreezeBias, s.FreezeBias
	return gruLayer[T]{g}, nil
}

type gruLayer[T autodiff.Float] struct{ *layers.GRU[T] }

func (g gruLayer[T]) WeightGroups() (in, rec []*autodiff.Param[T]) {
	return []*autodiff.Param[T]{g.WeightIH}, []*autodiff.Param[T]{g.WeightHH}
}

// SequenceReference implements layers.Reference: GRU.SequenceReference
// with init[0] as h0.
func (g gruLayer[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) *autodiff.Var[T] {
	rates, _ := g.GRU.SequenceReference(tp, x, layers.SingleInit(tp, init, g.Size()), steps, batch, opt)
	return rates
}
