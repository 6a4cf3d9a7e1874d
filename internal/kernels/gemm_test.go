package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// gemmCase is one Gemm problem with padded leading dimensions.
type gemmCase struct {
	ta, tb      bool
	m, n, k     int
	pad         int // added to every leading dimension
	alpha, beta float64
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m%d_n%d_k%d/pad%d/a%g_b%g", t(tc.ta), t(tc.tb), tc.m, tc.n, tc.k, tc.pad, tc.alpha, tc.beta)
}

// gemmCases returns every transpose case over odd sizes, strides and betas.
func gemmCases() []gemmCase {
	type mnk struct{ m, n, k int }
	var shapes []mnk
	small := []int{1, 7, 31, 33}
	for _, m := range small {
		for _, n := range small {
			for _, k := range small {
				shapes = append(shapes, mnk{m, n, k})
			}
		}
	}
	shapes = append(shapes, mnk{257, 33, 7}, mnk{7, 257, 31}, mnk{33, 31, 257}, mnk{257, 257, 33}, mnk{31, 257, 257},
		mnk{32, 64, 64}, mnk{64, 128, 128}, mnk{1, 1, 1}, mnk{5, 3, 0})
	// Few columns (the dot kernels, and transposed A computed as Cᵀ), and
	// few rows with B read in place: every tile height, k on and off the
	// vector width.
	for _, n := range []int{2, 3, 4} {
		shapes = append(shapes, mnk{9, n, 16}, mnk{20, n, 40}, mnk{5, n, 257}, mnk{4, n, 35})
	}
	shapes = append(shapes, mnk{6, 96, 300}, mnk{12, 64, 40}, mnk{2, 100, 513})
	var cases []gemmCase
	for i, s := range shapes {
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			betas := []float64{0, 1, -0.5}
			for j, beta := range betas {
				// Vary the padding and alpha deterministically across cases.
				pad := []int{0, 3, 17}[(i+j)%3]
				alpha := []float64{1, 0.7, -1.3}[(i+2*j)%3]
				cases = append(cases, gemmCase{tr[0], tr[1], s.m, s.n, s.k, pad, alpha, beta})
			}
		}
	}
	return cases
}

