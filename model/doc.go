// Package model holds the contract between a network and the code that
// trains and analyses it: the options of one forward pass over a sequence
// (initial state, noise, inactivation, recording), its result, and the
// Network interface that train, analysis and the commands use. It knows no
// particular model; rnn.Network implements Network for every registered
// recurrent model.
//
// # Overview
//
// A Network lists its parameters (Params, stable dotted names in a fixed
// order), its recurrent state variables (StateVars, the primary one first)
// and records itself over a whole sequence on a tape (Forward). Options
// choose the initial state, the private noise stream, an inactivation and
// whether to record every step's state; Result returns the readout, the
// rates, the final state and, with Options.Record, the states. A network
// that names its input, recurrent and output weights also implements
// WeightGroups, which the weight regularizers of package train use.
//
// # Shapes and layout
//
// Sequences are time-major: x is [steps·batch, inputs], and rows
// t·batch … t·batch+batch−1 hold step t. Result.Out is [steps·batch,
// outputs] and Result.Rates [steps·batch, N]. There is one initial and one
// final state per state variable, in StateVars' order: Options.Init[i] is
// [batch, size] or [1, size] (shared by the batch), Result.Final[i] is
// [batch, size].
//
// # Invariants and aliasing
//
// Everything in a Result lives in the tape's arena and is valid until the
// tape's Reset. For truncated BPTT run one window at a time and pass copies
// of a window's Final, made before the Reset, as the next window's Init;
// a given initial state is a constant, so gradients stop at window
// boundaries. Randomness is explicit: the private recurrent noise is drawn
// only from Options.Noise (nil: none), so two passes with equally seeded
// streams give equal results; a network with random parts of its own
// (rnn.Network's Poisson input spikes) draws them from Options.Encoding,
// else from Options.Noise, else from a stream seeded by its config
// (rnn.Config.EncodingSeed).
//
// # Errors and panics
//
// Forward returns no error: shapes that do not fit (x, an initial state,
// more initial states than state variables) are programmer errors, and
// implementations panic with a message naming their package and the
// shapes, as rnn.Network.Forward does.
package model
