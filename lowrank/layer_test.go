package lowrank_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/layers/layertest"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/train"
)

const allLowRank = lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI | lowrank.ParamSI |
	lowrank.ParamWO | lowrank.ParamSO | lowrank.ParamB | lowrank.ParamH0

// lowRankLayer builds a float64 layer with every parameter trained and
// non-trivial values for the ones the library starts at 0 or 1.
func lowRankLayer(rng *rand.Rand, cfg lowrank.LayerConfig) *lowrank.Layer[float64] {
	l, err := lowrank.NewLayer[float64]("lr", cfg, rng)
	if err != nil {
		panic(err)
	}
	l.SetTrained(allLowRank)
	for _, p := range []*autodiff.Param[float64]{l.SI, l.B, l.H0} {
		for i := range p.Value.Data {
			p.Value.Data[i] += 0.3 * rng.NormFloat64()
		}
	}
	return l
}

type lowRankCase struct {
	name string
	cfg  lowrank.LayerConfig
	opt  func() layers.SeqOptions
	h0   int // rows of the initial state: batch or 1
}

func lowRankCases() []lowRankCase {
	base := lowrank.LayerConfig{Inputs: 2, Hidden: 5, Rank: 2, Alpha: 0.3, NoiseStd: 0.1}
	with := func(f func(*lowrank.LayerConfig)) lowrank.LayerConfig { c := base; f(&c); return c }
	none := func() layers.SeqOptions { return layers.SeqOptions{} }
	units := []bool{false, true, false, false, true}
	return []lowRankCase{
		{"tanh-rates", base, none, 3},
		{"phi-rates", with(func(c *lowrank.LayerConfig) { c.Rates = lowrank.RatesPhi }), none, 1},
		{"state-rates-identity", with(func(c *lowrank.LayerConfig) { c.Rates = lowrank.RatesState; c.Activation = layers.Identity }), none, 3},
		// ReLU's kink: no pre-activation of these seeds lies within the
		// finite-difference step 1e-6 of 0, so central differences see a
		// smooth function.
		{"relu-phi", with(func(c *lowrank.LayerConfig) { c.Activation = layers.ReLU; c.Rates = lowrank.RatesPhi }), none, 1},
		{"softplus-phi", with(func(c *lowrank.LayerConfig) { c.Activation = layers.Softplus; c.Rates = lowrank.RatesPhi }), none, 3},
		{"rank-3", with(func(c *lowrank.LayerConfig) { c.Rank = 3; c.Rates = lowrank.RatesState }), none, 1},
		{"noise", base, func() layers.SeqOptions { return layers.SeqOptions{Noise: rand.New(rand.NewPCG(4, 4))} }, 3},
		{"silence-phi", with(func(c *lowrank.LayerConfig) { c.Rates = lowrank.RatesPhi }), func() layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: units, From: 1, To: 3, Silence: true}}
		}, 3},
		{"silence-state", with(func(c *lowrank.LayerConfig) { c.Rates = lowrank.RatesState }), func() layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: units, From: 2, Silence: true}}
		}, 1},
		{"clamp", base, func() layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: units, From: 1, To: 3, Clamp: true, ClampValue: 0.4}}
		}, 3},
	}
}

func lowRankProblem(seed uint64, c lowRankCase, steps, batch int) (*lowrank.Layer[float64], *layertest.Problem) {
	rng := rand.New(rand.NewPCG(seed, 2))
	l := lowRankLayer(rng, c.cfg)
	h0 := batch
	if c.h0 == 1 {
		h0 = 1
	}
	p := layertest.NewProblem(rng, l.Params(), steps, batch, c.cfg.Inputs, c.cfg.Hidden, h0)
	p.Opt = c.opt
	return l, p
}

func TestLowRankFusedMatchesReference(t *testing.T) {
	for i, c := range lowRankCases() {
		t.Run(c.name, func(t *testing.T) {
			l, p := lowRankProblem(uint64(i+1), c, 5, 3)
			layertest.CheckFusedVsReference(t, p, l.Run, l.SequenceReference)
		})
	}
}

// TestLowRankSplitMatchesReference runs every case at a size whose batch
// the fused op splits between two goroutines (an odd batch, so the halves
// differ), against the unfused reference.
func TestLowRankSplitMatchesReference(t *testing.T) {
	const n, steps, batch = 64, 64, 5
	for i, c := range lowRankCases() {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Hidden = n
			c.opt = layertest.WidenMask(c.opt, n)
			l, p := lowRankProblem(uint64(i+40), c, steps, batch)
			layertest.CheckFusedVsReference(t, p, l.Run, l.SequenceReference)
		})
	}
}

