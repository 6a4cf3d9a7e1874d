package model

import (
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
)

// Network is a trainable network run over whole sequences.
type Network[T autodiff.Float] interface {
	// Params returns every parameter with its stable dotted name, in the
	// same order at every call.
	Params() []*autodiff.Param[T]
	// StateVars lists the recurrent state variables (layers.StateVar); the
	// first is the primary one.
	StateVars() []layers.StateVar
	// Forward records the network on tp over x ([steps·batch, inputs],
	// time-major: rows t·batch … t·batch+batch−1 are step t).
	Forward(tp *autodiff.Tape[T], x autodiff.Tensor[T], steps, batch int, opt Options[T]) Result[T]
}

// Options control one forward pass over a sequence.
type Options[T autodiff.Float] struct {
	// Init is the initial state, one tensor per state variable, each
	// [batch, size] or [1, size]; nil (or a missing or empty entry) means
	// the network's own initial state for the primary variable (trained if
	// the network trains it) and zero for the others. A given tensor is a
	// constant: no gradient flows into it.
	Init []autodiff.Tensor[T]
	// Noise draws the private recurrent noise; nil runs without noise.
	Noise *rand.Rand
	// Encoding draws the spikes of a Poisson input encoding; nil means
	// Noise, or without noise a fresh stream of the network's own seed. A
	// sequence run in parts passes one stream to every part, so that the
	// parts draw the spikes one pass would (Noise, drawn by every part in
	// turn for its spikes and its noise, would not).
	Encoding *rand.Rand
	// Inactivation silences or clamps units inside the fused op; nil
	// leaves every unit intact.
	Inactivation *layers.Inactivation
	// Record asks for Result.States and Result.Pre.
	Record bool
	// Lengths, when not nil, are the steps each of the batch's trials
	// really has within this pass (layers.SeqOptions.Lengths); layers with
	// a loss term of their own leave the padding after a trial's end out
	// of it (the EGRU's activity penalty).
	Lengths []int
	// PenaltyShare weighs those layers' own loss terms in this pass
	// (layers.SeqOptions.PenaltyShare): a window of truncated BPTT passes
	// its share of the batch's steps; 0 means 1, a whole sequence.
	PenaltyShare float64
}

// Result is what Forward returns. Every tensor lives in the tape's arena and
// is valid until the tape's Reset.
type Result[T autodiff.Float] struct {
	// Out is the readout at every step, [steps·batch, outputs].
	Out *autodiff.Var[T]
	// Rates are the recurrent layer's output at every step,
	// [steps·batch, N], for firing-rate regularizers and recording.
	Rates *autodiff.Var[T]
	// Final holds the state variables after the last step, [batch, size]
	// each: pass copies as Options.Init of the next window for truncated
	// BPTT (copy them before tp.Reset, which recycles their memory).
	Final []autodiff.Tensor[T]
	// States and Pre are filled with Options.Record (see layers.Seq).
	States []autodiff.Tensor[T]
	Pre    autodiff.Tensor[T]
	// Penalty is the value of the recurrent layer's own loss term
	// (layers.Seq.Penalty: the EGRU's activity penalty, weighted by
	// Options.PenaltyShare), whose gradient the layer's backward pass adds
	// itself; train adds it to the penalty it reports.
	Penalty float64
}

// WeightGroups is implemented by networks that name their input,
// recurrent and output weights, for the weight regularizers.
type WeightGroups[T autodiff.Float] interface {
	InputWeights() []*autodiff.Param[T]
	RecurrentWeights() []*autodiff.Param[T]
	OutputWeights() []*autodiff.Param[T]
}
