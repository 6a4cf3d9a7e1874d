package rnntest

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/layers/layertest"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
)

// The suite's sizes: small enough for finite differences over every weight,
// with inputs for the models that need them.
const (
	inputs, hidden, outputs = 3, 6, 2
	steps, batch            = 6, 3
	window                  = 2 // truncated-BPTT window; divides steps
	// bigBatch is large enough for the fused ops to split the batch between
	// two goroutines even in one window (window·bigBatch·hidden ≥ 2^14, the
	// layers' threshold).
	bigBatch = 1408
)

// Conform runs the conformance suite on the model m, each check a subtest
// (see the package documentation). The subtests run one after another: the
// allocation count needs the process to itself, so the calling test must
// not be parallel either.
func Conform(t *testing.T, m layers.Model) {
	t.Helper()
	t.Run("gradcheck", func(t *testing.T) { checkGradient(t, m) })
	t.Run("truncated_bptt", func(t *testing.T) { checkTruncation(t, m) })
	t.Run("allocs", func(t *testing.T) { checkAllocs(t, m) })
	t.Run("silence", func(t *testing.T) { checkSilence(t, m) })
	t.Run("round_trips", func(t *testing.T) { checkRoundTrips(t, m) })
	t.Run("record", func(t *testing.T) { checkRecord(t, m) })
	t.Run("determinism", func(t *testing.T) { checkDeterminism(t, m) })
	t.Run("reference", func(t *testing.T) { checkReference(t, m) })
	t.Run("step_map", func(t *testing.T) { CheckStepMap(t, checkConfig(m)) })
}

// config returns m's default configuration at the suite's sizes.
func config(m layers.Model) rnn.Config {
	return rnn.Config{Inputs: inputs, Hidden: hidden, Outputs: outputs, Model: m.New()}
}

// checkConfig returns the configuration of m the finite-difference checks
// use (layers.Model.Check).
func checkConfig(m layers.Model) rnn.Config {
	cfg := config(m)
	if m.Check != nil {
		cfg.Model = m.Check()
	}
	return cfg
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }

// build returns the network of cfg with weights drawn from seed.
func build[T autodiff.Float](t testing.TB, cfg rnn.Config, seed uint64) *rnn.Network[T] {
	t.Helper()
	net, err := rnn.New[T](cfg, newRand(seed))
	require.NoError(t, err, "building model %s", cfg.Kind())
	return net
}

// randomizeInitialState gives the network's initial state random values,
// so that the checks see it.
func randomizeInitialState[T autodiff.Float](net *rnn.Network[T], seed uint64) {
	rng := newRand(seed)
	p := net.InitialState()
	for k := range p.Value.Data {
		p.Value.Data[k] = T(0.3 * rng.NormFloat64())
	}
}

func randTensor[T autodiff.Float](rng *rand.Rand, rows, cols int) autodiff.Tensor[T] {
	x := autodiff.NewTensor[T](rows, cols)
	for k := range x.Data {
		x.Data[k] = T(rng.NormFloat64())
	}
	return x
}

// weighted records Σ y ⊙ coef, a loss whose gradient reaches every element.
func weighted[T autodiff.Float](tp *autodiff.Tape[T], y *autodiff.Var[T], coef autodiff.Tensor[T]) *autodiff.Var[T] {
	return autodiff.Sum(autodiff.Mul(y, tp.Const(coef)))
}

// silenceOne silences unit 1 at steps 2 and 3.
func silenceOne() *layers.Inactivation {
	u := make([]bool, hidden)
	u[1] = true
	return &layers.Inactivation{Units: u, From: 2, To: 4, Silence: true}
}