// gemmOperands returns random A, B, C for tc; C is NaN where it must not be read.
func gemmOperands[E float32 | float64](rng *rand.Rand, tc gemmCase) (a []E, lda int, b []E, ldb int, c []E, ldc int) {
	ar, ac := tc.m, tc.k
	if tc.ta {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.tb {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = max(ac, 1)+tc.pad, max(bc, 1)+tc.pad, max(tc.n, 1)+tc.pad
	fill := func(rows, ld int) []E {
		s := make([]E, max(rows*ld, 1))
		for i := range s {
			s[i] = E(rng.NormFloat64())
		}
		return s
	}
	a, b, c = fill(ar, lda), fill(br, ldb), fill(tc.m, ldc)
	if tc.beta == 0 {
		for i := range c {
			c[i] = E(math.NaN())
		}
	}
	_ = ac
	return a, lda, b, ldb, c, ldc
}

// preparedCase is a gemmCase with its operands, the float64 reference result
// and the error bound of every element of C.
type preparedCase[E float32 | float64] struct {
	tc            gemmCase
	a, b, c0      []E
	lda, ldb, ldc int
	want, bound   []float64
}

// prepareCases draws the operands of every case and computes the reference
// once, so that each kernel variant only runs and compares. The bound is the
// standard one for a dot product of length k, k·eps·Σ|a||b| (Higham, Accuracy
// and Stability of Numerical Algorithms, §3.1), with slack for the alpha and
// beta roundings.
func prepareCases[E float32 | float64](seed uint64) []preparedCase[E] {
	rng := rand.New(rand.NewPCG(seed, seed))
	f := func(s []E, abs bool) []float64 {
		r := make([]float64, len(s))
		for i, v := range s {
			r[i] = float64(v)
			if abs {
				r[i] = math.Abs(r[i])
			}
		}
		return r
	}
	eps := 0x1p-52
	var zero E
	if _, ok := any(zero).(float32); ok {
		eps = 0x1p-23
	}
	var ps []preparedCase[E]
	for _, tc := range gemmCases() {
		p := preparedCase[E]{tc: tc}
		p.a, p.lda, p.b, p.ldb, p.c0, p.ldc = gemmOperands[E](rng, tc)
		p.want = f(p.c0, false)
		GemmRef(tc.ta, tc.tb, tc.m, tc.n, tc.k, tc.alpha, f(p.a, false), p.lda, f(p.b, false), p.ldb, tc.beta, p.want, p.ldc)
		p.bound = f(p.c0, true)
		if tc.beta == 0 {
			clear(p.bound)
		}
		GemmRef(tc.ta, tc.tb, tc.m, tc.n, tc.k, math.Abs(tc.alpha), f(p.a, true), p.lda, f(p.b, true), p.ldb, math.Abs(tc.beta), p.bound, p.ldc)
		for i := range p.bound {
			p.bound[i] = float64(tc.k+3)*eps*p.bound[i] + 1e-300
		}
		ps = append(ps, p)
	}
	return ps
}

// check compares got (C after the call) with the reference; padding outside
// the m×n block must be untouched.
func (p *preparedCase[E]) check(t *testing.T, got []E) {
	t.Helper()
	tc := p.tc
	for i := range got {
		r, col := i/p.ldc, i%p.ldc
		if r >= tc.m || col >= tc.n {
			if math.Float64bits(float64(got[i])) != math.Float64bits(float64(p.c0[i])) {
				t.Fatalf("%v: element %d outside C changed: got %v want %v", tc, i, got[i], p.c0[i])
			}
			continue
		}
		if d := math.Abs(float64(got[i]) - p.want[i]); !(d <= p.bound[i]) {
			t.Fatalf("%v: C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", tc, r, col, got[i], p.want[i], d, p.bound[i])
		}
	}
}

// smallBlocks shrinks a kernel's cache blocks so that small problems cross
// every block boundary of the driver.
func smallBlocks[E float32 | float64](k kernel[E]) kernel[E] {
	k.kc, k.mc, k.nc = 5, 2*k.mr, 3*k.nr
	return k
}

func testGemmKernels[E float32 | float64](t *testing.T) {
	pool := NewPool(3)
	defer pool.Close()
	cases := prepareCases[E](1)
	for _, kern := range kernelsFor[E]() {
		for _, variant := range []struct {
			name  string
			kern  kernel[E]
			parts int
		}{
			{"serial", kern, 1},
			{"parts3", kern, 3},
			{"smallblocks", smallBlocks(kern), 2},
		} {
			t.Run(kern.name+"/"+variant.name, func(t *testing.T) {
				for i := range cases {
					p := &cases[i]
					tc, c := p.tc, slices.Clone(p.c0)
					gemmWith(pool, variant.kern, variant.parts, gemmArgs[E]{tc.ta, tc.tb, tc.m, tc.n, tc.k, E(tc.alpha), E(tc.beta), p.a, p.lda, p.b, p.ldb, c, p.ldc, nil})
					p.check(t, c)
				}
			})
		}
	}
}

func TestGemmKernelsFloat32(t *testing.T) { testGemmKernels[float32](t) }
func TestGemmKernelsFloat64(t *testing.T) { testGemmKernels[float64](t) }

// TestGemm runs the exported entry point, on a named element type too.
func TestGemm(t *testing.T) {
	type unit float32
	for _, p := range prepareCases[float32](2) {
		tc, c := p.tc, slices.Clone(p.c0)
		au, bu, cu := as[float32, unit](p.a), as[float32, unit](p.b), as[float32, unit](c)
		Gemm(tc.ta, tc.tb, tc.m, tc.n, tc.k, unit(tc.alpha), au, p.lda, bu, p.ldb, unit(tc.beta), cu, p.ldc)
		p.check(t, c)
	}
	for _, p := range prepareCases[float64](3) {
		tc, c := p.tc, slices.Clone(p.c0)
		Gemm(tc.ta, tc.tb, tc.m, tc.n, tc.k, tc.alpha, p.a, p.lda, p.b, p.ldb, tc.beta, c, p.ldc)
		p.check(t, c)
	}
}

// TestGemmDeterministic checks that the result does not depend on how the
// work is split: any number of parts gives the same bits as the serial run.
func TestGemmDeterministic(t *testing.T) {
	pool := NewPool(4)
	defer pool.Close()
	rng := rand.New(rand.NewPCG(3, 3))
	for _, tc := range []gemmCase{
		{m: 200, n: 301, k: 150, alpha: 1, beta: 0.5},
		{ta: true, m: 301, n: 64, k: 700, alpha: 1, beta: 1},
		{tb: true, m: 64, n: 512, k: 300, pad: 5, alpha: 1, beta: 0},
	} {
		a, lda, b, ldb, c, ldc := gemmOperands[float32](rng, tc)
		kern := bestKernel[float32]()
		var ref []float32
		for parts := 1; parts <= 4; parts++ {
			got := slices.Clone(c)
			gemmWith(pool, kern, parts, gemmArgs[float32]{tc.ta, tc.tb, tc.m, tc.n, tc.k, float32(tc.alpha), float32(tc.beta), a, lda, b, ldb, got, ldc, nil})
			if parts == 1 {
				ref = got
				continue
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("%v: %d parts differ from serial at %d: got %v want %v", tc, parts, i, got[i], ref[i])
				}
			}
		}
	}
}

// TestGemmAllocs checks that steady-state calls do not allocate, serial and
// split over workers.
func TestGemmAllocs(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	for _, sz := range [][3]int{{32, 64, 64}, {64, 256, 256}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		a64, b64, c64 := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
		for _, parts := range []int{1, 2} {
			run := func() {
				gemmWith(pool, bestKernel[float32](), parts, gemmArgs[float32]{false, true, m, n, k, 1, 0, a, k, b, k, c, n, nil})
				gemmWith(pool, bestKernel[float64](), parts, gemmArgs[float64]{false, false, m, n, k, 1, 1, a64, k, b64, n, c64, n, nil})
			}
			run()
			if got := testing.AllocsPerRun(20, run); got != 0 {
				t.Errorf("%d×%d×%d with %d parts: %v allocations per call, want 0", m, n, k, parts, got)
			}
		}
		Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
		if got := testing.AllocsPerRun(20, func() { Gemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) }); got != 0 {
			t.Errorf("Gemm %d×%d×%d: %v allocations per call, want 0", m, n, k, got)
		}
	}
}

