package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// spikeKernels is one way of running the float32 kernels of the LIF and
// the ALIF: the exported functions, or the dispatchers on one vector set
// (spikeKernelSets).
type spikeKernels struct {
	name     string
	lifStep  func(u, s, v, vPrev, p, beta []float32, thr float32, subtract bool) int
	lifBack  func(arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32)
	indices  func(idx []int32, s []float32) int
	alifStep func(u, s, v, a, th, vPrev, aPrev, sPrev, p, beta, rho []float32, thr, ba float32, subtract bool) int
	alifBack func(arcTan bool, dp, gv, ga, gsr, gx, gBeta, gRho, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho []float32, thr, ba, k, c0 float32)
}

// apiSpikeKernels runs the exported functions, on the widest vector set.
func apiSpikeKernels() spikeKernels {
	return spikeKernels{
		name:    "api",
		lifStep: LIFStep[float32],
		lifBack: func(arcTan bool, dp, gv, gBeta, og, gsr, v, s, vPrev, beta []float32, thr, k, c0 float32) {
			if arcTan {
				LIFBackArcTan(dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, c0, k)
				return
			}
			LIFBackFastSigmoid(dp, gv, gBeta, og, gsr, v, s, vPrev, beta, thr, k)
		},
		indices:  SpikeIndices,
		alifStep: ALIFStep[float32],
		alifBack: ALIFBack[float32],
	}
}

// TestLIFKernels checks LIFStep, LIFBackFastSigmoid, LIFBackArcTan and
// SpikeIndices, through the exported functions and on every vector set
// the machine has, against their plain loops bit for bit (rows whose
// length exercises the 8- and 16-lane bodies and their tails) and the step
// against the formula evaluated in float64.
func TestLIFKernels(t *testing.T) {
	for _, ks := range spikeKernelSets() {
		t.Run(ks.name, func(t *testing.T) { testLIFKernels(t, ks) })
	}
}

func testLIFKernels(t *testing.T, ks spikeKernels) {
	rng := rand.New(rand.NewPCG(5, 6))
	vec := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(scale * rng.NormFloat64())
		}
		return v
	}
	const thr = 1
	for _, n := range []int{1, 7, 8, 9, 15, 16, 24, 33, 64, 100} {
		for _, rows := range []int{1, 3} {
			m := rows * n
			beta, vPrev, p := vec(n, 0.3), vec(m, 1), vec(m, 1)
			for i := range beta {
				beta[i] = 0.5 + beta[i]
			}
			p[0] = thr - beta[0]*vPrev[0] // u exactly at the threshold: no spike
			for _, subtract := range []bool{true, false} {
				u, s, v := make([]float32, m), make([]float32, m), make([]float32, m)
				wu, ws, wv := make([]float32, m), make([]float32, m), make([]float32, m)
				got := ks.lifStep(u, s, v, vPrev, p, beta, thr, subtract)
				want := lifStepGo(wu, ws, wv, vPrev, p, beta, thr, subtract)
				if got != want {
					t.Fatalf("LIFStep n=%d rows=%d: %d spikes, want %d", n, rows, got, want)
				}
				sameBits(t, "LIFStep u", m, u, wu)
				sameBits(t, "LIFStep s", m, s, ws)
				sameBits(t, "LIFStep v", m, v, wv)
				for e := range m {
					uu := float64(beta[e%n])*float64(vPrev[e]) + float64(p[e])
					if math.Abs(float64(u[e])-uu) > 1e-6*(1+math.Abs(uu)) {
						t.Fatalf("LIFStep n=%d: u[%d] = %v, want %v", n, e, u[e], uu)
					}
					if spike := u[e] > thr; spike != (s[e] == 1) || (!spike && s[e] != 0) {
						t.Fatalf("LIFStep n=%d: s[%d] = %v for u = %v", n, e, s[e], u[e])
					}
					wantV := u[e]
					switch {
					case s[e] == 1 && subtract:
						wantV = u[e] - thr
					case s[e] == 1:
						wantV = 0
					}
					if v[e] != wantV {
						t.Fatalf("LIFStep n=%d subtract=%v: v[%d] = %v, want %v", n, subtract, e, v[e], wantV)
					}
				}
				idx, widx := make([]int32, m), make([]int32, m)
				k, wk := ks.indices(idx, s), spikeIndicesGo(widx, s)
				if k != wk || k != got || !slices.Equal(idx[:k], widx[:k]) {
					t.Fatalf("SpikeIndices n=%d: %v, want %v (%d spikes)", n, idx[:k], widx[:wk], got)
				}
			}
			// The reverse step reads the membrane after the subtractive
			// reset and the spikes, as the forward step leaves them, and
			// must see u − thr from them to the bit.
			og, gsr, gv0, gb0 := vec(m, 1), vec(m, 1), vec(m, 1), vec(n, 1)
			u, s, v := make([]float32, m), make([]float32, m), make([]float32, m)
			lifStepGo(u, s, v, vPrev, p, beta, thr, true)
			for _, arcTan := range []bool{false, true} {
				dp, gv, gb := make([]float32, m), slices.Clone(gv0), slices.Clone(gb0)
				wdp, wgv, wgb := make([]float32, m), slices.Clone(gv0), slices.Clone(gb0)
				k, c0 := float32(25), float32(0)
				if arcTan {
					k, c0 = 1.5*math.Pi, 1.5 // ArcTan(3): c0 ≠ 1, so that dropping the ·c0 shows
				}
				ks.lifBack(arcTan, dp, gv, gb, og, gsr, v, s, vPrev, beta, thr, k, c0)
				lifBackGo(arcTan, wdp, wgv, wgb, og, gsr, v, s, vPrev, beta, thr, k, c0)
				sameBits(t, "LIFBack dp", m, dp, wdp)
				sameBits(t, "LIFBack gv", m, gv, wgv)
				sameBits(t, "LIFBack gBeta", n, gb, wgb)
				for e := range m {
					if x, want := v[e]-thr*(1-s[e]), u[e]-thr; x != want {
						t.Fatalf("n=%d: v − thr·(1 − s) = %v, u − thr = %v", n, x, want)
					}
					x := float64(u[e]) - thr
					sg := 1 / ((1 + 25*math.Abs(x)) * (1 + 25*math.Abs(x)))
					if arcTan {
						sg = float64(c0) / (1 + float64(k)*float64(k)*x*x)
					}
					want := float64(gv0[e]) + (float64(og[e])+float64(gsr[e]))*sg
					if math.Abs(float64(dp[e])-want) > 1e-5*(1+math.Abs(want)) {
						t.Fatalf("LIFBack arcTan=%v n=%d: dp[%d] = %v, want %v", arcTan, n, e, dp[e], want)
					}
				}
			}
		}
	}
}

