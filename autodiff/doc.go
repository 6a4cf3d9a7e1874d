// Package autodiff is rnntrain's reverse-mode automatic differentiation
// engine: dense tensors, a define-by-run tape, trainable parameters,
// primitive ops with their reverse rules, and fused ops that run a whole
// computation (a recurrent layer over a full sequence) as one tape node.
//
// # Overview
//
// Operations run eagerly and are recorded on a Tape. Tape.Backward walks the
// tape in reverse and accumulates gradients. Parameters (Param) own their
// value and gradient buffers and carry stable dotted names that checkpoints
// use. The engine is generic over float32 (training) and float64 (gradient
// checks, package gradcheck).
//
// The primitive ops, each with its reverse rule in backward.go:
//
//	MatMul (with transpose flags)
//	Add, Sub, Mul, Div (broadcasting), Scale (by a constant)
//	Tanh, Sigmoid, ReLU, Softplus, Exp, Log, Square, Abs
//	Spike (Heaviside forward, surrogate backward; see package surrogate)
//	Sum, Mean (whole tensor), SumAxis, MeanAxis (axis 0 → [1 cols], 1 → [rows 1])
//	Concat, Slice (along the feature, i.e. column, axis)
//	MaskedMSE, MaskedSoftmaxCE (losses; target and mask are constants)
//
// Anything else is composed from these, or written as a FusedOp: one node
// with a hand-written forward and backward, recorded with Tape.Fused.
// Every op and fused op is checked against central finite differences
// (package gradcheck), and the engine as a whole against gorgonia in the
// nested module internal/oracle.
//
// # Shapes and layout
//
// Every Tensor is a row-major matrix [Rows, Cols]. A batch of vectors is
// [B, dim]; a sequence is time-major [T·B, dim], so the rows of step t are
// t·B … t·B+B−1 and one GEMM covers all time steps. Element-wise binary ops
// broadcast their second operand: it has the first's shape, or is a
// [1, cols] row (a bias, added to every row), a [rows, 1] column (one value
// per row, e.g. per time step and trial) or a [1, 1] scalar. The result
// always has the first operand's shape.
//
// # Ownership and allocation
//
// Values and gradients of intermediate variables come from the tape's arena
// and stay valid until Tape.Reset. After Reset, recording the same sequence
// of operations reuses the same buffers, so a steady-state training step
// allocates nothing (alloc_test.go asserts it). A parameter variable aliases
// Param.Value and Param.Grad; gradients always accumulate, so callers clear
// them with Param.ZeroGrad between steps. Const variables, and the target
// and mask tensors of the losses, alias the caller's tensors, which must not
// change before Backward. Ops never modify their inputs.
//
// # Errors and panics
//
// Misuse is a programmer error and panics with a message that starts with
// "autodiff:" and names the op and the shapes involved: mismatched shapes
// in any op, an axis or column range out of bounds, Backward on a
// non-scalar, mixing variables of different tapes. Numeric edge cases do
// not panic: Log of a non-positive number and Div by zero follow IEEE
// arithmetic, and a loss whose mask sums to zero is 0 with a zero gradient.
// The engine returns no errors; errors belong to I/O and configuration
// boundaries in other packages.
package autodiff