func TestLowRankGradcheck(t *testing.T) {
	for i, c := range lowRankCases() {
		l, p := lowRankProblem(uint64(i+20), c, 4, 2)
		gradcheck.Check(t, gradcheck.Case{Name: "Layer.Run/" + c.name, Params: p.Params, Loss: p.Loss(l.Run)})
		gradcheck.Check(t, gradcheck.Case{Name: "LowRank.SequenceReference/" + c.name, Params: p.Params, Loss: p.Loss(l.SequenceReference)})
	}
}

func TestLowRankReadoutGradcheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	cfg := lowrank.LayerConfig{Inputs: 2, Hidden: 6, Outputs: 2, Rank: 1, Alpha: 0.2}
	l := lowRankLayer(rng, cfg)
	for _, p := range []*autodiff.Param[float64]{l.SO} {
		for i := range p.Value.Data {
			p.Value.Data[i] += 0.3 * rng.NormFloat64()
		}
	}
	const steps, batch = 3, 2
	x := layertest.RandParam(rng, "x", steps*batch, 2, 1)
	proj := layertest.RandParam(rng, "proj", steps*batch, 2, 1).Value
	gradcheck.Check(t, gradcheck.Case{
		Name:   "Layer.Readout",
		Params: append([]*autodiff.Param[float64]{x}, l.Params()...),
		Loss: func(tp *autodiff.Tape[float64], v []*autodiff.Var[float64]) *autodiff.Var[float64] {
			rates, _ := l.Run(tp, v[0], l.InitialState(tp), steps, batch, layers.SeqOptions{})
			return autodiff.Sum(autodiff.Mul(l.Readout(tp, rates), tp.Const(proj)))
		},
	})
	// z = tanh(h)·(wo ⊙ so)/N, element by element.
	tp := autodiff.NewTape[float64]()
	rates, _ := l.Run(tp, tp.Const(x.Value), l.InitialState(tp), steps, batch, layers.SeqOptions{})
	z := l.Readout(tp, rates)
	for i := 0; i < steps*batch; i++ {
		for o := 0; o < 2; o++ {
			var want float64
			for j := 0; j < 6; j++ {
				want += rates.Value.At(i, j) * l.WO.Value.At(j, o) * l.SO.Value.Data[o] / 6
			}
			if got := z.Value.At(i, o); math.Abs(got-want) > 1e-14 {
				t.Errorf("z[%d,%d]: got %v want %v", i, o, got, want)
			}
		}
	}
}

// TestLowRankBenchModel runs the configuration of the bench's torch model
// (shared/bench/torch_rnn_bench.py, LowRankRNN.forward):
//
//	h = h + a·(−h + (tanh(h)·n)·mᵀ/N + x_t·Uᵀ);  readout of h
//
// and compares with that loop written out element by element.
func TestLowRankBenchModel(t *testing.T) {
	const steps, batch, n, r, in, alpha = 6, 3, 7, 2, 4, 0.2
	rng := rand.New(rand.NewPCG(2, 3))
	l, err := lowrank.NewLayer[float64]("lowrank", lowrank.LayerConfig{Inputs: in, Hidden: n, Rank: r, Alpha: alpha, Rates: lowrank.RatesState}, rng)
	if err != nil {
		t.Fatal(err)
	}
	l.SetTrained(lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI)
	if got := len(l.Params()); got != 6 {
		t.Errorf("params without outputs: got %d want 6 (m, n, wi, si, b, h0)", got)
	}
	x := layertest.RandParam(rng, "x", steps*batch, in, 1).Value
	tp := autodiff.NewTape[float64]()
	rates, final := l.Run(tp, tp.Const(x), tp.Const(autodiff.NewTensor[float64](batch, n)), steps, batch, layers.SeqOptions{})
	m, nv, u := l.M.Value, l.N.Value, l.WI.Value // U = wiᵀ
	h := make([]float64, batch*n)
	for s := 0; s < steps; s++ {
		next := make([]float64, batch*n)
		for b := 0; b < batch; b++ {
			var k [r]float64
			for q := range r {
				for j := range n {
					k[q] += math.Tanh(h[b*n+j]) * nv.At(j, q)
				}
			}
			for i := range n {
				drive := -h[b*n+i]
				for q := range r {
					drive += k[q] * m.At(i, q) / n
				}
				for c := range in {
					drive += x.At(s*batch+b, c) * u.At(c, i)
				}
				next[b*n+i] = h[b*n+i] + alpha*drive
			}
		}
		h = next
		for k, want := range h {
			if got := rates.Value.Data[s*batch*n+k]; math.Abs(got-want) > 1e-12 {
				t.Fatalf("step %d element %d: got %v want %v", s, k, got, want)
			}
		}
	}
	if layertest.CloseTo(final.Data, h, 1e-12) >= 0 {
		t.Errorf("final state differs from the loop's last h")
	}
}

