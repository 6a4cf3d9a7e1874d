package layers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// LeakyConfig describes a leaky rate RNN layer:
//
//	state integration:  x_{t+1} = (1−α) x_t + α (W_rec φ(x_t) + W_in u_t + b) + noise,  r = φ(x)
//	rate integration:   r_{t+1} = (1−α) r_t + α φ(W_rec r_t + W_in u_t + b + noise)
//
// with α = dt/τ. State integration is that of PsychRNN (murraylab/PsychRNN
// psychrnn/backend/models/basic.py Basic.recurrent_timestep) and of the
// low_rank_rnns library (modules.py FullRankRNN.forward); rate integration
// is that of Yang et al. 2019 (gyyang/multitask network.py LeakyRNNCell).
// The vanilla RNN of torch.nn.RNN is rate integration with α = 1 and
// φ = tanh (Torch = true gives torch's parameter layout).
// W_rec and W_in are the effective weights of the raw parameters under Dale's
// law and the masks (see Constraint).
type LeakyConfig struct {
	Inputs, Units int
	// Alpha is dt/τ in (0, 1].
	Alpha       float64
	Activation  Activation
	Integration Integration
	// NoiseStd is σ of the private recurrent noise, entering as Noise says;
	// it is drawn only when Sequence gets an rng.
	NoiseStd float64
	Noise    NoiseConvention
	// ExcFraction > 0 turns on Dale's law with that fraction of excitatory
	// units (the first round(f·N)); 0 leaves it off.
	ExcFraction float64
	// Init and Radius set the recurrent initialisation (Radius 0 → 1.1,
	// PsychRNN's spec_rad default). Dale's law requires InitGaussian.
	Init   Init
	Radius float64
	// RecMask and InMask are connectivity masks (row-major, [N×N] and
	// [N×Inputs]; nil = full); RecFixed and InFixed mark untrained weights.
	RecMask, RecFixed []bool
	InMask, InFixed   []bool
	// NoAutapses removes the diagonal of W_rec from the connectivity.
	NoAutapses bool
	// Torch selects torch.nn.RNN's layout and names: two biases bias_ih and
	// bias_hh (their sum is the bias b) and the suffix _l0. Otherwise there
	// is one bias.
	Torch bool
	// Name prefixes the parameter names ("leaky" → "leaky.weight_hh").
	Name string
	// FreezeInput, FreezeRec and FreezeBias mark whole parameters as not
	// trained (autodiff.Param.Frozen); the zero value trains everything.
	FreezeInput, FreezeRec, FreezeBias bool
}

// Validate reports the first invalid field.
func (c *LeakyConfig) Validate() error {
	switch {
	case c.Units <= 0:
		return fmt.Errorf("layers: leaky Units = %d, need > 0", c.Units)
	case c.Inputs < 0:
		return fmt.Errorf("layers: leaky Inputs = %d, need ≥ 0", c.Inputs)
	case !(c.Alpha > 0 && c.Alpha <= 1):
		return fmt.Errorf("layers: leaky Alpha = %g, need 0 < α ≤ 1", c.Alpha)
	case c.Activation < Tanh || c.Activation > Identity:
		return fmt.Errorf("layers: leaky Activation = %v is not a known activation", c.Activation)
	case c.Integration < IntegrateState || c.Integration > IntegrateRate:
		return fmt.Errorf("layers: leaky Integration = %v is not known", c.Integration)
	case c.NoiseStd < 0 || math.IsNaN(c.NoiseStd):
		return fmt.Errorf("layers: leaky NoiseStd = %g, need ≥ 0", c.NoiseStd)
	case c.Noise < NoisePsychRNN || c.Noise > NoiseValente:
		return fmt.Errorf("layers: leaky Noise = %v is not a known convention", c.Noise)
	case c.ExcFraction < 0 || c.ExcFraction > 1 || math.IsNaN(c.ExcFraction):
		return fmt.Errorf("layers: leaky ExcFraction = %g, need 0 (off) or in (0, 1]", c.ExcFraction)
	case c.ExcFraction > 0 && NumExcitatory(c.Units, c.ExcFraction) == 0:
		return fmt.Errorf("layers: leaky ExcFraction = %g makes none of the %d units excitatory, and only excitatory units reach the readout", c.ExcFraction, c.Units)
	case c.ExcFraction > 0 && c.Init != InitGaussian:
		return fmt.Errorf("layers: leaky Init = %v with Dale's law, only gaussian is supported", c.Init)
	case c.Init < InitGaussian || c.Init > InitIdentity:
		return fmt.Errorf("layers: leaky Init = %v is not known", c.Init)
	case c.Radius < 0:
		return fmt.Errorf("layers: leaky Radius = %g, need ≥ 0", c.Radius)
	}
	n, i := c.Units, c.Inputs
	for _, m := range []struct {
		name string
		m    []bool
		want int
	}{{"RecMask", c.RecMask, n * n}, {"RecFixed", c.RecFixed, n * n}, {"InMask", c.InMask, n * i}, {"InFixed", c.InFixed, n * i}} {
		if m.m != nil && len(m.m) != m.want {
			return fmt.Errorf("layers: leaky %s has %d elements, want %d", m.name, len(m.m), m.want)
		}
	}
	return nil
}

