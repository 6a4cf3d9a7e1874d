package train

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
)

// Model is what the loop trains: a recurrent network run over a window of a
// time-major batch.
type Model interface {
	// Params returns every trainable parameter with its stable dotted
	// name, in the same order at every call.
	Params() []*autodiff.Param[float32]
	// Forward records the network on tp over x ([steps·batch, inputs],
	// time-major), starting from h0 ([batch, hidden]; an empty tensor
	// means the network's own initial state), drawing private noise from
	// noise (nil: no noise).
	Forward(tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch int, h0 autodiff.Tensor[float32], noise *rand.Rand) Pass
}

// Pass is what one Forward records.
type Pass struct {
	// Out is the readout at every step, [steps·batch, outputs].
	Out *autodiff.Var[float32]
	// Rates is what the readout sees at every step, [steps·batch,
	// hidden]; the firing-rate penalty acts on it.
	Rates *autodiff.Var[float32]
	// Final is the state after the last step, [batch, hidden], valid
	// until the tape's Reset; truncated BPTT carries it (as a constant)
	// into the next window.
	Final autodiff.Tensor[float32]
}