func TestLowRankFrozen(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 1))
	cfg := lowrank.LayerConfig{Inputs: 3, Hidden: 8, Outputs: 2, Rank: 2, Alpha: 0.2}
	l, err := lowrank.NewLayer[float32]("lr", cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Trained(); got != lowrank.LibraryTrained {
		t.Fatalf("default trained set: got %b want %b", got, lowrank.LibraryTrained)
	}
	before := map[string][]float32{}
	for _, p := range l.Params() {
		before[p.Name] = append([]float32(nil), p.Value.Data...)
	}
	const steps, batch = 5, 2
	x := autodiff.NewTensor[float32](steps*batch, 3)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	tp := autodiff.NewTape[float32]()
	rates, _ := l.Run(tp, tp.Const(x), l.InitialState(tp), steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Sum(l.Readout(tp, rates)))
	var adam train.Adam
	adam.Step(l.Params(), 1e-2)
	trained := map[string]bool{"lr.m": true, "lr.n": true, "lr.si": true, "lr.so": true}
	for _, p := range l.Params() {
		gradZero := layertest.CloseTo(f64(p.Grad.Data), make([]float64, p.Grad.Len()), 0) < 0
		changed := layertest.CloseTo(f64(p.Value.Data), f64(before[p.Name]), 0) >= 0
		if trained[p.Name] != !p.Frozen || gradZero == trained[p.Name] || changed != trained[p.Name] {
			t.Errorf("%s: frozen=%v zero gradient=%v changed by Adam=%v, want trained=%v", p.Name, p.Frozen, gradZero, changed, trained[p.Name])
		}
	}
}

func f64(s []float32) []float64 {
	out := make([]float64, len(s))
	for i, v := range s {
		out[i] = float64(v)
	}
	return out
}

func TestLowRankInactivation(t *testing.T) {
	cfg := lowrank.LayerConfig{Inputs: 2, Hidden: 5, Rank: 2, Alpha: 0.3, Rates: lowrank.RatesPhi}
	units := []bool{true, false, false, true, false}
	for _, m := range []layers.Inactivation{
		{Units: units, From: 1, To: 4, Silence: true},
		{Units: units, From: 1, To: 4, Clamp: true, ClampValue: 0.7},
	} {
		l, p := lowRankProblem(11, lowRankCase{cfg: cfg, h0: 3}, 6, 3)
		p.Opt = func() layers.SeqOptions { return layers.SeqOptions{Inactivation: &m} }
		// With b = 0 and φ = tanh, a clamped unit's rate is tanh(0.7).
		l.B.Value.Zero()
		tp := autodiff.NewTape[float64]()
		rates, final := l.Run(tp, tp.Const(p.X.Value), tp.Const(p.H0.Value), p.Steps, p.Batch, p.Opt())
		want := 0.0
		if m.Clamp {
			want = math.Tanh(0.7)
		}
		for s := 0; s < p.Steps; s++ {
			for b := 0; b < p.Batch; b++ {
				for j, u := range units {
					v := rates.Value.At(s*p.Batch+b, j)
					if held := u && m.Active(s); held != (math.Abs(v-want) < 1e-15) {
						t.Errorf("%+v: step %d unit %d: rate %v, held=%v", m, s, j, v, held)
					}
				}
			}
		}
		if m.Clamp && final.At(0, 0) == 0.7 {
			t.Errorf("clamp: state still held after the window")
		}
	}
}

