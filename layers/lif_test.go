package layers

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/autodiff/surrogate"
)

// spikeCase is one configuration of a spiking layer under test.
type spikeCase struct {
	name      string
	lif       LIFConfig
	inact     *Inactivation
	broadcast bool // init is [1, N]
	noise     bool
}

// lifCases cover both resets, detached and attached, every optional state
// variable, trained decays, Dale's law with masks, noise and inactivation.
func lifCases() []spikeCase {
	const n, in = 5, 3
	rng := rand.New(rand.NewPCG(5, 5))
	base := LIFConfig{Inputs: in, Units: n, DtMS: 1, TauMemMS: 10, Threshold: 1, SpikeOptions: SpikeOptions{Radius: 1.5}}
	var cs []spikeCase
	add := func(name string, f func(c *LIFConfig)) {
		c := base
		f(&c)
		cs = append(cs, spikeCase{name: name, lif: c})
	}
	add("plain", func(c *LIFConfig) {})
	add("zero+resetgrad+fastsigmoid", func(c *LIFConfig) {
		c.Reset, c.ResetGrad, c.Surrogate = ResetZero, true, Surrogate{surrogate.FastSigmoid{Slope: 5}}
	})
	add("synaptic+train", func(c *LIFConfig) { c.TauSynMS, c.TrainTau = 5, true })
	add("alif+train+resetgrad", func(c *LIFConfig) {
		c.AdaptStrength, c.TauAdaptMS, c.TrainTau, c.ResetGrad = 1.8, 20, true, true
	})
	add("alif+synaptic+refractory+zero", func(c *LIFConfig) {
		c.AdaptStrength, c.TauAdaptMS, c.TauSynMS, c.RefractorySteps, c.Reset = 0.5, 30, 3, 2, ResetZero
		c.Surrogate = Surrogate{surrogate.MultiGaussian{}}
	})
	add("dale+masks+noise", func(c *LIFConfig) {
		c.ExcFraction, c.NoAutapses, c.NoiseStd = 0.6, true, 0.3
		c.RecMask, c.InMask = randMask(rng, n*n, 0.8), randMask(rng, n*in, 0.8)
		c.RecFixed, c.InFixed = randMask(rng, n*n, 0.2), randMask(rng, n*in, 0.2)
	})
	cs[len(cs)-1].noise, cs[len(cs)-1].broadcast = true, true
	add("silence", func(c *LIFConfig) { c.AdaptStrength, c.TauAdaptMS = 1, 20 })
	cs[len(cs)-1].inact = &Inactivation{Units: []bool{false, true, false, false, true}, From: 1, To: 4, Silence: true}
	add("resetgrad+triangle", func(c *LIFConfig) { c.ResetGrad, c.Surrogate = true, Surrogate{surrogate.Triangle{}} })
	add("clamp", func(c *LIFConfig) { c.TauSynMS, c.ResetGrad = 4, true })
	cs[len(cs)-1].inact = &Inactivation{Units: []bool{true, false, false, true, false}, From: 2, Clamp: true, ClampValue: 0.3}
	return cs
}

const spikeSteps = 6

// spikeFixture returns inputs x [steps·batch, in] as a parameter (so that
// its gradient is checked too), loss coefficients and the trainable initial
// membrane.
func spikeFixture(rng *rand.Rand, in, n int, broadcast bool) (x *autodiff.Param[float64], coef autodiff.Tensor[float64], v0 *autodiff.Param[float64]) {
	x = autodiff.NewParam[float64]("x", spikeSteps*testBatch, in)
	for k := range x.Value.Data {
		x.Value.Data[k] = rng.NormFloat64()
	}
	coef = autodiff.NewTensor[float64](spikeSteps*testBatch, n)
	for k := range coef.Data {
		coef.Data[k] = rng.NormFloat64()
	}
	rows := testBatch
	if broadcast {
		rows = 1
	}
	v0 = autodiff.NewParam[float64]("v0", rows, n)
	for k := range v0.Value.Data {
		v0.Value.Data[k] = 0.5 * rng.NormFloat64()
	}
	return x, coef, v0
}

