package lowrank

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Config is the low-rank RNN as a network model (model "lowrank"): the
// options a config file sets next to the network's hidden size and noise.
type Config struct {
	// Rank is R (default 1).
	Rank int `json:"rank"`
	// Alpha is dt/τ (default 0: the task's dt over layers.TauMS; a task
	// whose dt is longer than τ has no default, see layers.AlphaFor).
	Alpha float64 `json:"alpha"`
	// Activation is φ (default tanh, the library's LowRankRNN).
	Activation layers.Activation `json:"activation"`
	// Rates selects the output: tanh (default) reads out as the
	// low_rank_rnns library does, z = tanh(h)·(W_out ⊙ s_o)/N, and trains
	// m, n, s_i, s_o; phi or state feed a linear readout with φ(h + b) or h,
	// and train m, n, W_in and b.
	Rates Rates `json:"rates"`
	// InputScale and OutputScale are the initial s_i and s_o (default 1).
	InputScale  float64 `json:"input_scale"`
	OutputScale float64 `json:"output_scale"`
	// NoBias keeps the bias b inside φ(h + b) at zero (rates phi or state;
	// the library's readout never trains it). Default false.
	NoBias bool `json:"no_bias"`
	// InitFrom is a run directory or checkpoint of a trained full-rank
	// leaky network on the same task; training then starts from its rank-R
	// truncation (the SVD of its recurrent weights, as rnntrain truncate
	// makes it; Dubreuil et al. 2022) instead of random weights; rnntrain
	// refuses a run whose Activation or Alpha differs from the source's.
	// Default "": random initialisation.
	InitFrom string `json:"init_from"`
}

// AbsPaths makes InitFrom absolute (relative to the working directory), so
// that a run's config names it wherever it is read.
func (c *Config) AbsPaths() error {
	if c.InitFrom == "" {
		return nil
	}
	a, err := filepath.Abs(c.InitFrom)
	if err != nil {
		return err
	}
	c.InitFrom = a
	return nil
}

// Model returns the table entry of the low-rank model.
func Model() layers.Model {
	return layers.Model{
		Name:    "lowrank",
		Summary: "low-rank RNN (Valente et al. 2022, Dubreuil et al. 2022)",
		Equations: `h_{t+1} = h_t + α (−h_t + M Nᵀ φ(h_t + b) / N + W_in diag(s_i) u_t) + σ ξ_t
y_t = (W_out ⊙ s_o)ᵀ tanh(h_{t+1}) / N  (rates = tanh; phi or state: linear readout)
M, N ∈ R^{N×R}, J = M Nᵀ/N kept as its factors (low_rank_rnns LowRankRNN)`,
		New: func() layers.ModelConfig { return &Config{} },
		// Dubreuil et al.'s scripts that train rank-one networks on the
		// Mante and RDM tasks (low_rank_rnns) call train(…, lr=1e-2); at
		// the general 3·10⁻³ a rank-1 net of 64 units stays at the
		// context-blind 0.72–0.75 on context-dm.
		DefaultLR: 1e-2,
		// The anchor's lowrank_loop: rank 2, linear readout of h; m, n, U
		// and the readout train, no bias inside the recurrence.
		Bench: func() layers.ModelConfig { return &Config{Alpha: 0.2, Rank: 2, Rates: RatesState, NoBias: true} },
	}
}

// Model implements layers.ModelConfig.
func (c *Config) Model() layers.Model { return Model() }

// Resolve implements layers.ModelConfig.
func (c *Config) Resolve(s layers.Spec) {
	c.Alpha = layers.AlphaFor(c.Alpha, s.DtMS)
	if c.Rank == 0 {
		c.Rank = 1
	}
	if c.InputScale == 0 {
		c.InputScale = 1
	}
	if c.OutputScale == 0 {
		c.OutputScale = 1
	}
}

