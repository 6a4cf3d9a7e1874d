//go:build !noasm

package kernels

func fmaPeakAVX512(n int)
func fmaPeakAVX2(n int)

// PeakFMA runs iters iterations of a register-only loop of independent
// float32 fused multiply-adds on the widest vectors this CPU supports and
// returns the FLOP it did (0 when it has neither AVX-512 nor AVX2+FMA). The
// loop touches no memory, so its rate is the core's arithmetic peak for the
// GEMM micro-kernels: benchmarks quote GEMM rates against it.
func PeakFMA(iters int) (flop float64) {
	switch f := features(); {
	case f.avx512:
		fmaPeakAVX512(iters)
		return 384 * float64(iters)
	case f.avx2FMA:
		fmaPeakAVX2(iters)
		return 192 * float64(iters)
	}
	return 0
}