// weightedSum is Σ_t Σ coef_t ⊙ r_t over per-step rates.
func weightedSum(tp *autodiff.Tape[float64], rates []*autodiff.Var[float64], coef autodiff.Tensor[float64], batch int) *autodiff.Var[float64] {
	var loss *autodiff.Var[float64]
	for t, r := range rates {
		s := autodiff.Sum(autodiff.Mul(r, tp.Const(coef.RowSlice(t*batch, (t+1)*batch))))
		if loss == nil {
			loss = s
		} else {
			loss = autodiff.Add(loss, s)
		}
	}
	return loss
}

// exactTol is the tolerance of fused against unfused in float64: the same
// operations in a different association order (GEMM blocking) differ by a
// few ulps; a wrong reverse rule is off by O(1).
func exactTol() gradcheck.Tolerance {
	return gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-11, Why: "fused vs unfused float64: rounding of reordered sums only"}
}

// spikingLayer is what the fused-vs-reference check needs of a spiking
// layer.
type spikingLayer interface {
	Params() []*autodiff.Param[float64]
	StateVars() []StateVar
	Sequence(tp *autodiff.Tape[float64], x *autodiff.Var[float64], init []*autodiff.Var[float64], steps, batch int, opt SeqOptions) Seq[float64]
	stepsReference(tp *autodiff.Tape[float64], x *autodiff.Var[float64], init []*autodiff.Var[float64], steps, batch int, opt SeqOptions) ([]*autodiff.Var[float64], []*autodiff.Var[float64])
}

// TestLIFFusedMatchesReference compares the fused LIF/ALIF op with its
// composition of primitive ops, whose reverse rules (Spike with every
// surrogate, Mul, MatMul, the clamp) are each checked against finite
// differences in autodiff. A finite difference of the whole layer would be
// zero almost everywhere (spikes do not move under small perturbations),
// so the surrogate gradient of the layer is checked through the reference.
// Values are compared exactly enough that a flipped spike would show.
func TestLIFFusedMatchesReference(t *testing.T) {
	t.Parallel()
	for _, c := range lifCases() {
		rng := rand.New(rand.NewPCG(1, 1))
		l, err := NewLIF[float64](c.lif, rng)
		if err != nil {
			t.Fatal(err)
		}
		for k := range l.bias.Value.Data {
			l.bias.Value.Data[k] = 0.3 * rng.NormFloat64()
		}
		for _, d := range []*autodiff.Param[float64]{l.beta, l.alpha, l.rho} {
			if d != nil && c.lif.TrainTau {
				for k := range d.Value.Data {
					d.Value.Data[k] = min(max(d.Value.Data[k]+0.05*rng.NormFloat64(), 0.05), 0.99)
				}
			}
		}
		checkFusedSpiking(t, c, l, c.lif.Inputs, c.lif.Units, rng)
	}
}

// checkFusedSpiking runs the fused and the unfused layer on the same problem
// and compares the loss, every gradient (parameters, inputs, initial
// membrane), the final states and the recorded states.
func checkFusedSpiking(t *testing.T, c spikeCase, l spikingLayer, in, n int, rng *rand.Rand) {
	t.Helper()
	x, coef, v0 := spikeFixture(rng, in, n, c.broadcast)
	opt := func() SeqOptions { return SeqOptions{Noise: noiseRNG(c.noise), Inactivation: c.inact, Record: true} }
	params := append(l.Params(), x, v0)
	var spikes, total int
	bad := gradcheck.RunFused(gradcheck.Case{
		Name:   c.name,
		Params: params,
		Tol:    exactTol(),
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			res := l.Sequence(tp, v[len(v)-2], []*autodiff.Var[float64]{v[len(v)-1]}, spikeSteps, testBatch, opt())
			spikes, total = spikeCount(res.Rates.Value.Data), len(res.Rates.Value.Data)
			return autodiff.Sum(autodiff.Mul(res.Rates, tp.Const(coef)))
		},
	}, func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
		rates, _ := l.stepsReference(tp, v[len(v)-2], []*autodiff.Var[float64]{v[len(v)-1]}, spikeSteps, testBatch, opt())
		return weightedSum(tp, rates, coef, testBatch)
	})
	for i, m := range bad {
		if i == 5 {
			break
		}
		t.Errorf("%s: %v", c.name, m)
	}
	if spikes == 0 || spikes == total {
		t.Errorf("%s: %d of %d entries spiked; the case checks nothing", c.name, spikes, total)
	}
	tp := autodiff.NewTape[float64]()
	res := l.Sequence(tp, tp.Param(x), []*autodiff.Var[float64]{tp.Param(v0)}, spikeSteps, testBatch, opt())
	tr := autodiff.NewTape[float64]()
	_, final := l.stepsReference(tr, tr.Param(x), []*autodiff.Var[float64]{tr.Param(v0)}, spikeSteps, testBatch, opt())
	names := l.StateVars()
	if len(res.Final) != len(names) || len(final) != len(names) || len(res.States) != len(names) {
		t.Fatalf("%s: %d finals, %d reference finals, %d records for %d state variables", c.name, len(res.Final), len(final), len(res.States), len(names))
	}
	for k, sv := range names {
		name := sv.Name
		if i, ok := allClose(res.Final[k].Data, final[k].Value.Data, 1e-12); !ok {
			t.Errorf("%s: final %s[%d]: fused %g, reference %g", c.name, name, i, res.Final[k].Data[i], final[k].Value.Data[i])
		}
		last := res.States[k].RowSlice((spikeSteps-1)*testBatch, spikeSteps*testBatch)
		if i, ok := allClose(last.Data, res.Final[k].Data, 0); !ok {
			t.Errorf("%s: recorded %s of the last step differs from the final state at %d", c.name, name, i)
		}
	}
}

