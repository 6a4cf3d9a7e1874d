package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Model describes one recurrent model a network can be built from: its
// name in configs and on the command line, its equations and its typed
// configuration. The table of models is rnn.Models.
type Model struct {
	// Name is the model's name in configs and flags ("leaky", "gru", …).
	Name string
	// Summary is one line for listings.
	Summary string
	// Equations is the exact discrete update, as printed by
	// `rnntrain help train`.
	Equations string
	// New returns a fresh configuration holding the model's documented
	// defaults.
	New func() ModelConfig
	// Bench returns the configuration `rnntrain bench` times, the one the
	// PyTorch anchor's loop of this model uses; nil means New.
	Bench func() ModelConfig
	// Check returns the configuration the finite-difference gradient
	// checks use; nil means New. A model whose backward pass uses a
	// pseudo-derivative (a spike's surrogate) sets it to one with a
	// vanishing pseudo-derivative, which agrees with the step's true
	// derivative, 0, that finite differences see.
	Check func() ModelConfig
	// Surrogate marks a spiking model: its rates are spikes, and the
	// gradients through them are surrogate gradients, which finite
	// differences cannot check (they see a zero derivative). The
	// conformance suite checks such a model's gradients against its
	// unfused reference, and only the readout's against finite
	// differences (Check cannot help: no smooth path bypasses the spikes).
	Surrogate bool
	// DefaultLR is the learning rate a training run of this model uses
	// when its config sets none; 0 means the command's general default.
	DefaultLR float64
	// Events, when not empty, marks an event-based model whose units emit
	// binary events: it names the state variable that is nonzero exactly
	// at an event (the EGRU's y_t = o_t ⊙ c̃_t), which a raster draws as a
	// spiking model's spikes.
	Events string
}

// Spec is what every model gets from the network: sizes and the options
// every network has.
type Spec struct {
	// Inputs, Hidden and Outputs are I, N and O.
	Inputs, Hidden, Outputs int
	// DtMS is the task's time step in ms, for defaults such as α = dt/τ;
	// 0 when unknown.
	DtMS float64
	// NoiseStd is σ of the private recurrent noise (the model's config
	// says how it enters).
	NoiseStd float64
	// FreezeInput, FreezeRecurrent and FreezeBias keep those parameter
	// groups at their initial values.
	FreezeInput, FreezeRecurrent, FreezeBias bool
}

// ModelConfig is the typed configuration of one model. Its fields carry
// json tags in snake_case: they are the keys of the model's options in a
// config file, next to the network's own keys.
type ModelConfig interface {
	// Model returns the model's table entry.
	Model() Model
	// Resolve fills the defaults that depend on s (α from s.DtMS, …).
	Resolve(s Spec)
	// Validate reports the first invalid option, naming its config key.
	Validate(s Spec) error
	// NewLayer32 and NewLayer64 build the layer, drawing every weight
	// from rng.
	NewLayer32(s Spec, rng *rand.Rand) (Recurrent[float32], error)
	NewLayer64(s Spec, rng *rand.Rand) (Recurrent[float64], error)
}

// NewLayer builds the layer of c in precision T, with c.NewLayer32 or
// c.NewLayer64, and returns their error.
func NewLayer[T autodiff.Float](c ModelConfig, s Spec, rng *rand.Rand) (Recurrent[T], error) {
	var zero T
	switch any(zero).(type) {
	case float32:
		l, err := c.NewLayer32(s, rng)
		if err != nil {
			return nil, err
		}
		return any(l).(Recurrent[T]), nil
	case float64:
		l, err := c.NewLayer64(s, rng)
		if err != nil {
			return nil, err
		}
		return any(l).(Recurrent[T]), nil
	}
	panic(fmt.Sprintf("layers: NewLayer for %T", zero))
}

// Weighted is implemented by layers that name their input and recurrent
// weights (for weight regularizers).
type Weighted[T autodiff.Float] interface {
	WeightGroups() (in, rec []*autodiff.Param[T])
}

// Coupled is implemented by layers in which units reach each other through
// more than the recurrent weights (LTC's gates act on the other units'
// drives, membranes and adaptation). ConnectionWeights lists every weight
// [G·N, N] whose entries (g·N+i, j) carry unit j to unit i, the recurrent
// weight included; a connection lesion cuts them all.
type Coupled[T autodiff.Float] interface {
	ConnectionWeights() []*autodiff.Param[T]
}

// ReadoutConstrained is implemented by layers whose readout must obey a
// constraint (Dale's law reads out excitatory units only, with
// non-negative weights).
type ReadoutConstrained interface {
	ReadoutConstraint() Constraint
}

// SelfReadout is implemented by layers that read out themselves (the
// low_rank_rnns library's readout): Readout maps the rates
// [rows, N] to the outputs [rows, O] and ReadoutParams lists its weights.
type SelfReadout[T autodiff.Float] interface {
	Readout(tp *autodiff.Tape[T], rates *autodiff.Var[T]) *autodiff.Var[T]
	ReadoutWeights() []*autodiff.Param[T]
}

// OwnInitialState is implemented by layers that keep their own initial
// state parameter (the low-rank layer's h0), which the network then uses
// instead of its own "h0".
type OwnInitialState[T autodiff.Float] interface {
	InitialStateParam() *autodiff.Param[T]
}

// TauMS is the membrane time constant from which α = dt/τ is derived when a
// config leaves α at 0 (100 ms, as PsychRNN, NeuroGym and the low-rank
// scripts use).
const TauMS = 100

// AlphaFor returns a, or when a is 0 its default dt/TauMS (0.2 when dt is
// unknown). A step longer than τ has no default: AlphaFor then returns 0,
// which CheckAlpha refuses.
func AlphaFor(a, dtMS float64) float64 {
	switch {
	case a != 0:
		return a
	case !(dtMS > 0):
		return 0.2
	case dtMS > TauMS:
		// dt/τ > 1 is not a discretisation of τ; another τ is the
		// user's choice to make.
		return 0
	}
	return dtMS / TauMS
}

// CheckAlpha reports an α (after AlphaFor) outside (0, 1], or one so small
// that float32, in which networks compute, rounds it to 0 (a network that
// never moves), naming the config key alpha; 0, left by AlphaFor for a
// step dt longer than τ, gets an error naming dt, τ and the α = dt/τ it
// would give. An α of 0 with a step of at most τ (not yet resolved)
// passes.
func CheckAlpha(a, dtMS float64) error {
	switch {
	case a == 0 && dtMS > TauMS:
		return fmt.Errorf("alpha: the task's dt = %g ms is longer than the τ = %d ms of the default α = dt/τ = %.3g, which must be at most 1; give alpha in (0, 1] (1: τ = dt)", dtMS, TauMS, dtMS/TauMS)
	case a != 0 && !(a > 0 && a <= 1):
		return fmt.Errorf("alpha = %g, need 0 < α ≤ 1 (0: dt/τ)", a)
	case a != 0 && float32(a) == 0:
		return fmt.Errorf("alpha = %g is 0 in float32, in which networks compute; need 1.4e-45 ≤ α ≤ 1 (0: dt/τ)", a)
	}
	return nil
}

// Reference is implemented by layers that keep an unfused reference of
// their fused sequence op, written with the autodiff primitives one step at
// a time: the oracle the fused op is tested against (in float64).
// SequenceReference takes Sequence's arguments and returns the rates,
// [steps·batch, N], with gradients flowing into the parameters and into
// init[0]; noise is drawn in Sequence's order, so equal rng states give
// equal results. It is slow and allocates.
type Reference[T autodiff.Float] interface {
	SequenceReference(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) *autodiff.Var[T]
}
