// Package rnn builds and runs networks — input → recurrent layer → linear
// readout — over whole sequences, the unit the training loop and the
// command-line tool work with.
//
// # Overview
//
// A Config (typed, JSON-tagged, zero value = documented defaults, checked by
// Validate) describes the network; New builds it with weights drawn from an
// explicit *rand.Rand; Forward records it on an autodiff tape. The recurrent
// layer (package layers) runs the whole sequence as one fused op: the input
// projection for all steps in one GEMM, one recurrent GEMM per step, and a
// backward pass that walks time in reverse and forms the weight gradients as
// single GEMMs over all steps. The readout is one GEMM over all steps too.
//
// # Shapes and layout
//
// Sequences are time-major [steps·batch, dim]: rows t·batch … t·batch+batch−1
// hold step t. Inputs are [steps·batch, Inputs], outputs [steps·batch,
// Outputs], rates [steps·batch, Hidden], states [batch, Hidden].
//
// # Ownership, truncated BPTT and allocation
//
// Everything Forward returns lives in the tape's arena until Reset. For
// truncated BPTT run windows of K steps and pass a copy of each window's
// Result.Final as the next window's Options.H0. Once warmed up, a
// Forward + Backward on a reset tape allocates nothing.
//
// # Errors and panics
//
// New and Config.Validate return errors naming the bad field. Forward panics
// (messages prefixed "layers:" or "autodiff:") on tensors of the wrong shape,
// which is a programmer error.
package rnn
