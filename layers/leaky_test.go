package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
)

// leakyCase is one configuration of the leaky layer under test.
type leakyCase struct {
	name      string
	cfg       LeakyConfig
	inact     *Inactivation
	broadcast bool // h0 is [1, N]
	noise     bool
}

func randMask(rng *rand.Rand, n int, p float64) []bool {
	m := make([]bool, n)
	for k := range m {
		m[k] = rng.Float64() < p
	}
	return m
}

// leakyCases covers every activation under both integrations, with and
// without Dale's law, masks, fixed weights, inactivation and noise.
func leakyCases() []leakyCase {
	const n, in = 5, 3
	rng := rand.New(rand.NewPCG(7, 7))
	var cs []leakyCase
	for _, a := range []Activation{Tanh, ReLU, Softplus, Identity} {
		for _, g := range []Integration{IntegrateState, IntegrateRate} {
			base := LeakyConfig{Inputs: in, Units: n, Alpha: 0.3, Activation: a, Integration: g, Radius: 0.9}
			cs = append(cs, leakyCase{name: fmt.Sprintf("%v/%v/plain", a, g), cfg: base})
			d := base
			d.ExcFraction = 0.6
			d.RecMask, d.RecFixed = randMask(rng, n*n, 0.8), randMask(rng, n*n, 0.2)
			d.InMask, d.InFixed = randMask(rng, n*in, 0.8), randMask(rng, n*in, 0.2)
			d.NoiseStd = 0.1
			cs = append(cs, leakyCase{name: fmt.Sprintf("%v/%v/dale+masks+noise", a, g), cfg: d, noise: true, broadcast: true})
			s := base
			s.Torch, s.NoAutapses = true, true
			s.NoiseStd, s.Noise = 0.2, NoiseYang
			cs = append(cs, leakyCase{name: fmt.Sprintf("%v/%v/inactivation", a, g), cfg: s, noise: true,
				inact: &Inactivation{Units: []bool{false, true, false, false, true}, From: 1, To: 3, Silence: true}})
			c := base
			c.Noise, c.NoiseStd = NoiseValente, 0.1
			cs = append(cs, leakyCase{name: fmt.Sprintf("%v/%v/clamp", a, g), cfg: c, noise: true,
				inact: &Inactivation{Units: []bool{true, false, false, true, false}, From: 2, Clamp: true, ClampValue: 0.3}})
		}
	}
	return cs
}

const (
	testSteps = 4
	testBatch = 8 // ≥ splitMinBatch: the time loops run split over two goroutines
)