// TestLIFStateVars checks the state variables each option adds.
func TestLIFStateVars(t *testing.T) {
	t.Parallel()
	cfg := LIFConfig{Inputs: 1, Units: 2, DtMS: 1, TauMemMS: 10, Threshold: 1, TauSynMS: 5, AdaptStrength: 1, TauAdaptMS: 100, RefractorySteps: 2}
	l, err := NewLIF[float32](cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range l.StateVars() {
		got = append(got, v.Name)
	}
	want := []string{"v", "i", "a", "z", "r"}
	if len(got) != len(want) {
		t.Fatalf("StateVars() = %v, want %v", got, want)
	}
	for k := range want {
		if got[k] != want[k] {
			t.Fatalf("StateVars() = %v, want %v", got, want)
		}
	}
}

// TestSpikeInputRepacks checks that the dense recurrent input, whose
// packing of W_effᵀ waits for the first dense step, uses the weights of the
// current call: a second prepare with other weights must not reuse the
// first call's packing.
func TestSpikeInputRepacks(t *testing.T) {
	t.Parallel()
	const n, rows = 64, 3
	rng := rand.New(rand.NewPCG(3, 5))
	w1, w2 := autodiff.NewTensor[float32](n, n), autodiff.NewTensor[float32](n, n)
	for k := range w1.Data {
		w1.Data[k], w2.Data[k] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
	}
	spikes := make([]float32, rows*n)
	for k := range spikes {
		if rng.Float64() < 0.5 {
			spikes[k] = 1
		}
	}
	var si spikeInput[float32]
	tp := autodiff.NewTape[float32]()
	for _, w := range []autodiff.Tensor[float32]{w1, w2} {
		si.prepare(tp, w, rows)
		si.sparseMax = -1
		got := make([]float32, rows*n)
		si.add(nil, 0, got, spikes, rows, spikeCount(spikes))
		for r := range rows {
			for i := range n {
				var want float64
				for j := range n {
					want += float64(spikes[r*n+j]) * float64(w.Data[i*n+j])
				}
				if d := math.Abs(float64(got[r*n+i]) - want); d > 1e-4*(1+math.Abs(want)) {
					t.Fatalf("row %d unit %d: %g, want %g", r, i, got[r*n+i], want)
				}
			}
		}
	}
}

// TestSpikeInputSparseMatchesDense checks that adding the rows of W_effᵀ of
// the units that spiked gives the dense GEMM's result.
func TestSpikeInputSparseMatchesDense(t *testing.T) {
	t.Parallel()
	const n, rows = 37, 5
	rng := rand.New(rand.NewPCG(3, 3))
	w := autodiff.NewTensor[float64](n, n)
	for k := range w.Data {
		w.Data[k] = rng.NormFloat64()
	}
	s := randMask(rng, rows*n, 0.1)
	spikes := make([]float64, rows*n)
	for k, on := range s {
		if on {
			spikes[k] = 1
		}
	}
	spikes[3] = 0.5 // an initial state need not be binary
	tp := autodiff.NewTape[float64]()
	var si spikeInput[float64]
	si.prepare(tp, w, rows)
	dense, sparse := make([]float64, rows*n), make([]float64, rows*n)
	si.sparseMax = -1
	si.add(nil, 0, dense, spikes, rows, spikeCount(spikes))
	si.sparseMax = rows * n
	si.add(nil, 0, sparse, spikes, rows, spikeCount(spikes))
	if k, ok := allClose(sparse, dense, 1e-13); !ok {
		t.Fatalf("sparse[%d] = %g, dense %g", k, sparse[k], dense[k])
	}
}

// spikingStep returns one forward and backward pass of a float32 spiking
// layer on a reused tape.
func spikingStep(l interface {
	Sequence(tp *autodiff.Tape[float32], x *autodiff.Var[float32], init []*autodiff.Var[float32], steps, batch int, opt SeqOptions) Seq[float32]
	Params() []*autodiff.Param[float32]
}, in, n, steps, batch int) func() {
	rng := rand.New(rand.NewPCG(4, 4))
	x, coef := randTensor32(rng, steps*batch, in), randTensor32(rng, steps*batch, n)
	tp := autodiff.NewTape[float32]()
	params := l.Params()
	return func() {
		for _, p := range params {
			p.ZeroGrad()
		}
		tp.Reset()
		res := l.Sequence(tp, tp.Const(x), nil, steps, batch, SeqOptions{})
		tp.Backward(autodiff.Sum(autodiff.Mul(res.Rates, tp.Const(coef))))
	}
}

// TestSpikingNoAllocs checks that a warmed-up forward and backward pass of
// the spiking layers allocates nothing, unsplit and split.
func TestSpikingNoAllocs(t *testing.T) {
	for _, batch := range []int{4, 16} {
		rng := rand.New(rand.NewPCG(1, 1))
		lif, err := NewLIF[float32](LIFConfig{Inputs: 4, Units: 48, DtMS: 1, TauMemMS: 10, Threshold: 1, TauSynMS: 5,
			AdaptStrength: 1, TauAdaptMS: 100, RefractorySteps: 1, TrainTau: true}, rng)
		if err != nil {
			t.Fatal(err)
		}
		ltc, err := NewLTC[float32](LTCConfig{Inputs: 4, Units: 48}, rng)
		if err != nil {
			t.Fatal(err)
		}
		// 64 units: the W_rec gradient's strips written by the backward loop.
		lif64, err := NewLIF[float32](LIFConfig{Inputs: 4, Units: 64, DtMS: 1, TauMemMS: 10, Threshold: 1}, rng)
		if err != nil {
			t.Fatal(err)
		}
		for name, step := range map[string]func(){
			"lif":    spikingStep(lif, 4, 48, 20, batch),
			"ltc":    spikingStep(ltc, 4, 48, 20, batch),
			"lif 64": spikingStep(lif64, 4, 64, 20, batch),
		} {
			step()
			step()
			// The least of three measurements (layertest.SteadyAllocs,
			// which this package cannot import): a step that allocates
			// does so every time; the runtime's wait records under load
			// come and go.
			a := testing.AllocsPerRun(5, step)
			for i := 1; i < 3 && a > 0; i++ {
				a = min(a, testing.AllocsPerRun(5, step))
			}
			if a != 0 {
				t.Errorf("%s batch %d: %v allocations per step, want 0", name, batch, a)
			}
		}
	}
}

var (
	_ Recurrent[float32] = (*LIF[float32])(nil)
	_ Recurrent[float32] = (*LTC[float32])(nil)
	_ Reference[float64] = (*LIF[float64])(nil)
	_ Reference[float64] = (*LTC[float64])(nil)
	_ Reporter[float32]  = (*LIF[float32])(nil)
	_ Reporter[float32]  = (*LTC[float32])(nil)
)

// TestSpikeFigures checks the activity figures on a hand-made raster,
// whole and as the sum of the tallies of its two halves.
func TestSpikeFigures(t *testing.T) {
	t.Parallel()
	// 4 steps·trials of 3 units; unit 2 never spikes, unit 1 only in the
	// second half; 3 spikes in 12.
	data := []float64{1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}
	tp := autodiff.NewTape[float64]()
	whole, ok := spikeTally(tp.Const(autodiff.FromSlice(4, 3, data)), nil, 20)
	if !ok {
		t.Fatal("no tally")
	}
	var halves Tally
	for _, h := range [][]float64{data[:6], data[6:]} {
		u, _ := spikeTally(tp.Const(autodiff.FromSlice(2, 3, h)), nil, 20)
		halves.Add(u)
	}
	want := []Figure{{"rate_hz", 3.0 / 12 * 1000 / 20}, {"silent_units", 1.0 / 3}, {"activity_sparsity", 1 - 3.0/12}}
	for _, tl := range []Tally{whole, halves} {
		got := tl.Figures()
		if len(got) != len(want) {
			t.Fatalf("figures %v, want %v", got, want)
		}
		for k := range want {
			if got[k].Name != want[k].Name || math.Abs(got[k].Value-want[k].Value) > 1e-12 {
				t.Errorf("figure %d = %v, want %v", k, got[k], want[k])
			}
		}
	}
	// As 2 steps of 2 trials, the second ending after its first step:
	// its last row [1 0 0] is padding.
	short, _ := spikeTally(tp.Const(autodiff.FromSlice(4, 3, data)), []int{2, 1}, 20)
	if short.UnitSteps != 9 || !slices.Equal(short.Spikes, []float64{1, 1, 0}) {
		t.Errorf("with lengths [2 1]: %v unit-steps, spikes %v; want 9, [1 1 0]", short.UnitSteps, short.Spikes)
	}
	whole.DtMS = 0
	if f := whole.Figures(); len(f) != 3 || f[0] != (Figure{"rate_per_step", 3.0 / 12}) || f[1].Name != "silent_units" {
		t.Errorf("without dt: %v, want rate_per_step, silent_units and activity_sparsity", f)
	}
}

// TestSpikeInputGather32 checks the float32 path (kernels.SparseGather)
// against the dense GEMM, for both batch halves' buffers.
func TestSpikeInputGather32(t *testing.T) {
	t.Parallel()
	const n, rows = 45, 3
	rng := rand.New(rand.NewPCG(8, 8))
	w := autodiff.NewTensor[float32](n, n)
	for k := range w.Data {
		w.Data[k] = float32(rng.NormFloat64())
	}
	spikes := make([]float32, rows*n)
	for k, on := range randMask(rng, rows*n, 0.1) {
		if on {
			spikes[k] = 1
		}
	}
	var si spikeInput[float32]
	si.prepare(autodiff.NewTape[float32](), w, rows)
	dense := make([]float32, rows*n)
	si.sparseMax = -1
	si.add(nil, 0, dense, spikes, rows, 1)
	for part := range 2 {
		sparse := make([]float32, rows*n)
		si.sparseMax = rows * n
		si.add(nil, part, sparse, spikes, rows, 1)
		for k := range sparse {
			if d := sparse[k] - dense[k]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("part %d: sparse[%d] = %g, dense %g", part, k, sparse[k], dense[k])
			}
		}
	}
}

