package layers

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/enum"
)

// EGRU is the event-based gated recurrent unit of Subramoney et al. (ICLR
// 2023) with the equations of its released code (EvNN
// lib/egru_forward_cpu.cc, frameworks/pytorch/egru.py), per unit:
//
//	r_t  = σ(W_ir x_t + b_ir + W_hr y_{t−1} + b_hr)                 (reset gate)
//	u_t  = σ(W_iu x_t + b_iu + W_hu y_{t−1} + b_hu)                 (update gate)
//	z_t  = tanh(W_iz x_t + b_iz + r_t ⊙ (W_hz y_{t−1} + b_hz))      (candidate, cuDNN convention)
//	c̃_t  = u_t ⊙ c_{t−1} + (1 − u_t) ⊙ z_t                          (+ zoneout, + NoiseStd·ξ)
//	o_t  = H(c̃_t − ϑ)                                               (event; ϑ per unit, trainable)
//	y_t  = o_t ⊙ c̃_t                                                (what other units and the readout see)
//	c_t  = c̃_t − o_t ⊙ ϑ                                            (reset by subtracting the threshold)
//	tr_t = 0.9 tr_{t−1} + 0.1 y_t                                   (output trace, when Options.Trace)
//
// The Heaviside step's derivative is replaced by the pseudo-derivative
// ∂o/∂c̃ = γ·max(0, 1 − ε|c̃ − ϑ|) (EvNN SpikeFunction; γ = Options.Gamma,
// ε = Options.Eps), and ∂o/∂ϑ = −∂o/∂c̃.
//
// The weights stack the gates in torch.nn.GRU's order (r, u, z), so the
// layout is the GRU's: WeightIH [3N, I], WeightHH [3N, N], BiasIH and BiasHH
// [1, 3N]; Threshold is ϑ, [1, N]. The rates a readout sees are y (or tr
// with Options.Trace).
//
// State variables: c (primary: the one a trainable initial state sets), y
// (the previous output, which the recurrent product reads) and, with
// Options.Trace, tr.
//
// Sparsity: y_{t−1} is zero for every silent unit, so the recurrent product
// reads only the rows of W_hhᵀ of the units active at t−1 (in some batch
// row: a GEMM over that union; or per row), and the recurrent weight
// gradient accumulates only over them. In the backward pass the
// gradient reaching y_{t−1} is needed only for units that were active or
// whose pseudo-derivative is nonzero; the rest are skipped. When a step's
// activity is high the dense GEMM kernels run instead (Options.Kernels).
//
// Inactivation: a silenced unit holds c̃ = 0 and emits no events (o = y = c
// = 0); a clamped unit holds c̃ at ClampValue and then fires and resets as
// usual. A held c̃ depends on nothing upstream.
type EGRU[T autodiff.Float] struct {
	WeightIH, WeightHH, BiasIH, BiasHH, Threshold *autodiff.Param[T]
	Options                                       EGRUOptions

	inputs, hidden int
	cache          SeqCache[T, egruSeq[T]]
	stats          egruStatsRing[T]
}

// EGRUOptions are an EGRU's settings beyond its sizes. The zero value is not
// valid (Gamma and Eps must be positive); DefaultEGRUOptions returns the
// released code's defaults.
type EGRUOptions struct {
	// Gamma γ and Eps ε shape the pseudo-derivative γ·max(0, 1 − ε|c̃ − ϑ|)
	// (EvNN dampening_factor 0.7 and pseudo_derivative_support 1).
	Gamma, Eps float64
	// Trace makes the rates the output trace tr_t = 0.9 tr_{t−1} + 0.1 y_t
	// instead of y_t (EvNN --use-output-trace).
	Trace bool
	// Zoneout p: in training (SeqOptions.Noise set) each unit keeps its
	// previous c with probability p at every step, c̃ ← c_{t−1}, drawn from
	// the noise rng; in evaluation c̃ ← p·c_{t−1} + (1−p)·c̃ (Haste's rule).
	Zoneout float64
	// DropConnect p: in training each recurrent weight is dropped with
	// probability p for the whole sequence and the others scaled by
	// 1/(1−p) (drawn from the noise rng before the zoneout draws); in
	// evaluation the weights are used as they are.
	DropConnect float64
	// ActivityReg λ and ActivityTarget add λ·(mean(o) − target)² to the
	// loss, the mean over every unit, step and sequence of the call, or
	// with SeqOptions.Lengths over the unit-steps within each trial's
	// length (padded unit-steps get no gradient from the penalty). Its
	// gradient is added inside the op's backward pass, as train's weight
	// penalties are applied directly to gradients; its value is reported
	// by Stats.
	//
	// Under truncated BPTT each window is a call, and the loss gets
	// SeqOptions.PenaltyShare of the window's penalty: with the share
	// train passes, the window's unit-steps within the trials' lengths
	// over the batch's, the batch's penalty is
	//
	//	Σ_w share_w·λ·(a_w − target)²,   a_w = mean(o) over window w,
	//
	// the weighting of train's firing-rate penalties (Regularization).
	// The windows' means average to the whole sequence's, Σ_w share_w·a_w =
	// a, so when every window has the same activity the sum is the
	// whole-sequence penalty λ·(a − target)² whatever the window length;
	// otherwise it is larger by λ·Σ_w share_w·(a_w − a)² (the spread of
	// the windows' activities is penalised too).
	ActivityReg, ActivityTarget float64
	// NoiseStd σ adds σ·ξ, ξ ~ N(0, 1), to c̃ at every step when
	// SeqOptions.Noise is set (drawn after the zoneout draw of the step).
	NoiseStd float64
	// Kernels selects the sparse or dense kernels; the zero value chooses
	// per step by activity.
	Kernels EGRUKernels
}

