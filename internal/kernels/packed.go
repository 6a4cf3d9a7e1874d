package kernels

import (
	"fmt"
	"math"
	"unsafe"
)

// PackedB is op(B) packed once into the panel layout of the GEMM
// micro-kernels, for products with many different A, such as the h·Wᵀ of
// every time step of a recurrent network. GemmPacked then skips packing B,
// which for a small batch is a large part of each call (for NT it is a
// transpose of the whole matrix). The zero value is empty; PackB fills it.
type PackedB[T Float] struct {
	k, n int
	data []T
	kc   int // block sizes of the kernel it was packed for, to catch misuse
	nr   int
	// dots: data is op(B)ᵀ, n×k row-major, for the dot kernels that
	// compute products with few columns.
	dots bool
}

// K and N report the shape of op(B) that p holds.
func (p *PackedB[T]) K() int { return p.k }
func (p *PackedB[T]) N() int { return p.n }

// PackB packs op(B), k×n, from b (row-major with leading dimension ldb,
// transposed if transB) into dst and returns dst. It reuses dst's storage when
// it is large enough, so repacking a matrix of the same shape (after each
// optimiser step) does not allocate. It panics under the same conditions as
// Gemm.
func PackB[T Float](dst *PackedB[T], transB bool, k, n int, b []T, ldb int) *PackedB[T] {
	checkGemm(false, transB, 0, n, k, 0, max(k, 1), len(b), ldb, 0, max(n, 1))
	dst.k, dst.n = k, n
	if unsafe.Sizeof(*new(T)) == 4 {
		packAll(dst, transB, k, n, as[T, float32](b), ldb, bestKernel[float32]())
	} else {
		packAll(dst, transB, k, n, as[T, float64](b), ldb, bestKernel[float64]())
	}
	return dst
}

// packAll packs every kc block of op(B) with the kernel's packers.
func packAll[T Float, E float32 | float64](dst *PackedB[T], transB bool, k, n int, b []E, ldb int, kern kernel[E]) {
	dst.kc, dst.nr = kern.kc, kern.nr
	g := gemmArgs[E]{transB: transB, k: k, n: n, b: b, ldb: ldb}
	if dst.dots = g.useDots(&kern); dst.dots {
		dst.data = grow(dst.data, n*k)
		g.bColumns(as[T, E](dst.data))
		return
	}
	npad := roundUp(n, kern.nr)
	dst.data = grow(dst.data, k*npad)
	data := as[T, E](dst.data)
	for pc := 0; pc < k; pc += kern.kc {
		kb := min(kern.kc, k-pc)
		g.packB(&kern, data[pc*npad:pc*npad+kb*npad], kb, n, pc, 0)
	}
}

// GemmPacked computes C = alpha·op(A)·B̃ + beta·C like Gemm, with op(B) = B̃
// taken from pb: op(A) is m×pb.K(), C is m×pb.N(). It gives the same bits as
// Gemm on the unpacked B, runs on the DefaultPool and does not allocate in
// steady state. It panics if pb is empty or was packed on another build of
// the kernels, or under the same conditions as Gemm.
func GemmPacked[T Float](transA bool, m int, alpha T, a []T, lda int, pb *PackedB[T], beta T, c []T, ldc int) {
	GemmPackedOn(DefaultPool(), transA, m, alpha, a, lda, pb, beta, c, ldc)
}

// GemmPackedOn is GemmPacked running on the workers of p instead of the
// process-wide pool; a nil p runs serially on the calling goroutine. The
// result is the same bits whatever the pool.
func GemmPackedOn[T Float](p *Pool, transA bool, m int, alpha T, a []T, lda int, pb *PackedB[T], beta T, c []T, ldc int) {
	k, n := pb.k, pb.n
	checkGemm(transA, false, m, n, k, len(a), lda, math.MaxInt, max(n, 1), len(c), ldc) // B was checked by PackB
	if pb.data == nil && k > 0 && n > 0 {
		panic("kernels: GemmPacked with an empty PackedB")
	}
	if m == 0 || n == 0 {
		return
	}
	if unsafe.Sizeof(alpha) == 4 {
		gemmPackedWith(p, bestKernel[float32](), transA, m, n, k, float32(alpha), as[T, float32](a), lda, as[T, float32](pb.data), pb.kc, pb.nr, pb.dots, float32(beta), as[T, float32](c), ldc)
		return
	}
	gemmPackedWith(p, bestKernel[float64](), transA, m, n, k, float64(alpha), as[T, float64](a), lda, as[T, float64](pb.data), pb.kc, pb.nr, pb.dots, float64(beta), as[T, float64](c), ldc)
}

func gemmPackedWith[E float32 | float64](p *Pool, kern kernel[E], transA bool, m, n, k int, alpha E, a []E, lda int, pb []E, kc, nr int, dots bool, beta E, c []E, ldc int) {
	if kc != kern.kc || nr != kern.nr {
		panic(fmt.Sprintf("kernels: GemmPacked with B packed for kc=%d nr=%d, kernel %s uses kc=%d nr=%d", kc, nr, kern.name, kern.kc, kern.nr))
	}
	parts := 1
	if p == nil {
		p = DefaultPool() // for its free lists; the call stays serial
	} else {
		parts = p.parallelism(m, n, k)
	}
	g := gemmArgs[E]{transA: transA, m: m, n: n, k: k, alpha: alpha, beta: beta, a: a, lda: lda, c: c, ldc: ldc, pb: pb}
	if dots { // pb holds op(B)ᵀ: B stored n×k, as a transposed operand
		g.pb, g.transB, g.b, g.ldb = nil, true, pb, k
	}
	gemmWith(p, kern, parts, g)
}