// TestALIFStepMatchesGeneralLoop runs the adaptive LIF through its own
// loops (kernels.ALIFStep, then kernels.ALIFBack or alifBackStep) and the
// plain LIF through its own (kernels.LIFStep, then kernels.LIFBack* or
// plainBackStep, which keep no membrane before the reset with the
// subtractive one) and, with
// an inactivation that never applies, through the general loops, in
// float32. The forward pass must give the same bits; so must the backward
// pass where alifBackStep runs (the general loop's operations), while
// kernels.ALIFBack (the detached subtractive reset with the fast-sigmoid or
// arctangent surrogate) takes the surrogate's derivative in float32 rather
// than float64 and must agree to 1e-5 of each gradient's scale.
func TestALIFStepMatchesGeneralLoop(t *testing.T) {
	const n, in, steps, batch = 32, 3, 12, 6
	for _, c := range []struct {
		reset    Reset
		resetG   bool
		surr     surrogate.Surrogate
		trainTau bool
		vector   bool
	}{{ResetSubtract, false, nil, false, true}, {ResetSubtract, false, surrogate.FastSigmoid{Slope: 10}, true, true},
		{ResetSubtract, true, surrogate.FastSigmoid{Slope: 10}, true, false}, {ResetZero, false, surrogate.Triangle{}, true, false},
		{ResetZero, true, nil, false, false}} {
		for _, adapt := range []float64{0.8, 0} {
			cfg := LIFConfig{Inputs: in, Units: n, DtMS: 1, TauMemMS: 10, Threshold: 0.5, TrainTau: c.trainTau,
				AdaptStrength: adapt, TauAdaptMS: 30, Reset: c.reset,
				SpikeOptions: SpikeOptions{Radius: 1.5, InputGain: 2, Surrogate: Surrogate{c.surr}, ResetGrad: c.resetG}}
			rng := rand.New(rand.NewPCG(7, 7))
			l, err := NewLIF[float32](cfg, rng)
			if err != nil {
				t.Fatal(err)
			}
			x, coef := randTensor32(rng, steps*batch, in), randTensor32(rng, steps*batch, n)
			never := &Inactivation{Units: make([]bool, n), From: steps + 1}
			run := func(m *Inactivation) (values, grads [][]float32, spikes int) {
				values, grads = runSpiking32(l, x, coef, steps, batch, m)
				return values, grads, spikeCount(values[0])
			}
			ownV, ownG, spikes := run(nil)
			genV, genG, _ := run(never)
			if spikes == 0 || spikes == steps*batch*n {
				t.Fatalf("%+v: %d spikes; the case checks nothing", c, spikes)
			}
			for k := range ownV {
				if i := firstDiff(ownV[k], genV[k], 0); i >= 0 {
					t.Errorf("%+v adapt %g: value %d differs at %d: %g (own loop) vs %g (general loop)", c, adapt, k, i, ownV[k][i], genV[k][i])
				}
			}
			for k := range ownG {
				tol := 0.0
				if c.vector {
					tol = 1e-5
				}
				if i := firstDiff(ownG[k], genG[k], tol); i >= 0 {
					t.Errorf("%+v adapt %g: gradient %d differs at %d: %g (own loop) vs %g (general loop)", c, adapt, k, i, ownG[k][i], genG[k][i])
				}
			}
		}
	}
}