// DefaultEGRUOptions returns EvNN's defaults: γ = 0.7, ε = 1, no trace,
// zoneout, DropConnect, activity penalty (target 0.05 when enabled, EvNN
// dvs_gesture) or noise, kernels chosen by activity.
func DefaultEGRUOptions() EGRUOptions {
	return EGRUOptions{Gamma: 0.7, Eps: 1, ActivityTarget: 0.05}
}

// Validate returns an error naming the first bad option.
func (o EGRUOptions) Validate() error {
	switch {
	case !(o.Gamma > 0) || math.IsInf(o.Gamma, 0):
		return fmt.Errorf("gamma: %g must be positive and finite", o.Gamma)
	case !(o.Eps > 0) || math.IsInf(o.Eps, 0):
		return fmt.Errorf("eps: %g must be positive and finite", o.Eps)
	case !(o.Zoneout >= 0 && o.Zoneout < 1):
		return fmt.Errorf("zoneout: %g must be in [0, 1)", o.Zoneout)
	case !(o.DropConnect >= 0 && o.DropConnect < 1):
		return fmt.Errorf("drop_connect: %g must be in [0, 1)", o.DropConnect)
	case !(o.ActivityReg >= 0) || math.IsInf(o.ActivityReg, 0):
		return fmt.Errorf("activity_reg: %g must be finite and non-negative", o.ActivityReg)
	case !(o.ActivityTarget >= 0 && o.ActivityTarget <= 1):
		return fmt.Errorf("activity_target: %g must be in [0, 1]", o.ActivityTarget)
	case !(o.NoiseStd >= 0) || math.IsInf(o.NoiseStd, 0):
		return fmt.Errorf("noise: %g must be finite and non-negative", o.NoiseStd)
	case o.Kernels < 0 || int(o.Kernels) >= len(egruKernelNames()):
		return fmt.Errorf("kernels: unknown value %d", int(o.Kernels))
	}
	return nil
}

// EGRUKernels selects how the EGRU's recurrent products run.
type EGRUKernels int

const (
	// KernelsAuto runs each step's recurrent products sparsely while the
	// fraction of active units is at most egruDenseAbove, densely above.
	KernelsAuto EGRUKernels = iota
	// KernelsSparse always skips silent units.
	KernelsSparse
	// KernelsDense always runs the dense GEMMs, as a GRU does.
	KernelsDense
)

// egruKernelNames lists the kernel choices' names, indexed by EGRUKernels.
func egruKernelNames() []string {
	return []string{KernelsAuto: "auto", KernelsSparse: "sparse", KernelsDense: "dense"}
}

func (k EGRUKernels) String() string { return enum.Name(egruKernelNames(), int(k), "EGRUKernels") }