// Validate implements layers.ModelConfig.
func (c *Config) Validate(s layers.Spec) error {
	if err := layers.CheckAlpha(c.Alpha, s.DtMS); err != nil {
		return err
	}
	switch {
	case c.Rank < 0 || c.Rank > s.Hidden:
		return fmt.Errorf("rank = %d, need 1 ≤ rank ≤ hidden = %d", c.Rank, s.Hidden)
	case !(c.InputScale >= 0) || !(c.OutputScale >= 0) || math.IsInf(c.InputScale+c.OutputScale, 0):
		return fmt.Errorf("input_scale/output_scale = %g/%g, need finite values > 0", c.InputScale, c.OutputScale)
	}
	lc := c.layerConfig(s)
	if lc.Rank == 0 {
		lc.Rank = 1
	}
	if err := lc.Validate(); err != nil {
		return err
	}
	return nil
}

func (c *Config) layerConfig(s layers.Spec) LayerConfig {
	lc := LayerConfig{Inputs: s.Inputs, Hidden: s.Hidden, Rank: c.Rank, Alpha: c.Alpha,
		NoiseStd: s.NoiseStd, Activation: c.Activation, Rates: c.Rates}
	if c.Rates == RatesTanh {
		lc.Outputs = s.Outputs
	}
	return lc
}

// NewLayer32 implements layers.ModelConfig.
func (c *Config) NewLayer32(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float32], error) {
	return newModel[float32](c, s, rng)
}

// NewLayer64 implements layers.ModelConfig.
func (c *Config) NewLayer64(s layers.Spec, rng *rand.Rand) (layers.Recurrent[float64], error) {
	return newModel[float64](c, s, rng)
}

func newModel[T autodiff.Float](c *Config, s layers.Spec, rng *rand.Rand) (layers.Recurrent[T], error) {
	l, err := NewLayer[T]("lowrank", c.layerConfig(s), rng)
	if err != nil {
		return nil, err
	}
	for k := range l.SI.Value.Data {
		l.SI.Value.Data[k] = T(c.InputScale)
	}
	own := c.Rates == RatesTanh
	trained := ParamM | ParamN | ParamWI
	if own {
		trained = LibraryTrained
		for k := range l.SO.Value.Data {
			l.SO.Value.Data[k] = T(c.OutputScale)
		}
	}
	if s.FreezeRecurrent {
		trained &^= ParamM | ParamN
	}
	if s.FreezeInput {
		trained &^= ParamWI | ParamSI
	}
	if !s.FreezeBias && !own && !c.NoBias {
		trained |= ParamB
	}
	l.SetTrained(trained)
	if own {
		return ownReadout[T]{modelLayer[T]{l}}, nil
	}
	return modelLayer[T]{l}, nil
}

// modelLayer is the layer as a network model: its weight groups and its
// own initial state.
type modelLayer[T autodiff.Float] struct{ *Layer[T] }

func (l modelLayer[T]) WeightGroups() (in, rec []*autodiff.Param[T]) {
	return []*autodiff.Param[T]{l.WI}, []*autodiff.Param[T]{l.M, l.N}
}

func (l modelLayer[T]) InitialStateParam() *autodiff.Param[T] { return l.H0 }

// ownReadout is a modelLayer that reads out itself (Rates = tanh).
type ownReadout[T autodiff.Float] struct{ modelLayer[T] }

func (l ownReadout[T]) ReadoutWeights() []*autodiff.Param[T] { return []*autodiff.Param[T]{l.WO} }

// SetReadoutFrozen keeps W_out and s_o at their initial values.
func (l ownReadout[T]) SetReadoutFrozen() { l.SetTrained(l.Trained() &^ (ParamWO | ParamSO)) }

// SequenceReference implements layers.Reference: Layer.SequenceReference
// with init[0] as h0.
func (l modelLayer[T]) SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt layers.SeqOptions) *autodiff.Var[T] {
	rates, _ := l.Layer.SequenceReference(tp, x, layers.SingleInit(tp, init, l.Size()), steps, batch, opt)
	return rates
}

// LayerOf returns the low-rank layer r is or wraps (a network's recurrent
// layer of model lowrank, rnn.Network.Recurrent), or false for any other
// layer.
func LayerOf[T autodiff.Float](r layers.Recurrent[T]) (*Layer[T], bool) {
	switch l := r.(type) {
	case *Layer[T]:
		return l, true
	case modelLayer[T]:
		return l.Layer, true
	case ownReadout[T]:
		return l.Layer, true
	}
	return nil, false
}