// checkGradient compares the network's gradients with central finite
// differences in float64, with a trained initial state, and again with
// private noise (the same draws at every evaluation) and a silenced unit.
func checkGradient(t *testing.T, m layers.Model) {
	for _, c := range []struct {
		name  string
		noise float64
		inact *layers.Inactivation
	}{
		{"plain", 0, nil},
		{"noise and a silenced unit", 0.1, silenceOne()},
	} {
		cfg := checkConfig(m)
		cfg.TrainInitialState, cfg.NoiseStd = true, c.noise
		net := build[float64](t, cfg, 1)
		randomizeInitialState(net, 2)
		rng := newRand(3)
		x := randTensor[float64](rng, steps*batch, inputs)
		coef := randTensor[float64](rng, steps*batch, outputs)
		loss := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			opt := model.Options[float64]{Inactivation: c.inact}
			if c.noise > 0 {
				opt.Noise = newRand(4)
			}
			return weighted(tp, net.Forward(tp, x, steps, batch, opt).Out, coef)
		}
		ps := net.Params()
		checked := ps
		if m.Surrogate && net.Readout() != nil {
			// Finite differences see zero through a spike: of a spiking
			// model only the readout's gradients are exact (checkReference
			// checks the surrogate gradients).
			checked = net.Readout().Params()
		}
		gradcheck.Check(t, gradcheck.Case{Name: m.Name + ", " + c.name, Params: checked, Loss: loss})
		// Check leaves the backward pass's gradients in place: every
		// trained parameter must take part (finite differences would not
		// see a parameter the forward pass ignores).
		for _, p := range ps {
			if !p.Frozen && !slices.ContainsFunc(p.Grad.Data, func(v float64) bool { return v != 0 }) {
				t.Errorf("%s, %s: trained parameter %s gets no gradient", m.Name, c.name, p.Name)
			}
		}
	}
}

// checkTruncation runs the sequence in windows, each starting from the
// previous window's Final, and compares the outputs and the final state
// with one pass over the whole sequence. Noise is on: drawn from one rng
// across the windows, it must match the full pass's.
func checkTruncation(t *testing.T, m layers.Model) {
	cfg := config(m)
	cfg.TrainInitialState, cfg.NoiseStd = true, 0.1
	net := build[float64](t, cfg, 1)
	randomizeInitialState(net, 2)
	x := randTensor[float64](newRand(3), steps*batch, inputs)

	tp := autodiff.NewTape[float64]()
	full := net.Forward(tp, x, steps, batch, model.Options[float64]{Noise: newRand(5)})
	require.Len(t, full.Final, len(net.StateVars()), "Result.Final: one tensor per state variable")

	tw := autodiff.NewTape[float64]()
	noise := newRand(5)
	var got []float64
	var carry []autodiff.Tensor[float64]
	for t0 := 0; t0 < steps; t0 += window {
		tw.Reset()
		xw := x.RowSlice(t0*batch, (t0+window)*batch)
		r := net.Forward(tw, xw, window, batch, model.Options[float64]{Init: carry, Noise: noise})
		got = append(got, r.Out.Value.Data...)
		carry = carry[:0]
		for _, f := range r.Final {
			carry = append(carry, f.Clone())
		}
	}
	requireClose(t, "outputs of windows vs one pass", got, full.Out.Value.Data)
	require.Len(t, carry, len(full.Final))
	for i := range carry {
		require.Equal(t, full.Final[i].Shape(), carry[i].Shape(), "Final[%d] shape", i)
		requireClose(t, "final state "+net.StateVars()[i].Name, carry[i].Data, full.Final[i].Data)
	}
}

// requireClose fails unless got and want agree within 1e-12 relative (the
// same float64 arithmetic; only summation order may differ).
func requireClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	require.Len(t, got, len(want), what)
	for k := range want {
		if d := math.Abs(got[k] - want[k]); !(d <= 1e-12*math.Max(1, math.Abs(want[k]))) {
			t.Fatalf("%s: element %d: got %.17g want %.17g", what, k, got[k], want[k])
		}
	}
}