// ParseEGRUKernels returns the kernel choice named s (auto, sparse, dense).
func ParseEGRUKernels(s string) (EGRUKernels, error) {
	i, err := enum.Parse(egruKernelNames(), s, "kernels")
	return EGRUKernels(i), err
}

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (k EGRUKernels) MarshalText() ([]byte, error) {
	return enum.Text("layers", egruKernelNames(), int(k), "kernels")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *EGRUKernels) UnmarshalText(b []byte) error {
	v, err := ParseEGRUKernels(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// EGRUThresholdMean is the mean μ of the thresholds' initial Beta(a, 3)
// distribution, a = 3μ/(1−μ) (EvNN thr_mean).
const EGRUThresholdMean = 0.3

// NewEGRU returns an EGRU with inputs inputs and hidden units whose
// parameters are named prefix+".weight_ih", ".weight_hh", ".bias_ih",
// ".bias_hh" and ".threshold". Each gate's block of the weights is drawn
// Xavier-normal, N(0, 2/(fan_in + fan_out)) with fan_out = N (EvNN), the
// biases are zero and every threshold is drawn from Beta(a, 3) with mean
// EGRUThresholdMean; draws come from rng in the order weight_ih, weight_hh,
// threshold.
//
// It returns an error if inputs or hidden is not positive, opts is invalid
// (naming the option's key) or rng is nil.
func NewEGRU[T autodiff.Float](prefix string, inputs, hidden int, opts EGRUOptions, rng *rand.Rand) (*EGRU[T], error) {
	if inputs <= 0 || hidden <= 0 {
		return nil, fmt.Errorf("layers: NewEGRU needs inputs, hidden > 0, got %d, %d", inputs, hidden)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("layers: NewEGRU: %w", err)
	}
	if rng == nil {
		return nil, errors.New("layers: NewEGRU needs an rng")
	}
	e := &EGRU[T]{
		WeightIH:  autodiff.NewParam[T](prefix+".weight_ih", 3*hidden, inputs),
		WeightHH:  autodiff.NewParam[T](prefix+".weight_hh", 3*hidden, hidden),
		BiasIH:    autodiff.NewVector[T](prefix+".bias_ih", 3*hidden),
		BiasHH:    autodiff.NewVector[T](prefix+".bias_hh", 3*hidden),
		Threshold: autodiff.NewVector[T](prefix+".threshold", hidden),
		Options:   opts,
		inputs:    inputs,
		hidden:    hidden,
	}
	for _, w := range []*autodiff.Param[T]{e.WeightIH, e.WeightHH} {
		std := math.Sqrt(2 / float64(w.Value.Cols+hidden))
		for i := range w.Value.Data {
			w.Value.Data[i] = T(std * rng.NormFloat64())
		}
	}
	mu := EGRUThresholdMean
	beta := distuv.Beta{Alpha: 3 * mu / (1 - mu), Beta: 3, Src: rng}
	for i := range e.Threshold.Value.Data {
		e.Threshold.Value.Data[i] = T(beta.Rand())
	}
	return e, nil
}

// Size returns the number of units N.
func (e *EGRU[T]) Size() int { return e.hidden }

// Inputs returns the input dimension I.
func (e *EGRU[T]) Inputs() int { return e.inputs }

// Params returns weight_ih, weight_hh, bias_ih, bias_hh and threshold, in
// that order.
func (e *EGRU[T]) Params() []*autodiff.Param[T] {
	return []*autodiff.Param[T]{e.WeightIH, e.WeightHH, e.BiasIH, e.BiasHH, e.Threshold}
}

// InputWeights returns weight_ih (for the weight penalties).
func (e *EGRU[T]) InputWeights() []*autodiff.Param[T] { return []*autodiff.Param[T]{e.WeightIH} }

// RecurrentWeights returns weight_hh (for the weight penalties).
func (e *EGRU[T]) RecurrentWeights() []*autodiff.Param[T] { return []*autodiff.Param[T]{e.WeightHH} }

// EGRUStateNames returns the names of the EGRU's state variables: c, y and,
// with trace, tr.
func EGRUStateNames(trace bool) []string {
	if trace {
		return []string{"c", "y", "tr"}
	}
	return []string{"c", "y"}
}

// EGRUStats are the sparsity figures of one recorded EGRU sequence, as
// EvNN's benchmarks report them (benchmarks/smnist/smnist.py;
// benchmarks/lm/models.py set_backward_sparsity; effective MACs as in
// Subramoney et al., arXiv 2206.06178v1 §3.5), all over every unit, step and
// sequence of the call, padding included, but Penalty, which leaves out the
// padding when the call had SeqOptions.Lengths (Tally with lengths leaves
// out the steps after each trial's end from all of them).
type EGRUStats struct {
	// Activity is mean(o); the activity sparsity is 1 − Activity.
	Activity float64
	// BackwardSparsity is the fraction of unit-steps whose pseudo-derivative
	// is exactly 0, |c̃ − ϑ| ≥ 1/ε (silenced units count as such).
	BackwardSparsity float64
	// EffectiveMACs is the multiply-accumulates of the forward input and
	// recurrent products per step relative to a dense GRU of the same
	// size: (I + mean nnz(y_{t−1})) / (I + N), the recurrent product
	// reading only the units active at the previous step.
	EffectiveMACs float64
	// Penalty is the activity penalty of the call, λ·(Activity −
	// target)², or with SeqOptions.Lengths λ·(a − target)² with a the mean
	// of o within the trials' lengths (0 when ActivityReg is 0 or no trial
	// has a step). The loss gets SeqOptions.PenaltyShare (1 when 0) times
	// it.
	Penalty float64
}

// Stats returns the sparsity figures of the sequence whose rates are rates,
// if rates came from this layer's Sequence on a tape not reset since.
func (e *EGRU[T]) Stats(rates *autodiff.Var[T]) (EGRUStats, bool) {
	if rates == nil || len(rates.Value.Data) == 0 {
		return EGRUStats{}, false
	}
	r, ok := e.stats.get(&rates.Value.Data[0])
	return r.stats, ok
}