// Leaky is a leaky (or vanilla) rate RNN layer that runs a whole sequence as
// one fused op. It implements Recurrent.
type Leaky[T autodiff.Float] struct {
	cfg  LeakyConfig
	wIn  constrained[T] // [N×I]
	wRec constrained[T] // [N×N]
	bias []*autodiff.Param[T]
	ops  SeqCache[T, leakyOp[T]]
}

var _ Recurrent[float32] = (*Leaky[float32])(nil)

// NewLeaky builds the layer with weights drawn from rng: W_rec by cfg.Init
// (or InitDaleTo under Dale's law), W_in ~ N(0, 1/Inputs) (|·| under Dale),
// biases zero. It returns an error naming the bad field if cfg is invalid.
func NewLeaky[T autodiff.Float](cfg LeakyConfig, rng *rand.Rand) (*Leaky[T], error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("layers: NewLeaky needs an rng")
	}
	if cfg.Radius == 0 {
		cfg.Radius = 1.1
	}
	if cfg.Name == "" {
		cfg.Name = "leaky"
	}
	n, in := cfg.Units, cfg.Inputs
	sfx := ""
	if cfg.Torch {
		sfx = "_l0"
	}
	l := &Leaky[T]{cfg: cfg}
	l.wRec.p = autodiff.NewParam[T](cfg.Name+".weight_hh"+sfx, n, n)
	l.wIn.p = autodiff.NewParam[T](cfg.Name+".weight_ih"+sfx, n, in)
	if cfg.Torch {
		l.bias = []*autodiff.Param[T]{
			autodiff.NewVector[T](cfg.Name+".bias_ih"+sfx, n),
			autodiff.NewVector[T](cfg.Name+".bias_hh"+sfx, n),
		}
	} else {
		l.bias = []*autodiff.Param[T]{autodiff.NewVector[T](cfg.Name+".bias", n)}
	}
	l.wRec.p.Frozen, l.wIn.p.Frozen = cfg.FreezeRec, cfg.FreezeInput
	for _, b := range l.bias {
		b.Frozen = cfg.FreezeBias
	}

	w := make([]float64, n*n)
	if cfg.ExcFraction > 0 {
		InitDaleTo(w, n, cfg.ExcFraction, cfg.Radius, rng)
	} else {
		InitTo(cfg.Init, w, n, cfg.Radius, rng)
	}
	for k, v := range w {
		l.wRec.p.Value.Data[k] = T(v)
	}
	if in > 0 {
		sd := 1 / math.Sqrt(float64(in))
		for k := range l.wIn.p.Value.Data {
			l.wIn.p.Value.Data[k] = T(sd * rng.NormFloat64())
		}
	}

	l.wRec.c = Constraint{Mask: recurrentMask(cfg.RecMask, n, cfg.NoAutapses), Fixed: cfg.RecFixed}
	l.wIn.c = Constraint{Mask: cfg.InMask, Fixed: cfg.InFixed}
	if cfg.ExcFraction > 0 {
		l.wRec.c.Abs, l.wRec.c.ColSign = true, DaleSigns(n, cfg.ExcFraction)
		l.wIn.c.Abs = true
	}
	return l, nil
}

// Config returns the layer's configuration with defaults filled in.
func (l *Leaky[T]) Config() LeakyConfig { return l.cfg }

// Size returns the number of units N.
func (l *Leaky[T]) Size() int { return l.cfg.Units }

// Params returns weight_ih [N×I], weight_hh [N×N], then the bias or biases
// [1×N], with names prefixed by the config's Name.
func (l *Leaky[T]) Params() []*autodiff.Param[T] {
	return append([]*autodiff.Param[T]{l.wIn.p, l.wRec.p}, l.bias...)
}

// InputWeights returns the raw input weight W_in [N×I].
func (l *Leaky[T]) InputWeights() *autodiff.Param[T] { return l.wIn.p }

// RecurrentWeights returns the raw recurrent weight W_rec [N×N].
func (l *Leaky[T]) RecurrentWeights() *autodiff.Param[T] { return l.wRec.p }

// RecurrentConstraint and InputConstraint return the maps from raw to
// effective weights (Dale's law, masks, fixed weights).
func (l *Leaky[T]) RecurrentConstraint() Constraint { return l.wRec.c }

// InputConstraint returns the map from raw to effective input weights.
func (l *Leaky[T]) InputConstraint() Constraint { return l.wIn.c }

// EffectiveRecurrent writes the effective recurrent weight (what the
// dynamics use) into dst [N×N]. It panics on a wrong length.
func (l *Leaky[T]) EffectiveRecurrent(dst []T) {
	effectiveTo(&l.wRec.c, dst, l.wRec.p.Value.Data, l.cfg.Units)
}

// EffectiveInput writes the effective input weight into dst [N×I].
func (l *Leaky[T]) EffectiveInput(dst []T) {
	effectiveTo(&l.wIn.c, dst, l.wIn.p.Value.Data, l.cfg.Inputs)
}
