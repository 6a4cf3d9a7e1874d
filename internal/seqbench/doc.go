// Package seqbench holds the benchmark of one training step around a
// recurrent layer that the layer packages share.
//
// # Overview
//
// NewStep builds a training step of the shape rnntrain bench and the PyTorch
// anchor time:
// a layer's Sequence over a fixed input, a linear readout N→2 of every
// step, a squared-error loss and the full backward pass, without the
// optimizer. Step times it inside a testing.B benchmark after one warm-up
// call; Sizes lists the (N, B, T) sizes both sides measure. The layer
// packages' benchmarks and the command bench/egrusweep use it, so that
// their numbers compare.
//
// # Shapes and layout
//
// The input is time-major [T·B, 4] float32, standard normal from a fixed
// seed (Input); the readout's targets are [T·B, 2]. The layer must take 4
// inputs and have n units.
//
// # Invariants and aliasing
//
// The step owns one tape and reuses it: after the first call, which grows
// the tape's arena, a call allocates nothing. It clears and then
// accumulates the gradients of the layer's and readout's parameters, so a
// layer must not be shared between two steps running at once.
//
// # Errors and panics
//
// Nothing returns an error. A layer whose sizes do not fit the input or n
// panics in package autodiff or layers, as any misuse of the engine does.
package seqbench
