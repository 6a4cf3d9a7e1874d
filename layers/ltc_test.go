package layers

import (
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// ltcCases cover both reset gradients, the adaptive and the fixed
// threshold, Dale's law with masks, noise and inactivation.
func ltcCases() []struct {
	spikeCase
	cfg LTCConfig
} {
	const n, in = 5, 3
	rng := rand.New(rand.NewPCG(6, 6))
	base := LTCConfig{Inputs: in, Units: n, Threshold: 0.3, AdaptStrength: 1.8, SpikeOptions: SpikeOptions{Radius: 1.5}}
	type ltcCase = struct {
		spikeCase
		cfg LTCConfig
	}
	var cs []ltcCase
	add := func(name string, f func(c *LTCConfig)) *spikeCase {
		c := base
		f(&c)
		cs = append(cs, ltcCase{spikeCase{name: name}, c})
		return &cs[len(cs)-1].spikeCase
	}
	add("plain", func(c *LTCConfig) {})
	add("resetgrad+multigaussian", func(c *LTCConfig) {
		c.ResetGrad, c.Surrogate = true, Surrogate{surrogate.MultiGaussian{}}
	})
	add("fixed-threshold+biases", func(c *LTCConfig) { c.AdaptStrength, c.TauMemBias, c.TauAdaptBias = 0, -1, 2 })
	sc := add("dale+masks+noise", func(c *LTCConfig) {
		c.ExcFraction, c.NoAutapses, c.NoiseStd = 0.6, true, 0.3
		c.RecMask, c.InMask = randMask(rng, n*n, 0.8), randMask(rng, n*in, 0.8)
	})
	sc.noise, sc.broadcast = true, true
	sc = add("silence", func(c *LTCConfig) { c.ResetGrad = true })
	sc.inact = &Inactivation{Units: []bool{false, true, false, false, true}, From: 1, To: 4, Silence: true}
	sc = add("clamp", func(c *LTCConfig) {})
	sc.inact = &Inactivation{Units: []bool{true, false, false, true, false}, From: 2, Clamp: true, ClampValue: 0.05}
	return cs
}

// TestLTCFusedMatchesReference compares the fused LTC-SN op with its
// composition of primitive ops (see TestLIFFusedMatchesReference for why
// the surrogate gradient is checked through the reference).
func TestLTCFusedMatchesReference(t *testing.T) {
	t.Parallel()
	for _, c := range ltcCases() {
		rng := rand.New(rand.NewPCG(1, 1))
		l, err := NewLTC[float64](c.cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		for k := range l.bias.Value.Data {
			l.bias.Value.Data[k] = 0.3 * rng.NormFloat64()
		}
		for k := range l.gBias.Value.Data {
			l.gBias.Value.Data[k] += 0.5 * rng.NormFloat64()
		}
		checkFusedSpiking(t, c.spikeCase, l, c.cfg.Inputs, c.cfg.Units, rng)
	}
}

// TestLTCPlainMatchesGeneralLoop runs the LTC layer without a perturbation
// (the surrogate's share for all rows at once) and with one that never
// applies (the loop's own interface call per unit), in float32, and
// requires the same bits in the spikes, the states and every gradient.
func TestLTCPlainMatchesGeneralLoop(t *testing.T) {
	const n, in, steps, batch = 24, 3, 10, 4
	for _, resetG := range []bool{false, true} {
		rng := rand.New(rand.NewPCG(9, 9))
		l, err := NewLTC[float32](LTCConfig{Inputs: in, Units: n, AdaptStrength: 1.8,
			SpikeOptions: SpikeOptions{Radius: 1.5, InputGain: 2, ResetGrad: resetG}}, rng)
		if err != nil {
			t.Fatal(err)
		}
		x, coef := randTensor32(rng, steps*batch, in), randTensor32(rng, steps*batch, n)
		run := func(m *Inactivation) [][]float32 {
			values, grads := runSpiking32(l, x, coef, steps, batch, m)
			return append(values, grads...)
		}
		plain, general := run(nil), run(&Inactivation{Units: make([]bool, n), From: steps + 1})
		if s := spikeCount(plain[0]); s == 0 || s == len(plain[0]) {
			t.Fatalf("resetG=%v: %d spikes; the case checks nothing", resetG, s)
		}
		for k := range plain {
			if i := firstDiff(plain[k], general[k], 0); i >= 0 {
				t.Errorf("resetG=%v: array %d differs at %d: %g vs %g", resetG, k, i, plain[k][i], general[k][i])
			}
		}
	}
}
