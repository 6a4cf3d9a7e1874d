package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTanhGrads checks TanhRateGrad, TanhStateGrad, TanhCarry and LeakyMix against their plain
// loops bit for bit, at lengths that exercise the vector body and the tail,
// and the rate step against the formula evaluated in float64 (the loops
// round after every operation, so within a few ulp).
func TestTanhGrads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vec := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	const alpha, decay = 0.2, 0.8
	for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 257} {
		g, grec, r, gx0, dp0 := vec(n), vec(n), vec(n), vec(n), vec(n)
		for i := range dp0 {
			dp0[i] = float32(math.Tanh(float64(dp0[i])))
		}

		gx, dp := slices.Clone(gx0), slices.Clone(dp0)
		TanhRateGrad(gx, dp, g, grec, alpha, decay)
		wgx, wdp := slices.Clone(gx0), slices.Clone(dp0)
		tanhRateGradGo(wgx, wdp, g, grec, alpha, decay)
		sameBits(t, "TanhRateGrad gx", n, gx, wgx)
		sameBits(t, "TanhRateGrad dp", n, dp, wdp)
		for k := range n {
			s := float64(g[k]) + float64(grec[k]) + decay*float64(gx0[k])
			y := float64(dp0[k])
			if want := float64(alpha) * s * (1 - y*y); math.Abs(float64(dp[k])-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("TanhRateGrad n=%d: dp[%d] = %v, want %v", n, k, dp[k], want)
			}
		}

		gx, dp = slices.Clone(gx0), slices.Clone(dp0)
		TanhStateGrad(gx, dp, g, grec, r, alpha, decay)
		wgx, wdp = slices.Clone(gx0), slices.Clone(dp0)
		tanhStateGradGo(wgx, wdp, g, grec, r, alpha, decay)
		sameBits(t, "TanhStateGrad gx", n, gx, wgx)
		sameBits(t, "TanhStateGrad dp", n, dp, wdp)

		// TanhCarry, also in place over og.
		carry, wcarry := make([]float32, n), slices.Clone(g)
		TanhCarry(carry, g, grec, gx0, dp0, decay)
		tanhCarryGo(wcarry, wcarry, grec, gx0, dp0, decay)
		sameBits(t, "TanhCarry", n, carry, wcarry)
		for k := range n {
			y := float64(dp0[k])
			if want := float64(g[k]) + decay*float64(grec[k]) + float64(gx0[k])*(1-y*y); math.Abs(float64(carry[k])-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("TanhCarry n=%d: [%d] = %v, want %v", n, k, carry[k], want)
			}
		}

		mix, wmix := make([]float32, n), make([]float32, n)
		LeakyMix(mix, g, grec, decay, alpha)
		leakyMixGo(wmix, g, grec, decay, alpha)
		sameBits(t, "LeakyMix", n, mix, wmix)
		for k := range n {
			if want := decay*float64(g[k]) + alpha*float64(grec[k]); math.Abs(float64(mix[k])-want) > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("LeakyMix n=%d: [%d] = %v, want %v", n, k, mix[k], want)
			}
		}
	}
}

func TestSumRowsInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 8, 33} {
		src := make([]float32, 5*n)
		for i := range src {
			src[i] = float32(rng.NormFloat64())
		}
		got, want := make([]float32, n), make([]float32, n)
		for j := range got {
			got[j] = float32(j)
			want[j] = float32(j)
		}
		SumRowsInto(got, src)
		for i := 0; i < len(src); i += n {
			for j, v := range src[i : i+n] {
				want[j] += v
			}
		}
		sameBits(t, "SumRowsInto", n, got, want)
	}
}

func sameBits(t *testing.T, what string, n int, got, want []float32) {
	t.Helper()
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s n=%d: [%d] = %v, plain loop gives %v", what, n, i, got[i], want[i])
		}
	}
}

func TestTanhGradsPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("TanhRateGrad with mismatched lengths did not panic")
		}
	}()
	TanhRateGrad(make([]float32, 3), make([]float32, 3), make([]float32, 2), make([]float32, 3), 1, 0)
}
