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
// # Shapes and layout
//
// Every Tensor is a row-major matrix [Rows, Cols]. A batch of vectors is
// [B, dim]; a sequence is time-major [T·B, dim], so the rows of step t are
// t·B … t·B+B−1 and one GEMM covers all time steps. Element-wise binary ops
// broadcast their second operand as a bias: it has the first's shape, is a
// [1, cols] row added to every row, or is [1, 1].
//
// # Ownership and allocation
//
// Values and gradients of intermediate variables come from the tape's arena
// and stay valid until Tape.Reset. After Reset, recording the same sequence
// of operations reuses the same buffers, so a steady-state training step
// allocates nothing. A parameter variable aliases Param.Value and
// Param.Grad; gradients always accumulate, so callers clear them with
// Param.ZeroGrad between steps. Const variables alias the caller's tensor,
// which must not change before Backward.
//
// # Errors and panics
//
// Misuse is a programmer error and panics with a message that starts with
// "autodiff:" and names the op and the shapes involved: mismatched shapes,
// Backward on a non-scalar, mixing variables of different tapes. The engine
// returns no errors; errors belong to I/O and configuration boundaries in
// other packages.
package autodiff
