package train

import (
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/rnn"
)

// Model is what the loop trains. *rnn.Network[float32] implements it (and
// WeightGroups); tests use small doubles.
type Model interface {
	// Params returns every parameter with its stable dotted name, in the
	// same order at every call.
	Params() []*autodiff.Param[float32]
	// Forward records the network on tp over x ([steps·batch, inputs],
	// time-major) as rnn.Network.Forward does: opt.H0 is the initial state
	// (empty: the network's own) and opt.Noise the private noise stream.
	// The loop uses Result.Out, Result.Rates (firing-rate penalty) and
	// Result.Final (carried into the next truncated-BPTT window).
	Forward(tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch int, opt rnn.Options[float32]) rnn.Result[float32]
}

var _ Model = (*rnn.Network[float32])(nil)
var _ WeightGroups = (*rnn.Network[float32])(nil)