// checkAllocs checks that a warmed-up float32 training step (forward and
// backward in truncated-BPTT windows, carrying the state) allocates
// nothing: with noise and a silenced unit, and with a batch large enough to
// be split between goroutines. testing.AllocsPerRun runs on one core, where
// nothing is split, so the bytes allocated on two cores are counted too.
func checkAllocs(t *testing.T, m layers.Model) {
	for _, c := range []struct {
		name  string
		batch int
		noise float64
		inact *layers.Inactivation
	}{
		{"noise and a silenced unit", batch, 0.05, silenceOne()},
		{"split batch", bigBatch, 0, nil},
	} {
		cfg := config(m)
		cfg.TrainInitialState, cfg.NoiseStd = true, c.noise
		net := build[float32](t, cfg, 1)
		x := randTensor[float32](newRand(6), steps*c.batch, inputs)
		vars := net.StateVars()
		carry := make([]autodiff.Tensor[float32], len(vars))
		for i, v := range vars {
			carry[i] = autodiff.NewTensor[float32](c.batch, v.Size)
		}
		params := net.Params()
		tp := autodiff.NewTape[float32]()
		opt := model.Options[float32]{Inactivation: c.inact}
		if c.noise > 0 {
			opt.Noise = newRand(7)
		}
		step := func() {
			for _, p := range params {
				p.ZeroGrad()
			}
			for t0 := 0; t0 < steps; t0 += window {
				tp.Reset()
				o := opt
				if t0 > 0 {
					o.Init = carry
				}
				r := net.Forward(tp, x.RowSlice(t0*c.batch, (t0+window)*c.batch), window, c.batch, o)
				tp.Backward(autodiff.Sum(autodiff.Mul(r.Out, r.Out)))
				for i, f := range r.Final {
					carry[i].CopyFrom(f)
				}
			}
		}
		for range 3 {
			step()
		}
		// On two cores the only allocations the runtime may make are
		// parking records (112 bytes) when goroutines hand work over; the
		// kernels' pool may also add a workspace when its goroutines
		// happen to overlap more than ever before, once. A window of steps
		// that allocates is measured again: an allocation in steady state
		// shows in every window.
		prev := runtime.GOMAXPROCS(2)
		var bytes uint64
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 10 {
				step()
			}
			runtime.ReadMemStats(&after)
			if bytes = after.TotalAlloc - before.TotalAlloc; bytes <= 16<<10 {
				break
			}
		}
		runtime.GOMAXPROCS(prev)
		if bytes > 16<<10 {
			t.Errorf("%s, %s: %d bytes allocated over 10 warmed-up steps on two cores (three times), want none", m.Name, c.name, bytes)
		}
		if a := layertest.SteadyAllocs(10, step); a != 0 {
			t.Errorf("%s, %s: %v allocations per warmed-up training step, want 0", m.Name, c.name, a)
		}
	}
}

// checkSilence silences every unit for the whole sequence, inside the
// fused op, from a non-zero initial state and with noise: the rates must
// be zero, the outputs what the readout makes of zero rates (a linear
// readout's bias), and no gradient may reach the recurrent layer, the
// initial state or the readout weights.
func checkSilence(t *testing.T, m layers.Model) {
	cfg := config(m)
	cfg.TrainInitialState, cfg.NoiseStd = true, 0.1
	net := build[float64](t, cfg, 1)
	randomizeInitialState(net, 2)
	rng := newRand(3)
	x := randTensor[float64](rng, steps*batch, inputs)
	coef := randTensor[float64](rng, steps*batch, outputs)
	all := make([]bool, hidden)
	for j := range all {
		all[j] = true
	}
	tp := autodiff.NewTape[float64]()
	r := net.Forward(tp, x, steps, batch, model.Options[float64]{Noise: newRand(8), Inactivation: &layers.Inactivation{Units: all, Silence: true}})
	for k, v := range r.Rates.Value.Data {
		if v != 0 {
			t.Fatalf("%s: rates[%d] = %g with every unit silenced, want 0", m.Name, k, v)
		}
	}

	tz := autodiff.NewTape[float64]()
	zero := tz.Const(autodiff.NewTensor[float64](steps*batch, hidden))
	var want *autodiff.Var[float64]
	if lin := net.Readout(); lin != nil {
		want = lin.Forward(tz, zero)
		bias := lin.Bias().Value.Data
		for i := range steps * batch {
			require.Equal(t, bias, want.Value.Data[i*outputs:(i+1)*outputs], "a linear readout of silence is its bias")
		}
	} else {
		self, ok := net.Recurrent().(layers.SelfReadout[float64])
		require.True(t, ok, "network without a linear readout, but layer %T reads out nothing", net.Recurrent())
		want = self.Readout(tz, zero)
	}
	require.Equal(t, want.Value.Data, r.Out.Value.Data, "outputs of a silenced network")

	tp.Backward(weighted(tp, r.Out, coef))
	quiet := append(append(net.Recurrent().Params(), net.InitialState()), net.OutputWeights()...)
	for _, p := range quiet {
		for k, g := range p.Grad.Data {
			if g != 0 {
				t.Errorf("%s: d%s[%d] = %g with every unit silenced, want 0", m.Name, p.Name, k, g)
				break
			}
		}
	}
	if lin := net.Readout(); lin != nil {
		assert.True(t, slices.ContainsFunc(lin.Bias().Grad.Data, func(v float64) bool { return v != 0 }),
			"%s: the readout bias gets no gradient: the backward pass did not run", m.Name)
	}
}

