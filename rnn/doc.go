// Package rnn builds and runs networks — input → recurrent layer → linear
// readout — over whole sequences, the unit the training loop and the
// command-line tool work with. Network implements model.Network.
//
// # Overview
//
// A Config (typed, JSON-tagged, zero value = documented defaults, checked by
// Validate) describes the network; New builds it with weights drawn from an
// explicit *rand.Rand; Forward records it on an autodiff tape. The recurrent
// layer (package layers) runs the whole sequence as one fused op: the input
// projection for all steps in one GEMM, one recurrent GEMM per step (two thin
// ones through the factors m and n for lowrank), and a
// backward pass that walks time in reverse and forms the weight gradients as
// single GEMMs over all steps. The readout is one GEMM over all steps too,
// optionally followed by a leaky integrator (Config.Readout); the inputs
// may first be turned into spikes (Config.Encoding, EncodeTo). Models lists
// the registered recurrent models and Lookup finds one by name.
//
// # Shapes and layout
//
// Sequences are time-major [steps·batch, dim]: rows t·batch … t·batch+batch−1
// hold step t. Inputs are [steps·batch, Inputs], outputs [steps·batch,
// Outputs], rates [steps·batch, Hidden]; each state variable's final
// state is [batch, size] (Network.StateVars; size is Hidden for the
// layer's own variables).
//
// # Ownership, truncated BPTT and allocation
//
// Everything Forward returns lives in the tape's arena until Reset. For
// truncated BPTT run windows of K steps and pass a copy of each window's
// Result.Final as the next window's model.Options.Init. Once warmed up, a
// Forward + Backward on a reset tape allocates nothing. Params returns a
// fresh slice of the network's own parameters, whose Values optimizers
// update in place; CutRecurrent zeroes recurrent weights in place until
// the function it returns restores them.
//
// # Errors and panics
//
// New and Config.Validate return errors naming the bad key; LoadMask
// returns errors naming the file and the config key; CutRecurrent returns
// an error naming a model whose connectivity cannot be cut. Forward,
// EncodeTo and CutRecurrent panic (messages prefixed "rnn:", "layers:" or
// "autodiff:") on tensors or masks of the wrong shape, which is a
// programmer error.
package rnn