// leakyFixture builds the layer and the data of a case in float64.
func leakyFixture(t testing.TB, c leakyCase) (l *Leaky[float64], x, coef autodiff.Tensor[float64], h0 *autodiff.Param[float64]) {
	rng := rand.New(rand.NewPCG(1, 1))
	l, err := NewLeaky[float64](c.cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	n, in := c.cfg.Units, c.cfg.Inputs
	for _, b := range l.bias {
		for k := range b.Value.Data {
			b.Value.Data[k] = 0.2 * rng.NormFloat64()
		}
	}
	x = autodiff.NewTensor[float64](testSteps*testBatch, in)
	coef = autodiff.NewTensor[float64](testSteps*testBatch, n)
	for k := range x.Data {
		x.Data[k] = rng.NormFloat64()
	}
	for k := range coef.Data {
		coef.Data[k] = rng.NormFloat64()
	}
	rows := testBatch
	if c.broadcast {
		rows = 1
	}
	h0 = autodiff.NewParam[float64]("h0", rows, n)
	for k := range h0.Value.Data {
		h0.Value.Data[k] = 0.5 * rng.NormFloat64()
	}
	return l, x, coef, h0
}

func noiseRNG(on bool) *rand.Rand {
	if !on {
		return nil
	}
	return rand.New(rand.NewPCG(3, 4))
}

// fusedLoss is Σ coef ⊙ rates over the fused op.
func fusedLoss(tp *autodiff.Tape[float64], l *Leaky[float64], c leakyCase, x, coef autodiff.Tensor[float64], xv, h0 *autodiff.Var[float64]) *autodiff.Var[float64] {
	if xv == nil {
		xv = tp.Const(x)
	}
	r, _ := l.Run(tp, xv, h0, testSteps, testBatch, SeqOptions{Noise: noiseRNG(c.noise), Inactivation: c.inact})
	return autodiff.Sum(autodiff.Mul(r, tp.Const(coef)))
}

func refLoss(tp *autodiff.Tape[float64], l *Leaky[float64], c leakyCase, x, coef autodiff.Tensor[float64], h0 *autodiff.Var[float64]) *autodiff.Var[float64] {
	rates, _ := l.SequenceRef(tp, x, h0, testSteps, testBatch, SeqOptions{Noise: noiseRNG(c.noise), Inactivation: c.inact})
	return weightedSum(tp, rates, coef, testBatch)
}

func TestLeakyFusedMatchesReference(t *testing.T) {
	t.Parallel()
	for _, c := range leakyCases() {
		l, x, coef, h0 := leakyFixture(t, c)
		params := append(l.Params(), h0)
		grads := func(ref bool) (vals []float64, final []float64, gs [][]float64) {
			for _, p := range params {
				p.ZeroGrad()
			}
			tp := autodiff.NewTape[float64]()
			h := tp.Param(h0)
			var loss *autodiff.Var[float64]
			if ref {
				rates, fin := l.SequenceRef(tp, x, h, testSteps, testBatch, SeqOptions{Noise: noiseRNG(c.noise), Inactivation: c.inact})
				for _, r := range rates {
					vals = append(vals, r.Value.Data...)
				}
				final = append(final, fin.Value.Data...)
				tp.Reset()
				h = tp.Param(h0)
				loss = refLoss(tp, l, c, x, coef, h)
			} else {
				r, fin := l.Run(tp, tp.Const(x), h, testSteps, testBatch, SeqOptions{Noise: noiseRNG(c.noise), Inactivation: c.inact})
				vals = append(vals, r.Value.Data...)
				final = append(final, fin.Data...)
				tp.Reset()
				h = tp.Param(h0)
				loss = fusedLoss(tp, l, c, x, coef, nil, h)
			}
			tp.Backward(loss)
			for _, p := range params {
				gs = append(gs, append([]float64(nil), p.Grad.Data...))
			}
			return vals, final, gs
		}
		fv, ff, fg := grads(false)
		rv, rf, rg := grads(true)
		if k, ok := allClose(fv, rv, 1e-12); !ok {
			t.Errorf("%s: rates[%d]: fused %g, reference %g", c.name, k, fv[k], rv[k])
		}
		if k, ok := allClose(ff, rf, 1e-12); !ok {
			t.Errorf("%s: final[%d]: fused %g, reference %g", c.name, k, ff[k], rf[k])
		}
		for i, p := range params {
			if k, ok := allClose(fg[i], rg[i], 1e-10); !ok {
				t.Errorf("%s: d%s[%d]: fused %g, reference %g", c.name, p.Name, k, fg[i][k], rg[i][k])
			}
		}
	}
}

// allClose reports the first index where a and b differ by more than tol
// relative to max(1, |b|).
func allClose(a, b []float64, tol float64) (int, bool) {
	if len(a) != len(b) {
		return 0, false
	}
	for k := range a {
		if math.Abs(a[k]-b[k]) > tol*math.Max(1, math.Abs(b[k])) || math.IsNaN(a[k]) != math.IsNaN(b[k]) {
			return k, false
		}
	}
	return 0, true
}

// kinkTol is the looser tolerance where φ has a kink: finite differences
// straddle it only if a pre-activation lies within h of 0, which the seeds
// avoid; |·| under Dale's law has the same kink.
func kinkTol() gradcheck.Tolerance {
	return gradcheck.Tolerance{Rel: 1e-5, Abs: 1e-7, Why: "piecewise-smooth φ or |W|: error O(h) only at kinks, none within h for these seeds"}
}

func TestLeakyGradcheck(t *testing.T) {
	t.Parallel()
	for _, c := range leakyCases() {
		// Fixed weights get a zero gradient by design, not the true
		// derivative; TestLeakyFusedMatchesReference covers them.
		c.cfg.RecFixed, c.cfg.InFixed = nil, nil
		l, x, coef, h0 := leakyFixture(t, c)
		xp := autodiff.NewParam[float64]("x", x.Rows, x.Cols)
		copy(xp.Value.Data, x.Data)
		tol := gradcheck.Tolerance{}
		if c.cfg.Activation == ReLU || c.cfg.ExcFraction > 0 {
			tol = kinkTol()
		}
		params := append(l.Params(), h0, xp)
		gradcheck.Check(t, gradcheck.Case{
			Name:   "fused " + c.name,
			Params: params,
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return fusedLoss(tp, l, c, x, coef, v[len(v)-1], v[len(v)-2])
			},
			Tol: tol,
		})
		gradcheck.Check(t, gradcheck.Case{
			Name:   "reference " + c.name,
			Params: append(l.Params(), h0),
			Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
				return refLoss(tp, l, c, x, coef, v[len(v)-1])
			},
			Tol: tol,
		})
	}
}