// checkRoundTrips checks that the config survives JSON, resolved or not;
// that a seed and a config determine the parameters; that parameter names
// are unique; and that the parameters are the whole state: another
// network given their values computes the same outputs.
func checkRoundTrips(t *testing.T, m layers.Model) {
	cfg := config(m)
	roundTrip := func(what string, c rnn.Config) rnn.Config {
		t.Helper()
		b1, err := json.Marshal(c)
		require.NoError(t, err, what)
		back := rnn.Config{Model: m.New()}
		require.NoError(t, json.Unmarshal(b1, &back), "%s: %s", what, b1)
		b2, err := json.Marshal(back)
		require.NoError(t, err, what)
		require.Equal(t, string(b1), string(b2), "%s: JSON → Config → JSON", what)
		if reg, err := rnn.Lookup(m.Name); err == nil && reg.New().Model().Name == m.Name {
			var bare rnn.Config // the model found from "kind" in the table
			require.NoError(t, json.Unmarshal(b1, &bare), "%s: %s", what, b1)
			b3, err := json.Marshal(bare)
			require.NoError(t, err, what)
			require.Equal(t, string(b1), string(b3), "%s: JSON → zero Config → JSON", what)
		}
		return back
	}
	back := roundTrip("default config", cfg)
	a := build[float64](t, cfg, 1)
	resolved := a.Config()
	roundTrip("resolved config", resolved)
	r1, err := json.Marshal(resolved)
	require.NoError(t, err)
	r2, err := json.Marshal(resolved.Resolved())
	require.NoError(t, err)
	require.Equal(t, string(r1), string(r2), "Resolved is not idempotent")
	if m.Bench != nil {
		bc := cfg
		bc.Model = m.Bench()
		require.NoError(t, bc.Validate(), "the bench config")
		build[float32](t, bc, 1)
	}

	pa := a.Params()
	names := map[string]bool{}
	for _, p := range pa {
		require.NotEmpty(t, p.Name, "a parameter without a name")
		require.False(t, names[p.Name], "parameter name %q used twice", p.Name)
		names[p.Name] = true
	}
	same := func(what string, ps []*autodiff.Param[float64]) {
		t.Helper()
		require.Len(t, ps, len(pa), what)
		for i, p := range ps {
			require.Equal(t, pa[i].Name, p.Name, what)
			require.Equal(t, pa[i].Value.Shape(), p.Value.Shape(), "%s: %s", what, p.Name)
			require.Equal(t, pa[i].Frozen, p.Frozen, "%s: %s frozen", what, p.Name)
			require.True(t, bitsEqual(pa[i].Value.Data, p.Value.Data), "%s: %s values differ", what, p.Name)
		}
	}
	same("same config and seed", build[float64](t, cfg, 1).Params())
	same("config through JSON, same seed", build[float64](t, back, 1).Params())

	c := build[float64](t, cfg, 2)
	pc := c.Params()
	differ := false
	for i, p := range c.Recurrent().Params() {
		differ = differ || !bitsEqual(a.Recurrent().Params()[i].Value.Data, p.Value.Data)
	}
	require.True(t, differ, "seeds 1 and 2 give the same recurrent layer: its weights are not drawn from the rng")
	for i := range pc {
		pc[i].Value.CopyFrom(pa[i].Value)
	}
	x := randTensor[float64](newRand(3), steps*batch, inputs)
	ya := a.Forward(autodiff.NewTape[float64](), x, steps, batch, model.Options[float64]{}).Out.Value.Data
	yc := c.Forward(autodiff.NewTape[float64](), x, steps, batch, model.Options[float64]{}).Out.Value.Data
	require.True(t, bitsEqual(ya, yc), "a network given another's parameter values computes other outputs: Params misses state")
}