func TestLowRankLatent(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cfg := lowrank.LayerConfig{Inputs: 2, Hidden: 40, Rank: 2, Alpha: 0.2}
	l, err := lowrank.NewLayer[float64]("lr", cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	l.SI.Value.Data[1] = 2
	// States built as κ·mᵀ + v·W_in_full must be decomposed exactly.
	const rows = 4
	kappa, v := layertest.RandParam(rng, "k", rows, 2, 1).Value, layertest.RandParam(rng, "v", rows, 2, 1).Value
	states := autodiff.NewTensor[float64](rows, 40)
	for i := range rows {
		for j := range 40 {
			s := 0.0
			for q := range 2 {
				s += kappa.At(i, q)*l.M.Value.At(j, q) + v.At(i, q)*l.SI.Value.Data[q]*l.WI.Value.At(q, j)
			}
			states.Set(i, j, s)
		}
	}
	gk, gv := autodiff.NewTensor[float64](rows, 2), autodiff.NewTensor[float64](rows, 2)
	if err := l.ProjectTo(gk, gv, states); err != nil {
		t.Fatal(err)
	}
	if i := layertest.CloseTo(gk.Data, kappa.Data, 1e-10); i >= 0 {
		t.Errorf("κ[%d]: got %v want %v", i, gk.Data[i], kappa.Data[i])
	}
	if i := layertest.CloseTo(gv.Data, v.Data, 1e-10); i >= 0 {
		t.Errorf("v[%d]: got %v want %v", i, gv.Data[i], v.Data[i])
	}
	// KappaTo is nᵀ·tanh(h)/N.
	l.KappaTo(gk, states)
	for i := range rows {
		for q := range 2 {
			want := 0.0
			for j := range 40 {
				want += l.N.Value.At(j, q) * math.Tanh(states.At(i, j)) / 40
			}
			if math.Abs(gk.At(i, q)-want) > 1e-14 {
				t.Errorf("KappaTo[%d,%d]: got %v want %v", i, q, gk.At(i, q), want)
			}
		}
	}
	// Dependent vectors: an input vector equal to m_1.
	for j := range 40 {
		l.WI.Value.Set(0, j, l.M.Value.At(j, 0))
	}
	l.SI.Value.Data[0] = 1
	if err := l.ProjectTo(gk, gv, states); err == nil {
		t.Errorf("ProjectTo with dependent vectors: got nil error")
	}
}

func TestLowRankConfigValidate(t *testing.T) {
	good := lowrank.LayerConfig{Inputs: 1, Hidden: 4, Rank: 4, Alpha: 1}
	if err := good.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	for _, bad := range []lowrank.LayerConfig{
		{Inputs: 0, Hidden: 4, Rank: 1, Alpha: 0.2},
		{Inputs: 1, Hidden: 4, Rank: 5, Alpha: 0.2},
		{Inputs: 1, Hidden: 4, Rank: 1, Alpha: 0},
		{Inputs: 1, Hidden: 4, Rank: 1, Alpha: 0.2, NoiseStd: math.NaN()},
		{Inputs: 1, Hidden: 4, Rank: 1, Alpha: 0.2, Rates: 7},
	} {
		if _, err := lowrank.NewLayer[float32]("lr", bad, rand.New(rand.NewPCG(1, 1))); err == nil {
			t.Errorf("%+v: got nil error", bad)
		}
	}
	var r lowrank.Rates
	if err := r.UnmarshalText([]byte("state")); err != nil || r != lowrank.RatesState {
		t.Errorf("UnmarshalText(state): got %v, %v", r, err)
	}
	if err := r.UnmarshalText([]byte("sigmoid")); err == nil {
		t.Errorf("UnmarshalText(sigmoid): got nil error")
	}
	// A value that is none of the constants is named as such and cannot
	// be written to a config that would not read back.
	if b, err := lowrank.Rates(7).MarshalText(); err == nil {
		t.Errorf("Rates(7).MarshalText() = %q, nil, want an error", b)
	}
	if got, want := lowrank.Rates(7).String(), "Rates(7)"; got != want {
		t.Errorf("Rates(7).String() = %q, want %q", got, want)
	}
}

func TestLowRankSequenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const steps, batch, n = 20, 4, 16
	cfg := lowrank.LayerConfig{Inputs: 3, Hidden: n, Outputs: 2, Rank: 2, Alpha: 0.2, NoiseStd: 0.05}
	l, err := lowrank.NewLayer[float32]("lr", cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	l.SetTrained(lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI | lowrank.ParamB | lowrank.ParamH0)
	x := autodiff.NewTensor[float32](steps*batch, 3)
	tp := autodiff.NewTape[float32]()
	opt := layers.SeqOptions{Noise: rand.New(rand.NewPCG(3, 3)), Inactivation: &layers.Inactivation{Units: make([]bool, n), Clamp: true}}
	step := func() {
		tp.Reset()
		rates, _ := l.Run(tp, tp.Const(x), l.InitialState(tp), steps, batch, opt)
		tp.Backward(autodiff.Sum(l.Readout(tp, rates)))
	}
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("low-rank sequence and readout, forward+backward: got %v allocations per run, want 0", a)
	}
}

