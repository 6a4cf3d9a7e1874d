package analysis

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/layers"
)

// Runner runs batches of trials through a network. It is the only thing
// this package needs from a network, so evaluation and recording work with
// any model (an rnn.Network, a low-rank fit, a network read from another
// tool's checkpoint) through a few lines of adapter.
type Runner interface {
	// Dims returns the number of inputs, recurrent units N and outputs.
	Dims() (nIn, n, nOut int)
	// Run forwards x, [steps][batch][nIn] time-major, from the network's
	// own initial state, with private recurrent noise drawn from
	// opt.Noise (nil: none). The Activity's slices are freshly allocated
	// and owned by the caller. Run may panic if len(x) is not
	// steps·batch·nIn.
	Run(x []float32, steps, batch int, opt RunOptions) Activity
}

// RunOptions control one Runner.Run.
type RunOptions struct {
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
	// Record asks for the state trajectories (Activity.States) and the
	// pre-activations (Activity.Pre), which a plain evaluation skips.
	Record bool
	// Inactivation, when not nil, silences or clamps units over a window
	// of steps inside the recurrent layer (layers.Inactivation); a Runner
	// that cannot perturb its units panics rather than ignore it.
	Inactivation *layers.Inactivation
	// Lesion, when not nil, cuts recurrent connections over a window of
	// steps; a Runner that cannot cut connections panics rather than
	// ignore it.
	Lesion *Lesion
	// Lengths, when not nil, are the steps each of the batch's trials
	// really has (tasks.Batch.Lengths); the steps after a trial's end are
	// padding, which Activity.Tally leaves out where the layer can.
	Lengths []int
}

// Lesion is a connection lesion as a Runner gets it: the recurrent
// connection from unit j to unit i is cut (its effective weight zero,
// PsychRNN's connectivity mask) wherever Cut[i·N+j], at steps
// From ≤ t < To (To 0: to the end of the sequence).
type Lesion struct {
	Cut      []bool
	From, To int
}

// Activity is what a network did on a batch: every slice time-major,
// element (t, b, i) at (t·batch+b)·dim+i.
type Activity struct {
	// Out is the readout, [steps][batch][nOut] (logits for
	// cross-entropy tasks).
	Out []float32
	// Rates is what the other units and the readout see,
	// [steps][batch][N] (φ(x) for rate networks, h for the GRU).
	Rates []float32
	// States holds, with RunOptions.Record, one trajectory per state
	// variable of the model, the value after each step; States[0] is the
	// primary one. Runners that cannot record states leave it empty.
	States []State
	// Pre is, with RunOptions.Record, the pre-activation of every unit
	// (the argument of the rate nonlinearity), [steps][batch][N]; nil
	// when the model does not provide it.
	Pre []float32
	// Tally is what the recurrent layer counted over the run, from which
	// its own figures follow (a spiking layer's rate_hz and silent_units,
	// an event-based layer's rate_per_step, silent_units,
	// activity_sparsity, backward_sparsity and effective_macs;
	// layers.Reporter); nil for most models. The tallies
	// of runs over parts of a set of trials add up (layers.Tally.Add).
	Tally *layers.Tally
}

// State is the trajectory of one state variable.
type State struct {
	// Name is the variable's name ("x", "h", "v", …); a recording stores
	// it as the array "state/<Name>".
	Name string
	// Size is the number of columns per batch row (N for per-unit
	// variables).
	Size int
	// Data is [steps][batch][Size], the value after each step.
	Data []float32
}
