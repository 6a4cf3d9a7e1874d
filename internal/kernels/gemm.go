package kernels

import (
	"fmt"
	"unsafe"
)

// Float is the set of element types the kernels support.
type Float interface{ ~float32 | ~float64 }

// Gemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X, or Xᵀ when
// the matching trans flag is set. op(A) is m×k, op(B) is k×n and C is m×n, all
// row-major with leading dimensions lda, ldb and ldc. When beta is zero, C is
// overwritten without being read, so it may hold NaNs. Gemm writes only into c,
// which must not overlap a or b.
//
// Gemm runs on the process-wide Pool (see DefaultPool): problems large enough
// to gain are split over at most GOMAXPROCS workers, smaller ones run on the
// calling goroutine. The split never changes the arithmetic, so the result is
// bitwise reproducible for the same inputs whatever GOMAXPROCS is. In steady
// state Gemm does not allocate. It is safe for concurrent use as long as the
// calls do not write overlapping parts of C.
//
// It panics if a dimension is negative, a leading dimension is too small, or a
// slice is too short for the shape it is given.
func Gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	GemmOn(DefaultPool(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// GemmOn is Gemm running on the workers of p instead of the process-wide pool.
// A nil p runs serially on the calling goroutine.
func GemmOn[T Float](p *Pool, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	checkGemm(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	// T may be a named type; the driver runs on the underlying float32 or
	// float64, which has the same memory layout.
	if unsafe.Sizeof(alpha) == 4 {
		gemmDispatch(p, transA, transB, m, n, k, float32(alpha), as[T, float32](a), lda, as[T, float32](b), ldb, float32(beta), as[T, float32](c), ldc)
		return
	}
	gemmDispatch(p, transA, transB, m, n, k, float64(alpha), as[T, float64](a), lda, as[T, float64](b), ldb, float64(beta), as[T, float64](c), ldc)
}

// as reinterprets s as a slice of E, which must have T's size and layout.
func as[T, E Float](s []T) []E {
	return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func checkGemm(transA, transB bool, m, n, k, la, lda, lb, ldb, lc, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	check := func(name string, rows, cols, ld, l int) {
		if ld < max(cols, 1) {
			panic(fmt.Sprintf("kernels: Gemm %s leading dimension %d < %d columns", name, ld, cols))
		}
		if rows > 0 && cols > 0 && l < (rows-1)*ld+cols {
			panic(fmt.Sprintf("kernels: Gemm %s has %d elements, need %d for %d×%d with stride %d", name, l, (rows-1)*ld+cols, rows, cols, ld))
		}
	}
	check("A", ar, ac, lda, la)
	check("B", br, bc, ldb, lb)
	check("C", m, n, ldc, lc)
}

// GemmRef is the plain-Go reference for Gemm with the same contract. It is the
// oracle for the blocked and vector kernels' tests.
//
//	for i, j: c[i*ldc+j] = alpha·Σ_p opA(i,p)·opB(p,j) + beta·c[i*ldc+j]
func GemmRef[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		ci := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(ci)
		} else if beta != 1 {
			for j := range ci {
				ci[j] *= beta
			}
		}
		for p := 0; p < k; p++ {
			var aip T
			if transA {
				aip = a[p*lda+i]
			} else {
				aip = a[i*lda+p]
			}
			aip *= alpha
			if !transB {
				bp := b[p*ldb : p*ldb+n]
				for j, bv := range bp {
					ci[j] += aip * bv
				}
			} else {
				for j := range ci {
					ci[j] += aip * b[j*ldb+p]
				}
			}
		}
	}
}