// checkRecord checks Record: one state tensor per state variable,
// [steps·batch, size], whose last rows are Final; Pre empty or
// [steps·batch, N]; and the outputs unchanged by recording.
func checkRecord(t *testing.T, m layers.Model) {
	net := build[float64](t, config(m), 1)
	x := randTensor[float64](newRand(3), steps*batch, inputs)
	vars := net.StateVars()
	require.NotEmpty(t, vars, "a layer without state variables")
	names := map[string]bool{}
	for _, v := range vars {
		require.NotEmpty(t, v.Name, "a state variable without a name")
		require.False(t, names[v.Name], "state variable %q listed twice", v.Name)
		require.Positive(t, v.Size, "state variable %s", v.Name)
		names[v.Name] = true
	}
	require.Equal(t, [2]int{1, vars[0].Size}, net.InitialState().Value.Shape(), "initial state of the primary variable")

	plain := net.Forward(autodiff.NewTape[float64](), x, steps, batch, model.Options[float64]{})
	require.Nil(t, plain.States, "States without Record")
	r := net.Forward(autodiff.NewTape[float64](), x, steps, batch, model.Options[float64]{Record: true})
	require.True(t, bitsEqual(plain.Out.Value.Data, r.Out.Value.Data), "recording changed the outputs")
	require.Equal(t, [2]int{steps * batch, hidden}, r.Rates.Value.Shape(), "rates")
	require.Len(t, r.States, len(vars), "Result.States: one tensor per state variable")
	require.Len(t, r.Final, len(vars), "Result.Final: one tensor per state variable")
	for i, v := range vars {
		require.Equal(t, [2]int{steps * batch, v.Size}, r.States[i].Shape(), "States[%d] (%s)", i, v.Name)
		require.Equal(t, [2]int{batch, v.Size}, r.Final[i].Shape(), "Final[%d] (%s)", i, v.Name)
		last := r.States[i].RowSlice((steps-1)*batch, steps*batch)
		require.True(t, bitsEqual(last.Data, r.Final[i].Data), "the last step of States[%d] (%s) is not Final", i, v.Name)
	}
	if r.Pre.Data != nil {
		require.Equal(t, [2]int{steps * batch, hidden}, r.Pre.Shape(), "Pre")
	}
}

