// Package layertest holds the checks every recurrent layer runs: the fused
// op against its unfused reference in float64, float32 against float64, and
// the problem (a layer on a random input, scored by a fixed projection of
// its rates) that gradient checks use.
//
// # Overview
//
// A Problem is a layer's parameters plus a random input, initial state and
// projection (NewProblem). Its Loss plugs into gradcheck.Case for the
// finite-difference check, and CheckFusedVsReference runs a layer's fused
// Sequence and its unfused SequenceReference (any two SeqFuncs) on the
// problem and compares rates and gradients to 1e-10. ComparePrecisions
// runs the same layer in float32 and float64 (PrecisionRun) and compares
// them to 1e-4. WidenMask, CopyParams and SteadyAllocs are the small
// helpers those tests share.
//
// # Shapes and layout
//
// Sequences are time-major as everywhere in the project: the input is
// [steps·batch, inputs], the rates and the projection [steps·batch, n], and
// the initial state [1, n] or [batch, n] (NewProblem's h0Rows). A
// Problem's Params are X, H0 and then the layer's parameters, in that
// order; Loss's variables and Run's gradients follow it.
//
// # Invariants and aliasing
//
// The checks use the layer's parameters in place: Run and PrecisionRun.Run
// clear their gradients and leave the last run's gradients in them, so a
// layer must not be shared by checks running in parallel. Problem.Opt
// returns fresh options at every call, so that a layer with recurrent noise
// draws the same stream in every run.
//
// # Errors and panics
//
// Checks report through t: CheckFusedVsReference stops the test if the
// rates differ and reports each differing gradient; ComparePrecisions
// reports without stopping. A layer whose sizes do not fit the problem
// panics in package autodiff or layers.
package layertest