// TestVanillaMatchesTorchEquations checks the α = 1, rate-integrating tanh
// layer in torch layout against torch.nn.RNN's documented update
// h_t = tanh(x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh), computed directly.
func TestVanillaMatchesTorchEquations(t *testing.T) {
	t.Parallel()
	const n, in, steps, batch = 4, 3, 3, 2
	rng := rand.New(rand.NewPCG(2, 2))
	l, err := NewLeaky[float64](LeakyConfig{Inputs: in, Units: n, Alpha: 1, Integration: IntegrateRate, Torch: true, Name: "rnn"}, rng)
	if err != nil {
		t.Fatal(err)
	}
	ps := l.Params()
	wantNames := []string{"rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0"}
	for i, p := range ps {
		if p.Name != wantNames[i] {
			t.Errorf("param %d named %q, want %q", i, p.Name, wantNames[i])
		}
		for k := range p.Value.Data {
			p.Value.Data[k] = rng.NormFloat64() * 0.5
		}
	}
	wih, whh, bih, bhh := ps[0].Value, ps[1].Value, ps[2].Value, ps[3].Value
	x := autodiff.NewTensor[float64](steps*batch, in)
	h0 := autodiff.NewTensor[float64](batch, n)
	for k := range x.Data {
		x.Data[k] = rng.NormFloat64()
	}
	for k := range h0.Data {
		h0.Data[k] = rng.NormFloat64() * 0.5
	}
	tp := autodiff.NewTape[float64]()
	r, fin := l.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, SeqOptions{})
	h := h0.Clone()
	for s := 0; s < steps; s++ {
		next := autodiff.NewTensor[float64](batch, n)
		for b := 0; b < batch; b++ {
			for i := 0; i < n; i++ {
				v := bih.Data[i] + bhh.Data[i]
				for j := 0; j < in; j++ {
					v += x.At(s*batch+b, j) * wih.At(i, j)
				}
				for j := 0; j < n; j++ {
					v += h.At(b, j) * whh.At(i, j)
				}
				next.Set(b, i, math.Tanh(v))
			}
		}
		h = next
		for k, want := range h.Data {
			if got := r.Value.Data[s*batch*n+k]; math.Abs(got-want) > 1e-14 {
				t.Fatalf("step %d element %d: got %g want %g", s, k, got, want)
			}
		}
	}
	if k, ok := allClose(fin.Data, h.Data, 1e-14); !ok {
		t.Errorf("final[%d]: got %g want %g", k, fin.Data[k], h.Data[k])
	}
}