// firstDiff returns the first index where a and b differ by more than tol
// times the largest |b|, or (tol 0) in their bits, and −1 if none does.
func firstDiff(a, b []float32, tol float64) int {
	scale := 0.0
	for _, v := range b {
		scale = max(scale, math.Abs(float64(v)))
	}
	for i := range a {
		if tol == 0 && math.Float32bits(a[i]) != math.Float32bits(b[i]) || math.Abs(float64(a[i]-b[i])) > tol*scale {
			return i
		}
	}
	return -1
}

// runSpiking32 runs l over x [steps·batch, I] with the inactivation m,
// backpropagates Σ coef⊙spikes and returns the spikes and recorded states,
// then the gradients of x and of every parameter (copies).
func runSpiking32(l interface {
	Sequence(tp *autodiff.Tape[float32], x *autodiff.Var[float32], init []*autodiff.Var[float32], steps, batch int, opt SeqOptions) Seq[float32]
	Params() []*autodiff.Param[float32]
}, x, coef autodiff.Tensor[float32], steps, batch int, m *Inactivation) (values, grads [][]float32) {
	for _, p := range l.Params() {
		p.ZeroGrad()
	}
	tp := autodiff.NewTape[float32]()
	xp := autodiff.NewParam[float32]("x", x.Rows, x.Cols)
	copy(xp.Value.Data, x.Data)
	xv := tp.Param(xp)
	res := l.Sequence(tp, xv, nil, steps, batch, SeqOptions{Inactivation: m, Record: true})
	tp.Backward(autodiff.Sum(autodiff.Mul(res.Rates, tp.Const(coef))))
	values = append(values, res.Rates.Value.Data)
	for _, s := range res.States {
		values = append(values, s.Data)
	}
	grads = append(grads, xv.Grad.Data)
	for _, p := range l.Params() {
		grads = append(grads, append([]float32(nil), p.Grad.Data...))
	}
	return values, grads
}

