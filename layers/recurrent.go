package layers

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Recurrent is a recurrent layer that runs a whole sequence as one fused op
// on the tape: the input projection for all steps in one GEMM, one recurrent
// GEMM per step, activations stored time-major, and a backward pass that
// walks time in reverse and forms the recurrent-weight gradient as one GEMM
// over all T·B rows.
type Recurrent[T autodiff.Float] interface {
	// Size returns the number of units N.
	Size() int
	// Params returns the layer's parameters with stable dotted names.
	Params() []*autodiff.Param[T]
	// Sequence records the layer over steps time steps of a batch of batch
	// sequences. x is [steps·batch, inputs], time-major; h0 is the initial
	// state, [batch, N], or [1, N] broadcast over the batch (a trainable
	// initial state shared by every sequence; its gradient is summed over
	// the batch). It returns the rates (the layer's output at every
	// step, [steps·batch, N], the signal a readout sees) and the state after
	// the last step ([batch, N], from the tape's arena, valid until Reset),
	// which truncated BPTT carries into the next window as a constant.
	Sequence(tp *autodiff.Tape[T], x, h0 *autodiff.Var[T], steps, batch int, opt SeqOptions) (rates *autodiff.Var[T], final autodiff.Tensor[T])
}

// SeqOptions control one run of a Recurrent layer over a sequence.
type SeqOptions struct {
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
	// Inactivation silences or clamps units inside the fused op; nil
	// leaves every unit intact.
	Inactivation *Inactivation
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
