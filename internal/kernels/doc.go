// Package kernels holds the dense linear-algebra and elementwise kernels that
// the engine and the fused recurrent ops run on.
//
// # Overview
//
// Gemm computes C = alpha·op(A)·op(B) + beta·C on row-major strided slices for
// float32 and float64. The plain-Go loop in this package is both the fallback
// on machines without the vector kernels and the oracle the vector kernels
// are tested against.
//
// # Shapes and layout
//
// All matrices are row-major: element (i, j) of A lives at a[i*lda+j]. op(A)
// is m×k, op(B) is k×n and C is m×n. A leading dimension must be at least the
// number of columns of the stored (untransposed) matrix.
//
// # Errors and panics
//
// Kernels are called from numeric code with sizes that the caller has already
// checked; they panic with a "kernels:" message when a slice is too short or a
// leading dimension too small.
package kernels
