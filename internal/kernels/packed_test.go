package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmPacked checks that GemmPacked and GemmPackedOn with PackB give the
// same bits as Gemm on any pool, for every transpose case, odd sizes and strides, and a problem large
// enough to be split between workers and to cross the kc blocks.
func TestGemmPacked(t *testing.T) {
	cases := prepareCases[float32](4)
	rng := rand.New(rand.NewPCG(5, 5))
	for _, tc := range []gemmCase{
		{m: 64, n: 517, k: 600, pad: 3, alpha: 1, beta: 0.5},
		{ta: true, tb: true, m: 70, n: 300, k: 257, alpha: -1, beta: 0},
		{tb: true, m: 32, n: 1024, k: 300, alpha: 1, beta: 1},
	} {
		p := preparedCase[float32]{tc: tc}
		p.a, p.lda, p.b, p.ldb, p.c0, p.ldc = gemmOperands[float32](rng, tc)
		cases = append(cases, p)
	}
	var pb PackedB[float32]
	one := NewPool(1)
	defer one.Close()
	for _, p := range cases {
		tc := p.tc
		want := slices.Clone(p.c0)
		Gemm(tc.ta, tc.tb, tc.m, tc.n, tc.k, float32(tc.alpha), p.a, p.lda, p.b, p.ldb, float32(tc.beta), want, p.ldc)
		PackB(&pb, tc.tb, tc.k, tc.n, p.b, p.ldb)
		if pb.K() != tc.k || pb.N() != tc.n {
			t.Fatalf("%v: PackB shape %d×%d, want %d×%d", tc, pb.K(), pb.N(), tc.k, tc.n)
		}
		// The default pool, a one-worker pool and a nil pool (serial).
		for _, pool := range []*Pool{DefaultPool(), one, nil} {
			got := slices.Clone(p.c0)
			GemmPackedOn(pool, tc.ta, tc.m, float32(tc.alpha), p.a, p.lda, &pb, float32(tc.beta), got, p.ldc)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v pool %p: GemmPackedOn[%d] = %v, Gemm gives %v", tc, pool, i, got[i], want[i])
				}
			}
		}
	}
}

func TestGemmPackedFloat64(t *testing.T) {
	var pb PackedB[float64]
	for _, p := range prepareCases[float64](6) {
		tc, c := p.tc, slices.Clone(p.c0)
		GemmPacked(tc.ta, tc.m, tc.alpha, p.a, p.lda, PackB(&pb, tc.tb, tc.k, tc.n, p.b, p.ldb), tc.beta, c, p.ldc)
		p.check(t, c)
	}
}

func TestGemmPackedAllocs(t *testing.T) {
	const m, n, k = 32, 256, 256
	a, b, c := make([]float32, m*k), make([]float32, n*k), make([]float32, m*n)
	var pb PackedB[float32]
	PackB(&pb, true, k, n, b, k)
	run := func() {
		PackB(&pb, true, k, n, b, k)
		GemmPacked(false, m, 1, a, k, &pb, 0, c, n)
	}
	run()
	if got := testing.AllocsPerRun(20, run); got != 0 {
		t.Errorf("PackB+GemmPacked: %v allocations per call, want 0", got)
	}
}

func TestGemmPackedEmptyPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("GemmPacked with an empty PackedB did not panic")
		}
	}()
	var pb PackedB[float32]
	pb.k, pb.n = 2, 2
	GemmPacked(false, 2, 1, make([]float32, 4), 2, &pb, 0, make([]float32, 4), 2)
}

// TestFreeListKeepsOverflow checks that a free list reuses more values than
// its capacity, as when more goroutines use a pool at once than it has
// workers, instead of dropping them (which made steady-state calls allocate
// fresh workspaces).
func TestFreeListKeepsOverflow(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop values at random")
	}
	f := newFreeList[*workspace[float32]](2)
	fresh := 0
	mk := func() *workspace[float32] { fresh++; return new(workspace[float32]) }
	var held [5]*workspace[float32]
	first := 0
	for round := range 3 {
		for i := range held {
			held[i] = f.get(mk)
		}
		for _, w := range held {
			f.put(w)
		}
		if round == 0 {
			first = fresh
		}
	}
	if first < len(held) || fresh != first {
		t.Errorf("made %d values in the first round of %d concurrent holders and %d after, want ≥ %d and 0", first, len(held), fresh-first, len(held))
	}
}