func ExampleLayer() {
	rng := rand.New(rand.NewPCG(1, 1))
	cfg := lowrank.LayerConfig{Inputs: 4, Hidden: 128, Outputs: 2, Rank: 2, Alpha: 0.2}
	l, err := lowrank.NewLayer[float64]("lowrank", cfg, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	const steps, batch = 50, 8
	x := autodiff.NewTensor[float64](steps*batch, cfg.Inputs)
	for i := range x.Data {
		x.Data[i] = math.Cos(float64(i) / 7)
	}
	tp := autodiff.NewTape[float64]()
	rates, final := l.Run(tp, tp.Const(x), l.InitialState(tp), steps, batch, layers.SeqOptions{})
	z := l.Readout(tp, rates)
	tp.Backward(autodiff.Sum(z))
	kappa := autodiff.NewTensor[float64](batch, cfg.Rank)
	l.KappaTo(kappa, final)
	fmt.Println("outputs", z.Value.Shape(), "κ", kappa.Shape())
	for _, p := range l.Params() {
		fmt.Println(p.Name, p.Value.Shape(), "trained:", !p.Frozen)
	}
	// Output:
	// outputs [400 2] κ [8 2]
	// lowrank.m [128 2] trained: true
	// lowrank.n [128 2] trained: true
	// lowrank.wi [4 128] trained: false
	// lowrank.si [1 4] trained: true
	// lowrank.wo [128 2] trained: false
	// lowrank.so [1 2] trained: true
	// lowrank.b [1 128] trained: false
	// lowrank.h0 [1 128] trained: false
}

// BenchmarkLowRankSequence times one forward and backward pass in float32 of
// the bench's low-rank model (N=256, B=64, T=100, R=2, I=4).
func BenchmarkLowRankSequence(b *testing.B) {
	const steps, batch = 100, 64
	cfg := lowrank.LayerConfig{Inputs: 4, Hidden: 256, Rank: 2, Alpha: 0.2, Rates: lowrank.RatesState}
	rng := rand.New(rand.NewPCG(1, 1))
	l, err := lowrank.NewLayer[float32]("lowrank", cfg, rng)
	if err != nil {
		b.Fatal(err)
	}
	l.SetTrained(lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI)
	x := autodiff.NewTensor[float32](steps*batch, cfg.Inputs)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	h0 := autodiff.NewTensor[float32](1, cfg.Hidden)
	tp := autodiff.NewTape[float32]()
	step := func() {
		tp.Reset()
		rates, _ := l.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, layers.SeqOptions{})
		tp.Backward(autodiff.Sum(rates))
	}
	step() // grow the tape's arena outside the timing
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// TestLowRankSplitAllocs checks that a call split between two goroutines
// (no noise, large enough) allocates nothing in steady state either.
func TestLowRankSplitAllocs(t *testing.T) {
	const steps, batch, n = 64, 8, 64
	cfg := lowrank.LayerConfig{Inputs: 4, Hidden: n, Rank: 2, Alpha: 0.2, Rates: lowrank.RatesState}
	l, err := lowrank.NewLayer[float32]("lr", cfg, rand.New(rand.NewPCG(1, 3)))
	if err != nil {
		t.Fatal(err)
	}
	l.SetTrained(lowrank.ParamM | lowrank.ParamN | lowrank.ParamWI)
	x := autodiff.NewTensor[float32](steps*batch, 4)
	tp := autodiff.NewTape[float32]()
	step := func() {
		tp.Reset()
		rates, _ := l.Run(tp, tp.Const(x), l.InitialState(tp), steps, batch, layers.SeqOptions{})
		tp.Backward(autodiff.Sum(rates))
	}
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("split low-rank sequence, forward+backward: got %v allocations per run, want 0", a)
	}
}

// TestFloat32MatchesFloat64 checks the float32 path (its own fast tanh)
// against float64 on the same weights.
func TestFloat32MatchesFloat64(t *testing.T) {
	const steps, batch, inputs, n = 6, 3, 2, 8
	cfg := lowrank.LayerConfig{Inputs: inputs, Hidden: n, Rank: 2, Alpha: 0.2, Rates: lowrank.RatesTanh}
	l64, err := lowrank.NewLayer[float64]("lr", cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	l32, _ := lowrank.NewLayer[float32]("lr", cfg, rand.New(rand.NewPCG(2, 2)))
	for _, l := range []interface{ SetTrained(lowrank.ParamSet) }{l64, l32} {
		l.SetTrained(allLowRank)
	}
	layertest.CopyParams(l32.Params(), l64.Params())
	layertest.ComparePrecisions(t, "LowRank", layertest.PrecisionRun[float32]{Params: l32.Params(), Seq: l32.Run}, layertest.PrecisionRun[float64]{Params: l64.Params(), Seq: l64.Run}, steps, batch, inputs, n)
}