// TestNoiseConventions checks the law of one step's noise increment against
// each convention's formula (PsychRNN basic.py, Yang's network.py,
// low_rank_rnns modules.py; see NoiseConvention). With W = 0, W_in = 0,
// b = 0, φ = identity and a zero initial state, the first step's output is the
// increment itself: √(2α)σξ (PsychRNN), σξ (Valente), α·√(2/α)σξ (Yang,
// inside φ). Over 20000 samples the standard error of the sample standard
// deviation is 0.5 %, so 3 % catches a wrong √α (a factor ≥ 1.8 here).
func TestNoiseConventions(t *testing.T) {
	t.Parallel()
	const n, batch, alpha, sigma = 40, 500, 0.2, 0.3
	for _, c := range []struct {
		conv NoiseConvention
		g    Integration
		want float64
	}{
		{NoisePsychRNN, IntegrateState, math.Sqrt(2*alpha) * sigma},
		{NoiseValente, IntegrateState, sigma},
		{NoiseYang, IntegrateRate, alpha * math.Sqrt(2/alpha) * sigma},
		{NoisePsychRNN, IntegrateRate, math.Sqrt(2*alpha) * sigma},
	} {
		cfg := LeakyConfig{Inputs: 1, Units: n, Alpha: alpha, Activation: Identity, Integration: c.g, NoiseStd: sigma, Noise: c.conv}
		l, err := NewLeaky[float64](cfg, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		l.wRec.p.Value.Zero()
		l.wIn.p.Value.Zero()
		tp := autodiff.NewTape[float64]()
		x := autodiff.NewTensor[float64](2*batch, 1)
		h0 := autodiff.NewTensor[float64](1, n)
		r, _ := l.Run(tp, tp.Const(x), tp.Const(h0), 2, batch, SeqOptions{Noise: rand.New(rand.NewPCG(5, 6))})
		first := r.Value.Data[:batch*n]
		var s, s2, cross float64
		for k, v := range first {
			s += v
			s2 += v * v
			// second step minus the leaked first: the second increment
			cross += v * (r.Value.Data[batch*n+k] - (1-alpha)*v)
		}
		m := float64(len(first))
		mean, sd := s/m, math.Sqrt(s2/m-(s/m)*(s/m))
		if math.Abs(sd/c.want-1) > 0.03 {
			t.Errorf("%v/%v: increment sd = %.5f, want %.5f", c.conv, c.g, sd, c.want)
		}
		if math.Abs(mean) > 4*c.want/math.Sqrt(m) {
			t.Errorf("%v/%v: increment mean = %.5f, want 0 within 4 standard errors", c.conv, c.g, mean)
		}
		if corr := cross / m / (c.want * c.want); math.Abs(corr) > 0.05 {
			t.Errorf("%v/%v: successive increments correlate by %.3f, want independent", c.conv, c.g, corr)
		}
	}
}

func TestLeakyConfigValidate(t *testing.T) {
	t.Parallel()
	good := LeakyConfig{Inputs: 2, Units: 3, Alpha: 0.2}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid config rejected: %v", err)
	}
	for _, c := range []struct {
		field string
		mod   func(*LeakyConfig)
	}{
		{"Units", func(c *LeakyConfig) { c.Units = 0 }},
		{"Alpha", func(c *LeakyConfig) { c.Alpha = 1.5 }},
		{"NoiseStd", func(c *LeakyConfig) { c.NoiseStd = -1 }},
		{"ExcFraction", func(c *LeakyConfig) { c.ExcFraction = 2 }},
		{"Init", func(c *LeakyConfig) { c.ExcFraction, c.Init = 0.8, InitOrthogonal }},
		{"RecMask", func(c *LeakyConfig) { c.RecMask = make([]bool, 4) }},
	} {
		cfg := good
		c.mod(&cfg)
		err := cfg.Validate()
		if err == nil || !contains(err.Error(), c.field) {
			t.Errorf("bad %s: got error %v, want one naming %s", c.field, err, c.field)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestLeakySteadyStateAllocs checks that a warmed-up Sequence + Backward on
// a reset tape allocates nothing.
func TestLeakySteadyStateAllocs(t *testing.T) {
	cfg := LeakyConfig{Inputs: 3, Units: 16, Alpha: 0.2, ExcFraction: 0.8, NoiseStd: 0.1}
	l, err := NewLeaky[float32](cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	x := autodiff.NewTensor[float32](10*4, 3)
	h0 := autodiff.NewParam[float32]("h0", 1, 16)
	noise := rand.New(rand.NewPCG(1, 2))
	tp := autodiff.NewTape[float32]()
	step := func() {
		tp.Reset()
		r, _ := l.Run(tp, tp.Const(x), tp.Param(h0), 10, 4, SeqOptions{Noise: noise})
		tp.Backward(autodiff.Sum(r))
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("Sequence+Backward allocates %v times per run in steady state, want 0", a)
	}
}

// TestLeakyInterleavedTapes records the same layer on six live tapes before
// running any backward pass (more than the op cache holds), so a reused
// record would corrupt an earlier tape's gradient.
func TestLeakyInterleavedTapes(t *testing.T) {
	t.Parallel()
	c := leakyCases()[1]
	l, x, coef, h0 := leakyFixture(t, c)
	want := func() []float64 {
		l.wRec.p.ZeroGrad()
		tp := autodiff.NewTape[float64]()
		tp.Backward(fusedLoss(tp, l, c, x, coef, nil, tp.Param(h0)))
		return append([]float64(nil), l.wRec.p.Grad.Data...)
	}()
	var tapes []*autodiff.Tape[float64]
	var losses []*autodiff.Var[float64]
	for i := 0; i < 6; i++ {
		tp := autodiff.NewTape[float64]()
		tapes = append(tapes, tp)
		losses = append(losses, fusedLoss(tp, l, c, x, coef, nil, tp.Param(h0)))
	}
	for i, tp := range tapes {
		l.wRec.p.ZeroGrad()
		tp.Backward(losses[i])
		if k, ok := allClose(l.wRec.p.Grad.Data, want, 1e-14); !ok {
			t.Fatalf("tape %d: dW_rec[%d] = %g, want %g", i, k, l.wRec.p.Grad.Data[k], want[k])
		}
	}
}

// TestInactivationSemantics checks the perturbation directly: inside the
// window silenced units send exactly 0 and clamped units hold ClampValue;
// outside it they behave normally.
func TestInactivationSemantics(t *testing.T) {
	t.Parallel()
	const n, steps, batch = 6, 8, 2
	units := []bool{false, true, false, false, true, false}
	for _, g := range []Integration{IntegrateState, IntegrateRate} {
		for _, m := range []Inactivation{
			{Units: units, From: 2, To: 5, Silence: true},
			{Units: units, From: 3, Clamp: true, ClampValue: 0.7},
		} {
			cfg := LeakyConfig{Inputs: 2, Units: n, Alpha: 0.5, Integration: g, Activation: Softplus}
			l, err := NewLeaky[float64](cfg, rand.New(rand.NewPCG(8, 8)))
			if err != nil {
				t.Fatal(err)
			}
			x := autodiff.NewTensor[float64](steps*batch, 2)
			for k := range x.Data {
				x.Data[k] = 1
			}
			tp := autodiff.NewTape[float64]()
			r, fin := l.Run(tp, tp.Const(x), tp.Const(autodiff.NewTensor[float64](1, n)), steps, batch, SeqOptions{Inactivation: &m})
			for s := 0; s < steps; s++ {
				for b := 0; b < batch; b++ {
					for j, on := range units {
						v := r.Value.At(s*batch+b, j)
						switch {
						case on && m.Active(s) && m.Silence && v != 0:
							t.Errorf("%v: silenced unit %d sends %g at step %d, want 0", g, j, v, s)
						case on && m.Active(s) && m.Clamp && g == IntegrateRate && v != m.ClampValue:
							t.Errorf("%v: clamped unit %d has rate %g at step %d, want %g", g, j, v, s, m.ClampValue)
						case on && m.Active(s) && m.Clamp && g == IntegrateState && math.Abs(v-softplus(m.ClampValue)) > 1e-15:
							t.Errorf("%v: clamped unit %d has rate %g at step %d, want φ(%g)", g, j, v, s, m.ClampValue)
						case !m.Active(s) && v == 0:
							t.Errorf("%v: unit %d is 0 at step %d outside the window", g, j, s)
						}
					}
				}
			}
			if m.Clamp && fin.At(0, 1) != m.ClampValue {
				t.Errorf("%v: final state of clamped unit = %g, want %g", g, fin.At(0, 1), m.ClampValue)
			}
		}
	}
}

// TestSplitStartsNoGoroutines checks that split time loops run their second
// half on the kernels' shared workers: layers start no goroutines of their
// own, so many layers (a sweep, an ensemble) cost no more than one.
func TestSplitStartsNoGoroutines(t *testing.T) {
	run := func(seed uint64) {
		l, err := NewLeaky[float32](LeakyConfig{Inputs: 1, Units: 8, Alpha: 0.5}, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		tp := autodiff.NewTape[float32]()
		r, _ := l.Run(tp, tp.Const(autodiff.NewTensor[float32](3*splitMinBatch, 1)), tp.Const(autodiff.NewTensor[float32](1, 8)), 3, splitMinBatch, SeqOptions{})
		tp.Backward(autodiff.Sum(r))
	}
	run(1) // starts the shared workers, if nothing has yet
	before := runtime.NumGoroutine()
	for seed := uint64(2); seed < 12; seed++ {
		run(seed)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after 10 more split layers, %d before", n, before)
	}
}
