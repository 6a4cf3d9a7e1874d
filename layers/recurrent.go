package layers

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Recurrent is a recurrent layer that runs a whole sequence as one fused op
// on the tape: the input projection for all steps in one GEMM, one recurrent
// step after another inside the op, activations stored time-major, and a
// backward pass that walks time in reverse. A layer may keep several state
// variables per unit (a LIF neuron's v and i, an adaptive neuron's
// threshold); it declares them with StateVars. How the backward pass is
// computed (dense, or skipping silent units) is the op's own business.
type Recurrent[T autodiff.Float] interface {
	// Size returns the number of units N.
	Size() int
	// Params returns the layer's parameters with stable dotted names.
	Params() []*autodiff.Param[T]
	// StateVars lists the state variables. The first is the primary one:
	// the variable a network's trainable initial state, clamping and the
	// fixed-point analysis refer to.
	StateVars() []StateVar
	// Sequence records the layer over steps time steps of a batch of batch
	// sequences as one fused op. x is [steps·batch, inputs], time-major.
	// init holds one entry per state variable, each [batch, size] or
	// [1, size] (broadcast over the batch), or nil for zero; a shorter
	// slice leaves the missing variables at zero. Only init[0] may carry a
	// gradient (a trainable initial state, summed over the batch when
	// broadcast); the others are constants. The result's tensors live in
	// the tape's arena (see Seq). The op may keep references to x, the
	// initial states, the parameters' values and opt's slices and
	// Inactivation for its backward pass: none may change before the
	// tape's Backward. Implementations panic if x or an init entry has the
	// wrong shape or init has more entries than state variables.
	Sequence(tp *autodiff.Tape[T], x *autodiff.Var[T], init []*autodiff.Var[T], steps, batch int, opt SeqOptions) Seq[T]
}

// StateVar names one state variable of a recurrent layer.
type StateVar struct {
	// Name is short ("x", "h", "v", "a", …); recordings store the
	// variable as "state/<Name>".
	Name string
	// Size is the number of columns per batch row (N for a per-unit
	// variable).
	Size int
}

// Seq is what Sequence returns. Every tensor lives in the tape's arena and
// is valid until the tape's Reset.
type Seq[T autodiff.Float] struct {
	// Rates is the layer's output at every step, [steps·batch, N]: what
	// other units and the readout see (spikes for a spiking layer).
	Rates *autodiff.Var[T]
	// Final holds the state variables after the last step, one per
	// StateVar, [batch, size]: truncated BPTT carries copies of them into
	// the next window as constants.
	Final []autodiff.Tensor[T]
	// States holds, with SeqOptions.Record, every state variable after
	// every step, one per StateVar, [steps·batch, size]; nil otherwise.
	States []autodiff.Tensor[T]
	// Pre is, with SeqOptions.Record, the pre-activation that produced
	// each step's rates, [steps·batch, N]; empty when the layer has none
	// beyond its state or without Record.
	Pre autodiff.Tensor[T]
	// Penalty is the value of the layer's own loss term in this call (the
	// EGRU's activity penalty), already weighted by
	// SeqOptions.PenaltyShare; the layer adds its gradient in its backward
	// pass, so the caller adds only the value to the loss it reports. 0
	// for layers without one.
	Penalty float64
}

// SeqOptions control one run of a Recurrent layer over a sequence.
type SeqOptions struct {
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
	// Inactivation silences or clamps units inside the fused op; nil
	// leaves every unit intact.
	Inactivation *Inactivation
	// Record asks for Seq.States and Seq.Pre.
	Record bool
	// Lengths, when not nil, are the steps each of the batch's trials
	// really has (tasks.Batch.Lengths; a length of steps or more is the
	// whole sequence); the steps after a trial's end are padding. Layers
	// with a loss term of their own leave padding out of it (the EGRU's
	// activity penalty); the others ignore Lengths.
	Lengths []int
	// PenaltyShare weighs the layer's own loss terms (the EGRU's activity
	// penalty) in this call: the loss gets PenaltyShare times the term of
	// the call's steps. Truncated BPTT passes each window its share of the
	// batch's steps within the trials' lengths, as train weighs its rate
	// penalties, so that the windows' terms add up to one penalty per
	// batch. 0 means 1: the call is the whole sequence.
	PenaltyShare float64
}

// SingleInit returns the initial state of a layer with one state variable
// of n units: init[0], or a zero [1, n] constant when init is empty or its
// first entry nil. It panics if init has more than one entry.
func SingleInit[T autodiff.Float](tp *autodiff.Tape[T], init []*autodiff.Var[T], n int) *autodiff.Var[T] {
	if len(init) > 1 {
		panic(fmt.Sprintf("layers: %d initial states for a layer with one state variable", len(init)))
	}
	if len(init) == 0 || init[0] == nil {
		return tp.Const(tp.AllocZero(1, n))
	}
	return init[0]
}

// Inactivation is an in-silico perturbation of a set of units, applied
// inside the fused op at every step t with From ≤ t < To (To == 0 means to
// the end of the sequence).
type Inactivation struct {
	// Units[i] marks unit i as Perturbed; len(Units) is N.
	Units []bool
	From  int
	To    int
	// Silence zeroes the Perturbed units' rates, so they send nothing to
	// other units or to the readout.
	Silence bool
	// Clamp holds the Perturbed units' state at ClampValue.
	Clamp      bool
	ClampValue float64
}

// Active reports whether the perturbation applies at step t.
func (m *Inactivation) Active(t int) bool {
	return m != nil && t >= m.From && (m.To == 0 || t < m.To)
}
