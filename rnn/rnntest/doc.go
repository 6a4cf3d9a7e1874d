// Package rnntest is the conformance suite every recurrent model of the
// rnn.Models table passes.
//
// # Overview
//
// Conform(t, m) builds small networks from m's default configuration
// (rnn.Config{Model: m.New()}, 3 inputs, 6 units, 2 outputs; the
// finite-difference checks use layers.Model.Check's configuration when the
// model has one) and checks, as
// subtests: finite-difference gradients in float64 (gradcheck; for a
// spiking model, layers.Model.Surrogate, those of the readout); truncated
// BPTT giving the outputs of one full pass; zero allocations per warmed-up
// float32 training step; silencing every unit inside the fused op; config
// JSON, seed and parameter round trips; recorded states; bitwise
// determinism in float32; and, for layers implementing layers.Reference,
// the fused op against its unfused reference in float64; for layers
// implementing layers.StepMap (the rate models), Step against one step of
// the fused op and the analytic Jacobians and Step's gradients against
// finite differences (CheckStepMap, also callable on any config). A new model adds
// one line to the table and gets the whole suite from the table-wide test
// in package rnn; a model kept outside the table calls Conform itself.
//
// # Errors & panics
//
// Conform reports failures on t; it panics only if a model panics. Its
// subtests run one after another and count allocations, so the calling
// test must not be parallel.
package rnntest
