package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestLIFKernels checks LIFStep, LIFBackFastSigmoid, LIFBackArcTan and
// SpikeIndices against their plain loops bit for bit (rows whose length
// exercises the vector body and the tail) and the step against the
// formula evaluated in float64.
func TestLIFKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vec := func(n int, scale float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(scale * rng.NormFloat64())
		}
		return v
	}
	const thr = 1
	for _, n := range []int{1, 15, 16, 33, 64, 100} {
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
				got := LIFStep(u, s, v, vPrev, p, beta, thr, subtract)
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
				k, wk := SpikeIndices(idx, s), spikeIndicesGo(widx, s)
				if k != wk || k != got || !slices.Equal(idx[:k], widx[:k]) {
					t.Fatalf("SpikeIndices n=%d: %v, want %v (%d spikes)", n, idx[:k], widx[:wk], got)
				}
			}
			og, gsr, u, gv0, gb0 := vec(m, 1), vec(m, 1), vec(m, 1), vec(m, 1), vec(n, 1)
			for _, arcTan := range []bool{false, true} {
				dp, gv, gb := make([]float32, m), slices.Clone(gv0), slices.Clone(gb0)
				wdp, wgv, wgb := make([]float32, m), slices.Clone(gv0), slices.Clone(gb0)
				if arcTan {
					LIFBackArcTan(dp, gv, gb, og, gsr, u, vPrev, beta, thr, 1, math.Pi)
					lifBackGo(true, wdp, wgv, wgb, og, gsr, u, vPrev, beta, thr, math.Pi, 1)
				} else {
					LIFBackFastSigmoid(dp, gv, gb, og, gsr, u, vPrev, beta, thr, 25)
					lifBackGo(false, wdp, wgv, wgb, og, gsr, u, vPrev, beta, thr, 25, 0)
				}
				sameBits(t, "LIFBack dp", m, dp, wdp)
				sameBits(t, "LIFBack gv", m, gv, wgv)
				sameBits(t, "LIFBack gBeta", n, gb, wgb)
				for e := range m {
					x := float64(u[e]) - thr
					sg := 1 / ((1 + 25*math.Abs(x)) * (1 + 25*math.Abs(x)))
					if arcTan {
						sg = 1 / (1 + math.Pi*math.Pi*x*x)
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

// TestLIFKernelsPanic checks the length checks.
func TestLIFKernelsPanic(t *testing.T) {
	b, r := make([]float32, 4), make([]float32, 8)
	for name, f := range map[string]func(){
		"partial row": func() { LIFStep(r[:6], r[:6], r[:6], r[:6], r[:6], b, 1, true) },
		"mismatch":    func() { LIFStep(r, r[:4], r, r, r, b, 1, true) },
		"gBeta":       func() { LIFBackFastSigmoid(r, r, b[:3], r, r, r, r, b, 1, 25) },
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
		"fs":      func() { LIFBackFastSigmoid(r, r, b, r, r, r, r, b, 1, 25) },
		"arctan":  func() { LIFBackArcTan(r, r, b, r, r, r, r, b, 1, 1, 3) },
		"indices": func() { SpikeIndices(idx, r) },
	} {
		if a := testing.AllocsPerRun(10, f); a != 0 {
			t.Errorf("%s: %v allocations", name, a)
		}
	}
}
