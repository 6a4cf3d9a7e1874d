package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGRUKernels checks GRUCandidate, GRUMix and GRUGateGrad against their
// plain loops bit for bit, at lengths that exercise the vector body and the
// tail, and GRUGateGrad against the formulas evaluated in float64.
func TestGRUKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	vec := func(n int, f func(float64) float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(f(rng.NormFloat64()))
		}
		return v
	}
	id := func(x float64) float64 { return x }
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 257} {
		r, z, c := vec(n, sig), vec(n, sig), vec(n, math.Tanh)
		ghn, bhn, hp, og, dh0 := vec(n, id), vec(n, id), vec(n, id), vec(n, id), vec(n, id)

		got, want := slices.Clone(c), slices.Clone(c)
		GRUCandidate(got, r, ghn, bhn)
		gruCandidateGo(want, r, ghn, bhn)
		sameBits(t, "GRUCandidate", n, got, want)

		h, wh := make([]float32, n), make([]float32, n)
		GRUMix(h, c, z, hp)
		gruMixGo(wh, c, z, hp)
		sameBits(t, "GRUMix", n, h, wh)

		out := func() [5][]float32 {
			return [5][]float32{make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), slices.Clone(dh0)}
		}
		g, w := out(), out()
		GRUGateGrad(g[0], g[1], g[2], g[3], g[4], og, r, z, c, ghn, bhn, hp)
		gruGateGradGo(w[0], w[1], w[2], w[3], w[4], og, r, z, c, ghn, bhn, hp)
		for i, name := range []string{"dr", "dz", "dc", "dn", "dh"} {
			sameBits(t, "GRUGateGrad "+name, n, g[i], w[i])
		}
		for j := range n {
			d := float64(dh0[j]) + float64(og[j])
			rj, zj, cj := float64(r[j]), float64(z[j]), float64(c[j])
			dnPre := d * (1 - zj) * (1 - cj*cj)
			want := [5]float64{dnPre * (float64(ghn[j]) + float64(bhn[j])) * rj * (1 - rj), d * (float64(hp[j]) - cj) * zj * (1 - zj), dnPre * rj, dnPre, d * zj}
			for i := range want {
				if math.Abs(float64(g[i][j])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
					t.Fatalf("GRUGateGrad n=%d: output %d [%d] = %v, want %v", n, i, j, g[i][j], want[i])
				}
			}
		}
	}
}