// randTensor32 returns a [rows×cols] tensor of standard normal draws.
func randTensor32(rng *rand.Rand, rows, cols int) autodiff.Tensor[float32] {
	t := autodiff.NewTensor[float32](rows, cols)
	for k := range t.Data {
		t.Data[k] = float32(rng.NormFloat64())
	}
	return t
}

// TestLIFFloat32WeightGradient checks the float32 LIF at widths whose W_rec
// gradient runs on the sparse strip sums fed by the backward loop
// (spikeOp.packDP: N a multiple of 64, blocks of gradRows rows with a short
// last one, the batch split in two), plain, adaptive and with a synaptic
// current (the general loop), against the same layer in float64, whose
// gradient is a dense GEMM: the spikes must agree exactly and every
// gradient to 2e-4 of its scale. The odd batch of 9 splits into halves of
// 4 and 5 rows, whose reverse-loop sums of the input weights' and bias's
// gradients must fit the larger half.
func TestLIFFloat32WeightGradient(t *testing.T) {
	const in, steps = 3, 25
	for _, c := range []struct {
		name  string
		n     int
		cfg   func(*LIFConfig)
		halfs bool // initial spikes of 0.5: the first step's rows are not binary
		batch int  // 16: 400 rows, blocks of 128, 128, 128 and 16
	}{
		{"plain", 64, func(*LIFConfig) {}, false, 16},
		{"plain, initial spikes of 0.5", 64, func(*LIFConfig) {}, true, 16},
		{"adaptive", 128, func(c *LIFConfig) { c.AdaptStrength, c.TauAdaptMS = 0.5, 50 }, false, 16},
		{"synaptic", 64, func(c *LIFConfig) { c.TauSynMS = 4 }, false, 16},
		{"plain, odd batch", 64, func(*LIFConfig) {}, false, 9},
	} {
		batch := c.batch
		cfg := LIFConfig{Inputs: in, Units: c.n, DtMS: 1, TauMemMS: 10, Threshold: 1,
			SpikeOptions: SpikeOptions{Radius: 0.5, InputGain: 3}}
		c.cfg(&cfg)
		l32, err := NewLIF[float32](cfg, rand.New(rand.NewPCG(2, 2)))
		if err != nil {
			t.Fatal(err)
		}
		l64, err := NewLIF[float64](cfg, rand.New(rand.NewPCG(2, 2)))
		if err != nil {
			t.Fatal(err)
		}
		for k, p := range l32.Params() {
			for i, v := range p.Value.Data {
				l64.Params()[k].Value.Data[i] = float64(v)
			}
		}
		rng := rand.New(rand.NewPCG(3, 3))
		x32, coef32 := randTensor32(rng, steps*batch, in), randTensor32(rng, steps*batch, c.n)
		x64, coef64 := autodiff.NewTensor[float64](x32.Rows, x32.Cols), autodiff.NewTensor[float64](coef32.Rows, coef32.Cols)
		for i, v := range x32.Data {
			x64.Data[i] = float64(v)
		}
		for i, v := range coef32.Data {
			coef64.Data[i] = float64(v)
		}
		tp32, tp64 := autodiff.NewTape[float32](), autodiff.NewTape[float64]()
		var init32 []*autodiff.Var[float32]
		var init64 []*autodiff.Var[float64]
		if c.halfs {
			z32, z64 := autodiff.NewTensor[float32](batch, c.n), autodiff.NewTensor[float64](batch, c.n)
			for i := 0; i < len(z32.Data); i += 3 {
				z32.Data[i], z64.Data[i] = 0.5, 0.5
			}
			init32 = []*autodiff.Var[float32]{nil, tp32.Const(z32)}
			init64 = []*autodiff.Var[float64]{nil, tp64.Const(z64)}
		}
		r32 := l32.Sequence(tp32, tp32.Const(x32), init32, steps, batch, SeqOptions{})
		r64 := l64.Sequence(tp64, tp64.Const(x64), init64, steps, batch, SeqOptions{})
		spikes := 0
		for i, v := range r32.Rates.Value.Data {
			if float64(v) != r64.Rates.Value.Data[i] {
				t.Fatalf("%s: spike %d is %v in float32, %v in float64", c.name, i, v, r64.Rates.Value.Data[i])
			}
			if v != 0 {
				spikes++
			}
		}
		if act := float64(spikes) / float64(len(r32.Rates.Value.Data)); act < 0.02 || act > 0.3 {
			t.Fatalf("%s: activity %.3f misses the sparse weight gradient", c.name, act)
		}
		tp32.Backward(autodiff.Sum(autodiff.Mul(r32.Rates, tp32.Const(coef32))))
		tp64.Backward(autodiff.Sum(autodiff.Mul(r64.Rates, tp64.Const(coef64))))
		for k, p := range l32.Params() {
			want := l64.Params()[k].Grad.Data
			got := make([]float32, len(want))
			w32 := make([]float32, len(want))
			for i := range want {
				got[i], w32[i] = p.Grad.Data[i], float32(want[i])
			}
			if i := firstDiff(got, w32, 2e-4); i >= 0 {
				t.Errorf("%s: %s gradient [%d] = %v in float32, %v in float64", c.name, p.Name, i, got[i], want[i])
			}
		}
	}
}