func TestGemmPanics(t *testing.T) {
	a, b, c := make([]float32, 12), make([]float32, 12), make([]float32, 9)
	for name, f := range map[string]func(){
		"negative":  func() { Gemm(false, false, -1, 3, 4, 1, a, 4, b, 3, 0, c, 3) },
		"lda small": func() { Gemm(false, false, 3, 3, 4, 1, a, 3, b, 3, 0, c, 3) },
		"b short":   func() { Gemm(false, false, 3, 3, 4, 1, a, 4, b[:11], 3, 0, c, 3) },
		"c short":   func() { Gemm(false, false, 3, 3, 4, 1, a, 4, b, 3, 0, c[:8], 3) },
		"ldc small": func() { Gemm(true, true, 3, 3, 4, 1, a, 3, b, 4, 0, c, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestPartRange(t *testing.T) {
	for _, tc := range []struct{ size, unit, parts int }{{100, 8, 3}, {33, 4, 2}, {7, 8, 1}, {1024, 32, 2}, {65, 8, 9}} {
		j := gemmJob[float32]{parts: tc.parts, unit: tc.unit, splitN: true}
		j.g.n = tc.size
		next := 0
		for i := range tc.parts {
			lo, hi := j.partRange(i)
			if lo != next || (hi < tc.size && hi%tc.unit != 0) || hi < lo {
				t.Fatalf("%+v part %d: [%d,%d), want start %d on a multiple of %d", tc, i, lo, hi, next, tc.unit)
			}
			next = hi
		}
		if next != tc.size {
			t.Fatalf("%+v: parts cover [0,%d), want [0,%d)", tc, next, tc.size)
		}
	}
}

// TestPackBKernels checks that each kernel's assembly packers of B (packNN,
// packNT) give the same bits as the portable loops, over block sizes on and
// off the transposers' width, offsets into B and padded strides.
func TestPackBKernels(t *testing.T) { testPackB[float32](t); testPackB[float64](t) }

func testPackB[E float32 | float64](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, kern := range kernelsFor[E]() {
		plain := kern
		plain.packNN, plain.packNT, plain.ntRows = nil, nil, 0
		for _, transB := range []bool{false, true} {
			for _, kb := range []int{1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100} {
				for _, nb := range []int{1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 32, 33, 40} {
					for _, pad := range []int{0, 3, 17} {
						pc, jc := 2, 5
						rows, cols := pc+kb, jc+nb // B is (pc+kb)×(jc+nb), or its transpose
						if transB {
							rows, cols = cols, rows
						}
						ldb := cols + pad
						b := make([]E, rows*ldb)
						for i := range b {
							b[i] = E(rng.NormFloat64())
						}
						g := gemmArgs[E]{transB: transB, b: b, ldb: ldb}
						size := roundUp(nb, kern.nr) * kb
						got, want := make([]E, size), make([]E, size)
						for i := range got {
							got[i] = E(math.NaN())
							want[i] = E(math.NaN())
						}
						g.packB(&kern, got, kb, nb, pc, jc)
						g.packB(&plain, want, kb, nb, pc, jc)
						for i := range got {
							if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
								t.Fatalf("%s transB=%v kb=%d nb=%d pad=%d: panel[%d] = %v, want %v", kern.name, transB, kb, nb, pad, i, got[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}

// TestDotKernelsTiles checks that a dot kernel's product does not depend on
// the tile it is computed in: every row of every rows×cols kernel gives the
// bits of the one-row kernel on that row, and is within the dot-product
// bound of the float64 sum.
func TestDotKernelsTiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, kern := range kernelsFor[float32]() {
		if kern.dots[0][0] == nil {
			continue
		}
		for cols := 1; cols <= maxDotCols; cols++ {
			fns := kern.dots[cols-1]
			for _, kv := range []int{1, 2, 3, 5, 32} {
				kv *= kern.dotLanes
				lda, ldb := kv+3, kv+kern.dotLanes+1
				a := make([]float32, maxDotRows*lda)
				b := make([]float32, cols*ldb)
				for i := range a {
					a[i] = float32(rng.NormFloat64())
				}
				for i := range b {
					b[i] = float32(rng.NormFloat64())
				}
				one := make([]float32, maxDotRows*cols)
				for i := range maxDotRows {
					fns[0](kv, &a[i*lda], lda, &b[0], ldb, &one[i*cols])
					for q := range cols {
						var want, bound float64
						for p := range kv {
							x := float64(a[i*lda+p]) * float64(b[q*ldb+p])
							want += x
							bound += math.Abs(x)
						}
						if d := math.Abs(float64(one[i*cols+q]) - want); d > float64(kv)*0x1p-23*bound {
							t.Fatalf("%s: 1×%d kernel, k=%d, row %d col %d: got %v want %v", kern.name, cols, kv, i, q, one[i*cols+q], want)
						}
					}
				}
				for rows := 1; rows <= maxDotRows && fns[rows-1] != nil; rows++ {
					for i0 := 0; i0+rows <= maxDotRows; i0 += rows {
						out := make([]float32, rows*cols)
						fns[rows-1](kv, &a[i0*lda], lda, &b[0], ldb, &out[0])
						for j, v := range out {
							if w := one[i0*cols+j]; math.Float32bits(v) != math.Float32bits(w) {
								t.Fatalf("%s: %d×%d kernel, k=%d, rows %d…: out[%d] = %v, the 1-row kernel gives %v", kern.name, rows, cols, kv, i0, j, v, w)
							}
						}
					}
				}
			}
		}
	}
}
