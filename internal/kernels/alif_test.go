package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestALIFKernels checks ALIFStep and ALIFBack in float32, through the
// exported functions and on every vector set the machine has, bit for bit
// against their plain loops (row lengths with and without an 8- or 16-lane
// tail, both resets, both surrogates), and against the same loops in
// float64.
func TestALIFKernels(t *testing.T) {
	for _, ks := range spikeKernelSets() {
		t.Run(ks.name, func(t *testing.T) { testALIFKernels(t, ks) })
	}
}

func testALIFKernels(t *testing.T, ks spikeKernels) {
	rng := rand.New(rand.NewPCG(8, 9))
	vec := func(n int, lo, hi float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(lo + (hi-lo)*rng.Float64())
		}
		return v
	}
	spikes := func(m int) []float32 {
		s := make([]float32, m)
		for i := range s {
			if rng.Float64() < 0.3 {
				s[i] = 1
			}
		}
		return s
	}
	wide := func(x []float32) []float64 {
		y := make([]float64, len(x))
		for i, v := range x {
			y[i] = float64(v)
		}
		return y
	}
	const thr, ba = 0.6, 1.8
	spiked, units := 0, 0
	for _, n := range []int{1, 8, 13, 16, 24, 37, 64} {
		for _, rows := range []int{1, 3} {
			m := rows * n
			beta, rho := vec(n, 0.5, 0.99), vec(n, 0.8, 0.99)
			vPrev, aPrev, sPrev, p := vec(m, -1, 1.5), vec(m, 0, 1), spikes(m), vec(m, -1, 2)
			for _, subtract := range []bool{true, false} {
				out := func() [][]float32 {
					return [][]float32{make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m), make([]float32, m)}
				}
				g, w := out(), out()
				got := ks.alifStep(g[0], g[1], g[2], g[3], g[4], vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
				want := alifStepGo(w[0], w[1], w[2], w[3], w[4], vPrev, aPrev, sPrev, p, beta, rho, thr, ba, subtract)
				spiked, units = spiked+got, units+m
				if got != want {
					t.Fatalf("ALIFStep n=%d rows=%d: %d spikes, plain loop %d", n, rows, got, want)
				}
				for k, name := range []string{"u", "s", "v", "a", "θ"} {
					sameBits(t, "ALIFStep "+name, m, g[k], w[k])
				}
				d := [][]float64{make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m), make([]float64, m)}
				alifStepGo(d[0], d[1], d[2], d[3], d[4], wide(vPrev), wide(aPrev), wide(sPrev), wide(p), wide(beta), wide(rho), thr, ba, subtract)
				for e := range m {
					if math.Abs(float64(g[0][e])-d[0][e]) > 1e-5 || math.Abs(float64(g[3][e])-d[3][e]) > 1e-6 {
						t.Fatalf("ALIFStep n=%d: u, a = %v, %v; float64 %v, %v", n, g[0][e], g[3][e], d[0][e], d[3][e])
					}
				}
			}
			og, gsr0, u, ga0, gv0 := vec(m, -1, 1), vec(m, -1, 1), vec(m, -0.5, 2), vec(m, -1, 1), vec(m, -1, 1)
			s, aNew, gb0, gr0 := spikes(m), vec(m, 0, 1), vec(n, -1, 1), vec(n, -1, 1)
			for _, arcTan := range []bool{false, true} {
				k, c0 := float32(25), float32(0)
				if arcTan {
					k, c0 = 1.5*math.Pi, 1.5 // ArcTan(3): c0 ≠ 1, so that dropping the ·c0 shows
				}
				type state struct{ dp, gv, ga, gsr, gx, gb, gr []float32 }
				fresh := func() state {
					return state{make([]float32, m), slices.Clone(gv0), slices.Clone(ga0), slices.Clone(gsr0), make([]float32, m), slices.Clone(gb0), slices.Clone(gr0)}
				}
				g, w := fresh(), fresh()
				ks.alifBack(arcTan, g.dp, g.gv, g.ga, g.gsr, g.gx, g.gb, g.gr, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
				alifBackGo(arcTan, w.dp, w.gv, w.ga, w.gsr, w.gx, w.gb, w.gr, og, s, sPrev, u, aPrev, aNew, vPrev, beta, rho, thr, ba, k, c0)
				sameBits(t, "ALIFBack dp", m, g.dp, w.dp)
				sameBits(t, "ALIFBack gv", m, g.gv, w.gv)
				sameBits(t, "ALIFBack ga", m, g.ga, w.ga)
				sameBits(t, "ALIFBack gsr", m, g.gsr, w.gsr)
				sameBits(t, "ALIFBack gBeta", n, g.gb, w.gb)
				sameBits(t, "ALIFBack gRho", n, g.gr, w.gr)
				dp, gv, ga, gsr, gx, gb, gr := make([]float64, m), wide(gv0), wide(ga0), wide(gsr0), make([]float64, m), wide(gb0), wide(gr0)
				alifBackGo(arcTan, dp, gv, ga, gsr, gx, gb, gr, wide(og), wide(s), wide(sPrev), wide(u), wide(aPrev), wide(aNew), wide(vPrev), wide(beta), wide(rho), thr, ba, float64(k), float64(c0))
				for e := range m {
					if math.Abs(float64(g.dp[e])-dp[e]) > 1e-5*(1+math.Abs(dp[e])) || math.Abs(float64(g.gsr[e])-gsr[e]) > 1e-5*(1+math.Abs(gsr[e])) {
						t.Fatalf("ALIFBack n=%d arcTan=%v: dp, gsr = %v, %v; float64 %v, %v", n, arcTan, g.dp[e], g.gsr[e], dp[e], gsr[e])
					}
				}
			}
		}
	}
	if spiked == 0 || spiked == units {
		t.Fatalf("%d spikes of %d unit-steps: the steps check nothing", spiked, units)
	}
}

// TestALIFKernelsPanic checks the shape checks.
func TestALIFKernelsPanic(t *testing.T) {
	b, r := make([]float32, 4), make([]float32, 8)
	for name, f := range map[string]func(){
		"partial row": func() { ALIFStep(r[:6], r[:6], r[:6], r[:6], r[:6], r[:6], r[:6], r[:6], r[:6], b, b, 1, 1, true) },
		"rho":         func() { ALIFStep(r, r, r, r, r, r, r, r, r, b, b[:3], 1, 1, true) },
		"mismatch":    func() { ALIFBack(false, r, r, r, r, r, b, b, r, r, r, r, r, r[:4], r, b, b, 1, 1, 25, 0) },
		"gRho":        func() { ALIFBack(false, r, r, r, r, r, b, b[:3], r, r, r, r, r, r, r, b, b, 1, 1, 25, 0) },
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