// TestSpikeIndices checks SpikeIndices, through the exported function and
// on every vector set the machine has, against its plain loop at
// activities from none to all, with −0 (not a spike) and NaN (a spike)
// among the entries, at lengths with and without a vector tail, and on
// every pattern of 8 and of 16 entries' low byte (each block of 8 or 16 one
// mask m, in turn).
func TestSpikeIndices(t *testing.T) {
	for _, ks := range spikeKernelSets() {
		for _, w := range []int{8, 16} {
			s := make([]float32, 256*w)
			for m := range 256 {
				for j := range 8 {
					if m>>j&1 != 0 {
						s[m*w+j] = 1
					}
				}
			}
			got, want := make([]int32, len(s)), make([]int32, len(s))
			checkIndices(t, fmt.Sprintf("%s, every mask in blocks of %d", ks.name, w), got[:ks.indices(got, s)], want[:spikeIndicesGo(want, s)])
		}
		rng := rand.New(rand.NewPCG(3, 3))
		for _, n := range []int{1, 8, 13, 16, 31, 64, 200, 1000} {
			for _, act := range []float64{0, 0.05, 0.2, 0.5, 1} {
				s := make([]float32, n)
				for j := range s {
					switch r := rng.Float64(); {
					case r < act:
						s[j] = 1
					case r < act+0.02:
						s[j] = float32(math.Copysign(0, -1))
					case r < act+0.03:
						s[j] = float32(math.NaN())
					}
				}
				got, want := make([]int32, n), make([]int32, n)
				checkIndices(t, fmt.Sprintf("%s n=%d activity %v", ks.name, n, act), got[:ks.indices(got, s)], want[:spikeIndicesGo(want, s)])
			}
		}
	}
}

// checkIndices fails at the first entry where two index lists differ.
func checkIndices(t *testing.T, what string, got, want []int32) {
	t.Helper()
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			t.Fatalf("%s: index %d is %d, plain loop gives %d", what, i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d indices, plain loop gives %d", what, len(got), len(want))
	}
}

