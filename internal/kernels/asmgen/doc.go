// Command asmgen writes the GEMM micro-kernels of package kernels in Go
// assembly (gemm_amd64.s) with their Go declarations (gemm_decl_amd64.go).
//
// Usage: run it from internal/kernels with `go generate` (the directive is
// in kernel_amd64.go); it takes no flags and overwrites both files in the
// current directory. Both are built only without the noasm tag, and the
// pure-Go kernels of package kernels stay the fallback and the test oracle.
//
// Each kernel computes an mr×nr tile of C = alpha·Ã·B̃ + beta·C (see microFn
// in driver.go) with mr·nr accumulators held in vector registers, for
// float32 and float64 with AVX-512 (mr = 12) and AVX2 (mr = 6), two vectors
// wide. Three addressing modes exist, each with one kernel per row count
// 1…mr so that edge rows cost no padding:
//
//   - packed (suffix p<rows>): Ã is a panel of MR-tall columns, addressed by
//     constant displacements and unrolled four times over k; B̃ is a packed
//     nr-wide panel;
//   - strided (suffix s<rows>): Ã is addressed through the row and k strides
//     given at run time, to read A in place when packing would not pay; B̃ is
//     a packed panel;
//   - unpacked (suffix u<rows>): strided Ã as above, and B read in place
//     through its row stride (microFnU), with no packed copy of B.
//
// It also writes the routines that pack B (PackNN, PackNT) and, for
// AVX-512, A (PackAN), the tables that index the kernels by row count
// (…Packed, …Strided, …Unpacked), and float32 dot-product kernels for
// products of at most maxDotCols columns (…Dots).
//
// It exits with status 1, through log.Fatal, if a register tile does not
// fit in the instruction set's registers or a file cannot be written.
package main