// checkDeterminism runs a float32 forward and backward pass three times,
// twice on one network and once on another built from the same seed, with
// the same noise seed: outputs and gradients must agree bit for bit, with
// the batch split between goroutines and with noise.
func checkDeterminism(t *testing.T, m layers.Model) {
	for _, c := range []struct {
		name  string
		noise float64
	}{{"split batch", 0}, {"noise", 0.1}} {
		cfg := config(m)
		cfg.TrainInitialState, cfg.NoiseStd = true, c.noise
		x := randTensor[float32](newRand(3), steps*bigBatch, inputs)
		run := func(net *rnn.Network[float32]) (out []float32, grads [][]float32) {
			tp := autodiff.NewTape[float32]()
			for _, p := range net.Params() {
				p.ZeroGrad()
			}
			opt := model.Options[float32]{Inactivation: silenceOne()}
			if c.noise > 0 {
				opt.Noise = newRand(9)
			}
			r := net.Forward(tp, x, steps, bigBatch, opt)
			tp.Backward(autodiff.Sum(autodiff.Mul(r.Out, r.Out)))
			for _, p := range net.Params() {
				grads = append(grads, slices.Clone(p.Grad.Data))
			}
			return slices.Clone(r.Out.Value.Data), grads
		}
		a := build[float32](t, cfg, 1)
		o1, g1 := run(a)
		o2, g2 := run(a)
		o3, g3 := run(build[float32](t, cfg, 1))
		for i, o := range [][]float32{o2, o3} {
			require.True(t, bitsEqual(o1, o), "%s: outputs of run %d differ from run 1", c.name, i+2)
		}
		for i, g := range [][][]float32{g2, g3} {
			for k := range g1 {
				require.True(t, bitsEqual(g1[k], g[k]), "%s: gradient of %s in run %d differs from run 1", c.name, a.Params()[k].Name, i+2)
			}
		}
	}
}

// bitsEqual reports whether a and b hold the same bits.
func bitsEqual[T autodiff.Float](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if math.Float64bits(float64(a[k])) != math.Float64bits(float64(b[k])) {
			return false
		}
	}
	return true
}

// checkReference compares the fused op with the layer's unfused reference
// (layers.Reference) in float64: the loss Σ rates ⊙ c and the gradient of
// every layer parameter and of the initial state, broadcast from [1, N]
// and per sequence with noise and a silenced unit.
func checkReference(t *testing.T, m layers.Model) {
	for _, c := range []struct {
		name  string
		rows  int
		noise float64
		inact *layers.Inactivation
	}{
		{"broadcast initial state", 1, 0, nil},
		{"initial state per sequence, noise and a silenced unit", batch, 0.1, silenceOne()},
	} {
		cfg := config(m)
		cfg.NoiseStd = c.noise
		rec := build[float64](t, cfg, 1).Recurrent()
		ref, ok := rec.(layers.Reference[float64])
		if !ok {
			t.Skipf("%s: layer %T has no unfused reference (layers.Reference)", m.Name, rec)
		}
		rng := newRand(3)
		h0 := autodiff.NewParam[float64]("init", c.rows, rec.StateVars()[0].Size)
		for k := range h0.Value.Data {
			h0.Value.Data[k] = 0.3 * rng.NormFloat64()
		}
		x := randTensor[float64](rng, steps*batch, inputs)
		coef := randTensor[float64](rng, steps*batch, rec.Size())
		opt := func() layers.SeqOptions {
			o := layers.SeqOptions{Inactivation: c.inact}
			if c.noise > 0 {
				o.Noise = newRand(10)
			}
			return o
		}
		fused := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			s := rec.Sequence(tp, tp.Const(x), []*autodiff.Var[float64]{tp.Param(h0)}, steps, batch, opt())
			return weighted(tp, s.Rates, coef)
		}
		unfused := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			rates := ref.SequenceReference(tp, tp.Const(x), []*autodiff.Var[float64]{tp.Param(h0)}, steps, batch, opt())
			require.Equal(t, [2]int{steps * batch, rec.Size()}, rates.Value.Shape(), "reference rates")
			return weighted(tp, rates, coef)
		}
		bad := gradcheck.RunFused(gradcheck.Case{
			Name: m.Name + ", " + c.name, Params: append(rec.Params(), h0), Loss: fused,
			Tol: gradcheck.Tolerance{Rel: 1e-10, Abs: 1e-10, Why: "the same float64 arithmetic in another order"},
		}, unfused)
		for i, b := range bad {
			if i == 5 {
				t.Errorf("%s, %s: … and %d more mismatches", m.Name, c.name, len(bad)-5)
				break
			}
			t.Errorf("%s, %s: %v", m.Name, c.name, b)
		}
	}
}
