package lowrank

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSelectMixture draws loadings from two well-separated populations and
// from one: BIC must find two and one, and the fitted two-population
// mixture must assign the samples to their source.
func TestSelectMixture(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 5))
	const n, dim = 300, 3
	x := make([]float64, n*dim)
	src := make([]int, n)
	for i := range n {
		src[i] = i % 2
		for a := range dim {
			x[i*dim+a] = rng.NormFloat64()
			if src[i] == 1 {
				x[i*dim+a] = 0.5*x[i*dim+a] + 4
			}
		}
	}
	fits, best, err := SelectMixture(x, dim, 3, MixtureConfig{}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if fits[best].K != 2 {
		t.Fatalf("BIC chose %d populations, want 2 (BIC per K: %v)", fits[best].K, bics(fits))
	}
	lab, err := fits[best].Assign(x)
	if err != nil {
		t.Fatal(err)
	}
	agree := 0
	for i := range n {
		if lab[i] == lab[0] == (src[i] == src[0]) {
			agree++
		}
	}
	if agree != n {
		t.Fatalf("%d of %d samples assigned to their population", agree, n)
	}
	groups, err := fits[best].Groups(x)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || len(groups[0])+len(groups[1]) != n {
		t.Fatalf("groups of sizes %d and %d, want the %d samples in two", len(groups[0]), len(groups[1]), n)
	}
	for _, g := range groups {
		for _, i := range g {
			if src[i] != src[g[0]] {
				t.Fatalf("sample %d (population %d) grouped with sample %d (population %d)", i, src[i], g[0], src[g[0]])
			}
		}
	}
	one := make([]float64, n*dim)
	for i := range one {
		one[i] = rng.NormFloat64()
	}
	fits, best, err = SelectMixture(one, dim, 3, MixtureConfig{}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if fits[best].K != 1 {
		t.Fatalf("BIC chose %d populations for one Gaussian, want 1 (BIC per K: %v)", fits[best].K, bics(fits))
	}
	// Resampling reproduces the fitted moments.
	s, err := fits[0].Sample(20000, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	for a := range dim {
		var mean, v float64
		for i := range 20000 {
			mean += s[i*dim+a]
		}
		mean /= 20000
		for i := range 20000 {
			v += (s[i*dim+a] - mean) * (s[i*dim+a] - mean)
		}
		v /= 20000
		if math.Abs(mean-fits[0].Means[0][a]) > 0.05 || math.Abs(v-fits[0].Covs[0][a*dim+a]) > 0.1 {
			t.Fatalf("dimension %d: samples have mean %.3f and variance %.3f, the mixture %.3f and %.3f", a, mean, v, fits[0].Means[0][a], fits[0].Covs[0][a*dim+a])
		}
	}
}

func bics(fits []*Mixture) []float64 {
	var out []float64
	for _, f := range fits {
		out = append(out, f.BIC)
	}
	return out
}
