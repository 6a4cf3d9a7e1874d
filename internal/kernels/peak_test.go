package kernels

import (
	"sync/atomic"
	"testing"
)

// BenchmarkPeakFMA reports the float32 arithmetic peak in GFLOP/s of
// GOMAXPROCS goroutines each running the register-only FMA loop of PeakFMA.
// Run with -cpu 1,2 next to BenchmarkGemm to see what fraction of the
// machine's peak a GEMM reaches on one and on two cores.
func BenchmarkPeakFMA(b *testing.B) {
	if PeakFMA(1) == 0 {
		b.Skip("no vector FMA on this build or CPU")
	}
	var flop atomic.Uint64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			flop.Add(uint64(PeakFMA(1 << 18)))
		}
	})
	b.ReportMetric(float64(flop.Load())/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func TestPeakFMA(t *testing.T) {
	per := PeakFMA(1)
	if per != 0 && per != 192 && per != 384 {
		t.Fatalf("PeakFMA(1) = %v FLOP, want 384 (AVX-512), 192 (AVX2) or 0 (no assembly)", per)
	}
	if got := PeakFMA(10); got != 10*per {
		t.Fatalf("PeakFMA(10) = %v FLOP, want %v", got, 10*per)
	}
	if got := PeakFMA(0); got != 0 { // a zero count must not run the loop 2⁶⁴ times
		t.Fatalf("PeakFMA(0) = %v FLOP, want 0", got)
	}
}