// TestLIFKernelsPanic checks the length checks.
func TestLIFKernelsPanic(t *testing.T) {
	b, r := make([]float32, 4), make([]float32, 8)
	for name, f := range map[string]func(){
		"partial row": func() { LIFStep(r[:6], r[:6], r[:6], r[:6], r[:6], b, 1, true) },
		"mismatch":    func() { LIFStep(r, r[:4], r, r, r, b, 1, true) },
		"gBeta":       func() { LIFBackFastSigmoid(r, r, b[:3], r, r, r, r, r, b, 1, 25) },
		"spikes":      func() { LIFBackFastSigmoid(r, r, b, r, r, r, r[:4], r, b, 1, 25) },
		"idx":         func() { SpikeIndices(make([]int32, 3), r) },
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

// TestLIFKernelsNoAlloc checks that the kernels do not allocate.
func TestLIFKernelsNoAlloc(t *testing.T) {
	b, r, idx := make([]float32, 32), make([]float32, 64), make([]int32, 64)
	for name, f := range map[string]func(){
		"step":    func() { LIFStep(r, r, r, r, r, b, 1, true) },
		"fs":      func() { LIFBackFastSigmoid(r, r, b, r, r, r, r, r, b, 1, 25) },
		"arctan":  func() { LIFBackArcTan(r, r, b, r, r, r, r, r, b, 1, 1, 3) },
		"indices": func() { SpikeIndices(idx, r) },
	} {
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%s: %v allocations", name, a)
		}
	}
}

// TestSumStripRows checks the strip-packed row sums against the dense
// product s·w with binary s [lists×rows] in compressed-row form and w
// [rows×n], with destination and list strides wider than the rows, and the
// panics on bad counts, indices and shapes.
func TestSumStripRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct {
		lists, rows, n, padD, padI int
		act                        float64
	}{{1, 64, 64, 0, 0, 0.2}, {5, 128, 128, 3, 1, 0.05}, {16, 256, 256, 0, 0, 0.5}, {3, 64, 64, 0, 0, 0},
		{40, 19, 128, 64, 5, 0.3}, {7, 300, 64, 1, 0, 0.1}, {4, 512, 192, 0, 0, 0.03}, {300, 200, 64, 2, 3, 0.2}} {
		ldd, ldi := c.n+c.padD, c.rows+c.padI
		w, s := make([]float32, c.rows*c.n), make([]float32, c.lists*c.rows)
		for k := range w {
			w[k] = float32(rng.NormFloat64())
		}
		for k := range s {
			if rng.Float64() < c.act {
				s[k] = 1
			}
		}
		dst := make([]float32, (c.lists-1)*ldd+c.n)
		for k := range dst {
			dst[k] = float32(rng.NormFloat64())
		}
		want := slices.Clone(dst)
		GemmRef(false, false, c.lists, c.n, c.rows, 1, s, c.rows, w, c.n, 1, want, ldd)
		packed, idx, cnt := make([]float32, c.rows*c.n), make([]int32, (c.lists-1)*ldi+c.rows), make([]int32, c.lists)
		PackStrips(packed, w, c.rows, c.n)
		wt, packedT := make([]float32, c.rows*c.n), make([]float32, c.rows*c.n)
		for i := range c.rows {
			for j := range c.n {
				wt[j*c.rows+i] = w[i*c.n+j]
			}
		}
		PackStripsTHalf(packedT, wt, c.rows, c.n, -1)
		if !slices.Equal(packed, packedT) {
			t.Fatalf("%+v: PackStripsTHalf of wᵀ differs from PackStrips of w", c)
		}
		for r := range c.lists {
			cnt[r] = int32(SpikeIndices(idx[r*ldi:r*ldi+c.rows], s[r*c.rows:(r+1)*c.rows]))
		}
		got, gotGo := slices.Clone(dst), slices.Clone(dst)
		SumStripRows(got, ldd, packed, c.rows, c.n, idx, ldi, cnt)
		sumStripRowsGo(gotGo, ldd, packed, c.rows, c.n, idx, ldi, cnt)
		if !slices.Equal(got, gotGo) {
			t.Fatalf("%+v: SumStripRows and its plain loop differ in bits", c)
		}
		for k := range want {
			for _, v := range []float32{got[k], gotGo[k]} {
				if d := math.Abs(float64(v - want[k])); d > 1e-4*(1+math.Abs(float64(want[k]))) {
					t.Fatalf("%+v: [%d] = %v, want %v", c, k, v, want[k])
				}
			}
		}
	}
	p, packed, idx := make([]float32, 64), make([]float32, 64*64), make([]int32, 64)
	for name, f := range map[string]func(){
		"count":    func() { SumStripRows(p, 64, packed, 64, 64, idx, 64, []int32{65}) },
		"negative": func() { SumStripRows(p, 64, packed, 64, 64, idx, 64, []int32{-1}) },
		"index":    func() { idx[0] = 64; SumStripRows(p, 64, packed, 64, 64, idx, 64, []int32{1}) },
		"dst":      func() { idx[0] = 0; SumStripRows(p, 64, packed, 64, 64, idx, 64, []int32{1, 1}) },
		"ldd":      func() { SumStripRows(p, 32, packed, 64, 64, idx, 64, []int32{1}) },
		"n":        func() { PackStrips(packed[:48*48], packed[:48*48], 48, 48) },
		"nT":       func() { PackStripsTHalf(packed[:48*48], packed[:48*48], 48, 48, -1) },
		"packed":   func() { SumStripRows(p, 64, packed[:64*63], 64, 64, idx, 64, []int32{1}) },
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
