// Package gradcheck compares the engine's reverse-mode gradients against
// central finite differences in float64. Every op, fused op and cell in the
// project is checked through it.
//
// # Overview
//
// A Case names a set of parameters and a function that records a scalar loss
// from them on a tape. Run records the loss once and calls Backward, then
// perturbs every parameter element by ±h and compares (L(θ+h) − L(θ−h)) / 2h
// with the gradient, element by element, under a relative-or-absolute
// Tolerance (DefaultTolerance when the Case leaves it zero). It also checks
// that neither the forward nor the backward pass changed any parameter value.
// Check runs the same check inside a test and reports at most five
// mismatches per case on t.
//
// Fused ops and cells are checked with CheckFused: the fused version must
// match its unfused composition of primitive ops (value and every gradient
// element, within the Case's tolerance; RunFused) and finite differences
// (Check). A new op or cell adds one Case.
//
// # Shapes and layout
//
// Checks run in float64 only: parameters are *autodiff.Param[float64] of any
// shape, and the loss is a 1×1 variable. Mismatch.Index is the element's
// index in the parameter's row-major Value.Data; RunFused reports a
// differing loss value as parameter "loss", index 0.
//
// # Invariants and aliasing
//
// Run and RunFused use the Case's parameters in place. They clear each
// parameter's Grad before recording and leave the gradient of the last
// Backward in it: Run the reverse-mode gradient, RunFused that of the
// reference. During the finite-difference sweep Run writes θ±h into each
// element of Value in turn and restores the original value afterwards, so
// the parameters must not be shared with anything running concurrently.
// A frozen parameter gets no gradient; Run expects its Grad to stay zero.
// The Loss is called many times on a reset tape and must be deterministic:
// any randomness comes from inputs fixed before the Case is built.
//
// # Errors and panics
//
// Run returns an error, naming the case, the parameter and the element, if
// the forward or backward pass changed a parameter value; mismatching
// elements are not errors but the returned []Mismatch. Check and
// CheckFused report through t.Error and never stop the test. A Loss that
// returns a non-scalar, or records ops on shapes that do not fit, panics in
// package autodiff as any misuse of the engine does.
package gradcheck
