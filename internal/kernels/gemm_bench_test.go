package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the (M×K)·(K×N) products of the benchmarks: the recurrent
// GEMMs (B×N)·(N×N) of a batch of B hidden states, and the square 1024³.
func benchShapes() [][3]int {
	var s [][3]int
	for _, bsz := range []int{32, 64} {
		for _, n := range []int{64, 128, 256, 512, 1024} {
			s = append(s, [3]int{bsz, n, n})
		}
	}
	return append(s, [3]int{1024, 1024, 1024})
}

// BenchmarkGemm reports GFLOP/s (2·M·N·K per call) of Gemm. Sub-benchmarks are
// named type/layout/MxKxN; NT is the h·Wᵀ layout of the recurrent step. Run
// with -cpu 1,2 to compare one and two cores.
func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes() {
		for _, layout := range []string{"NN", "NT"} {
			b.Run(fmt.Sprintf("f32/%s/%dx%dx%d", layout, s[0], s[1], s[2]), func(b *testing.B) {
				benchGemm[float32](b, layout == "NT", s[0], s[1], s[2])
			})
		}
	}
	for _, s := range benchShapes() {
		b.Run(fmt.Sprintf("f64/NN/%dx%dx%d", s[0], s[1], s[2]), func(b *testing.B) {
			benchGemm[float64](b, false, s[0], s[1], s[2])
		})
	}
}

func benchGemm[E float32 | float64](b *testing.B, transB bool, m, k, n int) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int) []E {
		s := make([]E, n)
		for i := range s {
			s[i] = E(rng.Float64() - 0.5)
		}
		return s
	}
	a, bm, c := fill(m*k), fill(k*n), fill(m*n)
	ldb := n
	if transB {
		ldb = k
	}
	Gemm(false, transB, m, n, k, 1, a, k, bm, ldb, 0, c, n)
	b.ResetTimer()
	for b.Loop() {
		Gemm(false, transB, m, n, k, 1, a, k, bm, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkGemmPacked reports GFLOP/s of GemmPacked on the recurrent shapes
// with B packed once outside the loop, as a recurrent network does with its
// weights for all the time steps of a sequence.
func BenchmarkGemmPacked(b *testing.B) {
	for _, s := range benchShapes()[:10] {
		for _, layout := range []string{"NN", "NT"} {
			b.Run(fmt.Sprintf("f32/%s/%dx%dx%d", layout, s[0], s[1], s[2]), func(b *testing.B) {
				m, k, n := s[0], s[1], s[2]
				rng := rand.New(rand.NewPCG(1, 1))
				a, bm, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
				for i := range bm {
					bm[i] = float32(rng.Float64() - 0.5)
				}
				ldb := n
				if layout == "NT" {
					ldb = k
				}
				var pb PackedB[float32]
				PackB(&pb, layout == "NT", k, n, bm, ldb)
				for b.Loop() {
					GemmPacked(false, m, 1, a, k, &pb, 0, c, n)
				}
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkGemmFewCols reports GFLOP/s of products with at most four
// columns, a readout (T·B×N)·(N×n) over a sequence, on one core: the best
// kernel as it runs ("dots", the dot kernels where it has them) and the same
// kernel without its dot kernels ("tiles", the register-tile path).
func BenchmarkGemmFewCols(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{2048, 256, 1}, {2048, 256, 2}, {2048, 256, 4}, {64, 512, 2}} {
		m, k, n := s[0], s[1], s[2]
		for _, path := range []string{"dots", "tiles"} {
			kern := bestKernel[float32]()
			if path == "tiles" {
				kern.dots = [maxDotCols][maxDotRows]dotFn[float32]{}
			}
			b.Run(fmt.Sprintf("f32/NT/%dx%dx%d/%s", m, k, n, path), func(b *testing.B) {
				a, w, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
				for i := range a {
					a[i] = float32(rng.Float64() - 0.5)
				}
				for i := range w {
					w[i] = float32(rng.Float64() - 0.5)
				}
				g := gemmArgs[float32]{transB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: w, ldb: k, c: c, ldc: n}
				pool := DefaultPool()
				for b.Loop() {
					gemmWith(pool, kern, 1, g)
				}
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
