package rnn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/model"
)

// TestModelTable checks that the model names are unique, that Lookup finds
// every one and that its error lists the valid names.
func TestModelTable(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, m := range Models() {
		require.False(t, seen[m.Name], "model %q listed twice", m.Name)
		seen[m.Name] = true
		got, err := Lookup(m.Name)
		require.NoError(t, err)
		assert.Equal(t, m.Name, got.Name)
		assert.Equal(t, m.Name, m.New().Model().Name, "config of %s names another model", m.Name)
		assert.NotEmpty(t, m.Summary, m.Name)
		assert.NotEmpty(t, m.Equations, m.Name)
	}
	_, err := Lookup("lstm")
	if err == nil || !strings.Contains(err.Error(), "rnn, leaky, gru, lowrank") {
		t.Errorf("Lookup(lstm) error %v, want one listing the valid names", err)
	}
}

func TestConfigJSONAndValidate(t *testing.T) {
	t.Parallel()
	c := Config{Inputs: 3, Hidden: 10, Outputs: 2, NoiseStd: 0.05,
		Model: &LeakyConfig{Activation: layers.ReLU, Dale: 0.8, NoiseConvention: layers.NoiseYang}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"leaky"`, `"activation":"relu"`, `"noise_convention":"yang"`, `"dale":0.8`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	lc, ok := back.Model.(*LeakyConfig)
	if !ok || back.Inputs != c.Inputs || back.NoiseStd != c.NoiseStd || *lc != *c.Model.(*LeakyConfig) {
		t.Errorf("JSON round trip: got %+v (model %+v) want %+v (model %+v)", back, back.Model, c, c.Model)
	}
	d := (Config{Model: &LeakyConfig{}}).Resolved().Model.(*LeakyConfig)
	if d.Alpha != 0.2 || d.SpectralRadius != 1.1 {
		t.Errorf("leaky defaults: α = %g, ρ = %g, want 0.2 and 1.1", d.Alpha, d.SpectralRadius)
	}
	if d := (Config{DtMS: 10}).Resolved().Model.(*LeakyConfig); d.Alpha != 0.1 {
		t.Errorf("leaky α at dt = 10 ms: %g, want dt/τ = 0.1", d.Alpha)
	}
	// The vanilla model has no leak: its layer runs with α = 1.
	van, err := New[float64](Config{Inputs: 1, Hidden: 3, Outputs: 1, DtMS: 10, Model: &VanillaConfig{}}, rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, err)
	if a := van.rec.(leakyLayer[float64]).Config().Alpha; a != 1 {
		t.Errorf("vanilla α = %g, want 1", a)
	}
	for key, mod := range map[string]func(*Config){
		"hidden":  func(c *Config) { c.Hidden = 0 },
		"outputs": func(c *Config) { c.Outputs = -1 },
		"dale":    func(c *Config) { c.Model = &LeakyConfig{Dale: 1.5} },
		"rank":    func(c *Config) { c.Model = &lowrank.Config{Rank: 11} },
		"inputs":  func(c *Config) { c.Inputs, c.Model = 0, &GRUConfig{} },
	} {
		bad := c
		mod(&bad)
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("bad %s: got %v, want an error naming %s", key, err, key)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
	// Keys of another model, and unknown models, are refused by name.
	for key, text := range map[string]string{
		"alpha":      `{"kind":"rnn","alpha":0.5}`,
		"activation": `{"kind":"gru","activation":"relu"}`,
		"kind":       `{"kind":"lstm"}`,
	} {
		var got Config
		if err := json.Unmarshal([]byte(text), &got); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s: got %v, want an error naming %s", text, err, key)
		}
	}
	// A mask file of the wrong shape is an error naming its key.
	path := filepath.Join(t.TempDir(), "mask.npy")
	require.NoError(t, npy.WriteFile(path, npy.Array{Shape: []int{3, 3}, F64: make([]float64, 9)}))
	bad := c
	bad.Model = &LeakyConfig{Connectivity: Connectivity{RecMask: path}}
	if _, err := New[float64](bad, rand.New(rand.NewPCG(1, 1))); err == nil || !strings.Contains(err.Error(), "rec_mask") {
		t.Errorf("a [3 3] rec_mask for 10 units: got %v, want an error naming rec_mask", err)
	}
}

// TestNewReadoutArguments: every Config value that reaches the readout's
// constructors, layers.NewLinear (Hidden, Outputs) and
// layers.NewLeakyIntegrator (β = exp(−dt/τ_out) from DtMS and
// ReadoutTauMS), which panic on bad arguments, is refused by New as an
// error naming its key; and the extreme values it accepts give a β in
// [0, 1] (a tiny τ_out underflows β to 0, a huge one rounds it to 1).
func TestNewReadoutArguments(t *testing.T) {
	t.Parallel()
	leaky := func(dt, tau float64) func(*Config) {
		return func(c *Config) { c.Readout, c.DtMS, c.ReadoutTauMS = ReadoutLeaky, dt, tau }
	}
	for _, c := range []struct {
		name string
		mod  func(*Config)
		key  string // "" when New must succeed
	}{
		{"hidden 0", func(c *Config) { c.Hidden = 0 }, "model.hidden"},
		{"hidden -1", func(c *Config) { c.Hidden = -1 }, "model.hidden"},
		{"outputs 0", func(c *Config) { c.Outputs = 0 }, "model.outputs"},
		{"outputs -2", func(c *Config) { c.Outputs = -2 }, "model.outputs"},
		{"tau -1", leaky(10, -1), "model.readout_tau_ms"},
		{"tau NaN", leaky(10, math.NaN()), "model.readout_tau_ms"},
		{"tau +Inf", leaky(10, math.Inf(1)), "model.readout_tau_ms"},
		{"dt NaN", leaky(math.NaN(), 20), "model.dt_ms"},
		{"dt +Inf", leaky(math.Inf(1), 20), "model.dt_ms"},
		{"dt -1", leaky(-1, 20), "model.dt_ms"},
		{"tau tiny", leaky(10, 5e-324), ""},
		{"tau huge", leaky(10, math.MaxFloat64), ""},
		{"dt huge", leaky(math.MaxFloat64, 1e-300), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{Inputs: 2, Hidden: 4, Outputs: 1, Model: &LIFConfig{}}
			c.mod(&cfg)
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("New panicked: %v", r)
					}
				}()
				_, err = New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
			}()
			switch {
			case c.key == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case c.key != "" && (err == nil || !strings.Contains(err.Error(), c.key)):
				t.Errorf("got %v, want an error naming %s", err, c.key)
			}
		})
	}
}

func testConfigs() map[string]Config {
	return map[string]Config{
		"vanilla":                {Inputs: 3, Hidden: 6, Outputs: 2, Model: &VanillaConfig{Connectivity{SpectralRadius: 0.9}}},
		"leaky":                  {Inputs: 3, Hidden: 6, Outputs: 2, Model: &LeakyConfig{Activation: layers.Softplus}, TrainInitialState: true},
		"leaky-dale":             {Inputs: 3, Hidden: 6, Outputs: 2, Model: &LeakyConfig{Activation: layers.Tanh, Dale: 0.5, Integration: layers.IntegrateRate}, TrainInitialState: true},
		"gru":                    {Inputs: 3, Hidden: 5, Outputs: 2, Model: &GRUConfig{}, TrainInitialState: true},
		"lowrank":                {Inputs: 3, Hidden: 6, Outputs: 2, Model: &lowrank.Config{Rank: 2}, TrainInitialState: true},
		"lowrank-linear-readout": {Inputs: 3, Hidden: 6, Outputs: 2, Model: &lowrank.Config{Rank: 2, Rates: lowrank.RatesState}},
	}
}

func randTensor(rng *rand.Rand, rows, cols int) autodiff.Tensor[float64] {
	t := autodiff.NewTensor[float64](rows, cols)
	for k := range t.Data {
		t.Data[k] = rng.NormFloat64()
	}
	return t
}

// TestNetworkMatchesReferenceAndGradcheck compares Forward with the network
// composed of the layers' unfused references, and checks both against
// finite differences.
func TestNetworkMatchesReferenceAndGradcheck(t *testing.T) {
	t.Parallel()
	const steps, batch = 4, 3
	for name, cfg := range testConfigs() {
		rng := rand.New(rand.NewPCG(1, 1))
		net, err := New[float64](cfg, rng)
		if err != nil {
			t.Fatal(err)
		}
		for k := range net.h0.Value.Data {
			net.h0.Value.Data[k] = 0.3 * rng.NormFloat64()
		}
		x := randTensor(rng, steps*batch, cfg.Inputs)
		coef := randTensor(rng, steps*batch, cfg.Outputs)
		fused := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			r := net.Forward(tp, x, steps, batch, model.Options[float64]{})
			return autodiff.Sum(autodiff.Mul(r.Out, tp.Const(coef)))
		}
		ref := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			rl, ok := net.rec.(layers.Reference[float64])
			require.True(t, ok, "%s: layer %T has no unfused reference", name, net.rec)
			rates := rl.SequenceReference(tp, tp.Const(x), []*autodiff.Var[float64]{tp.Param(net.h0)}, steps, batch, layers.SeqOptions{})
			var y *autodiff.Var[float64]
			if net.readout != nil {
				y = net.readout.ForwardRef(tp, rates)
			} else {
				y = net.self.Readout(tp, rates)
			}
			return autodiff.Sum(autodiff.Mul(y, tp.Const(coef)))
		}
		ps := net.Params()
		run := func(f func(*autodiff.Tape[float64], []*autodiff.Var[float64]) *autodiff.Var[float64]) (float64, [][]float64) {
			for _, p := range ps {
				p.ZeroGrad()
			}
			tp := autodiff.NewTape[float64]()
			loss := f(tp, nil)
			tp.Backward(loss)
			var gs [][]float64
			for _, p := range ps {
				gs = append(gs, append([]float64(nil), p.Grad.Data...))
			}
			return loss.Value.Data[0], gs
		}
		lf, gf := run(fused)
		lr, gr := run(ref)
		if math.Abs(lf-lr) > 1e-12*math.Max(1, math.Abs(lr)) {
			t.Errorf("%s: loss fused %.15g, reference %.15g", name, lf, lr)
		}
		for i, p := range ps {
			for k := range gf[i] {
				if math.Abs(gf[i][k]-gr[i][k]) > 1e-10*math.Max(1, math.Abs(gr[i][k])) {
					t.Errorf("%s: d%s[%d]: fused %g, reference %g", name, p.Name, k, gf[i][k], gr[i][k])
					break
				}
			}
		}
		tol := gradcheck.Tolerance{}
		if lc, ok := cfg.Model.(*LeakyConfig); ok && lc.Dale > 0 {
			tol = gradcheck.Tolerance{Rel: 1e-5, Abs: 1e-7, Why: "|W| under Dale's law has a kink at 0; no weight lies within h of it"}
		}
		gradcheck.Check(t, gradcheck.Case{Name: name + " fused", Params: ps, Loss: fused, Tol: tol})
		gradcheck.Check(t, gradcheck.Case{Name: name + " reference", Params: ps, Loss: ref, Tol: tol})
	}
}

// runWindows runs x in windows of k steps, carrying Final across windows in
// init (one tensor per state variable, the initial state on entry, the
// final state on return), and returns the concatenated outputs.
func runWindows(net *Network[float32], tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch, k int, init []autodiff.Tensor[float32], out []float32) []float32 {
	out = out[:0]
	in := x.Cols
	for t0 := 0; t0 < steps; t0 += k {
		w := min(k, steps-t0)
		tp.Reset()
		xw := autodiff.FromSlice(w*batch, in, x.Data[t0*batch*in:(t0+w)*batch*in])
		r := net.Forward(tp, xw, w, batch, model.Options[float32]{Init: init})
		tp.Backward(autodiff.Sum(r.Out))
		out = append(out, r.Out.Value.Data...)
		for i, f := range r.Final {
			init[i].CopyFrom(f) // before the next Reset recycles Final
		}
	}
	return out
}

// TestTruncatedBPTT checks that running K-step windows with the state
// carried across gives the same outputs as one full forward pass, and that
// the tape's memory per window does not grow with the sequence length.
func TestTruncatedBPTT(t *testing.T) {
	const batch, k = 3, 5
	cfg := Config{Inputs: 2, Hidden: 8, Outputs: 2, Model: &LeakyConfig{}}
	net, err := New[float32](cfg, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	x := autodiff.NewTensor[float32](40*batch, 2)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	h0 := autodiff.NewTensor[float32](batch, 8)
	tp := autodiff.NewTape[float32]()
	full := net.Forward(tp, x, 40, batch, model.Options[float32]{Init: []autodiff.Tensor[float32]{h0}}).Out.Value.Clone()
	h := []autodiff.Tensor[float32]{autodiff.NewTensor[float32](batch, 8)}
	got := runWindows(net, autodiff.NewTape[float32](), x, 40, batch, k, h, nil)
	for i := range got {
		if math.Abs(float64(got[i]-full.Data[i])) > 1e-6 {
			t.Fatalf("output %d: windows %g, full %g", i, got[i], full.Data[i])
		}
	}

	// Bytes allocated by a cold tape for 10 and for 40 steps of windows.
	bytesFor := func(steps int) uint64 {
		tp := autodiff.NewTape[float32]()
		h := []autodiff.Tensor[float32]{autodiff.NewTensor[float32](batch, 8)}
		out := make([]float32, 0, 40*batch*2)
		runWindows(net, tp, x, steps, batch, k, h, out) // warm the op caches
		tp = autodiff.NewTape[float32]()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		runWindows(net, tp, x, steps, batch, k, h, out)
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	short, long := bytesFor(10), bytesFor(40)
	if float64(long) > 1.2*float64(short)+4096 {
		t.Errorf("windows over 40 steps allocated %d bytes, over 10 steps %d: memory grows with T", long, short)
	}
	warm := autodiff.NewTape[float32]()
	out := make([]float32, 0, 40*batch*2)
	runWindows(net, warm, x, 40, batch, k, h, out)
	if a := testing.AllocsPerRun(5, func() { runWindows(net, warm, x, 40, batch, k, h, out) }); a != 0 {
		t.Errorf("a warmed-up truncated-BPTT pass allocates %v times, want 0", a)
	}
}

// TestForwardBackwardAllocs checks zero allocations per Forward + Backward
// in steady state, with noise, Dale's law and a trainable initial state,
// and with a leaky readout and delta inputs whose state a window carries.
func TestForwardBackwardAllocs(t *testing.T) {
	for _, cfg := range []Config{
		{Inputs: 4, Hidden: 16, Outputs: 2, NoiseStd: 0.1, TrainInitialState: true, Model: &LeakyConfig{Dale: 0.8}},
		{Inputs: 4, Hidden: 16, Outputs: 2, NoiseStd: 0.1, DtMS: 10, Model: &LIFConfig{}, Readout: ReadoutLeaky, Encoding: EncodeDelta},
	} {
		net, err := New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		x := autodiff.NewTensor[float32](20*8, 4)
		noise := rand.New(rand.NewPCG(5, 5))
		inact := &layers.Inactivation{Units: make([]bool, 16), Silence: true, From: 3, To: 9}
		inact.Units[2] = true
		var carry []autodiff.Tensor[float32] // windows carry the readout and the input
		if cfg.Readout == ReadoutLeaky {
			for _, v := range net.StateVars() {
				carry = append(carry, autodiff.NewTensor[float32](8, v.Size))
			}
		}
		tp := autodiff.NewTape[float32]()
		step := func() {
			tp.Reset()
			r := net.Forward(tp, x, 20, 8, model.Options[float32]{Noise: noise, Inactivation: inact, Init: carry})
			tp.Backward(autodiff.Sum(r.Out))
			for i := range carry {
				copy(carry[i].Data, r.Final[i].Data)
			}
		}
		step()
		if a := testing.AllocsPerRun(20, step); a != 0 {
			t.Errorf("%s: Forward+Backward allocates %v times per step in steady state, want 0", cfg.Kind(), a)
		}
	}
}

// TestDaleModels: the models that take Dale's law report its fraction
// through DaleModel, and the others do not implement it.
func TestDaleModels(t *testing.T) {
	for _, kind := range []string{"leaky", "lif", "alif", "ltc", "rnn", "gru", "lowrank", "egru"} {
		m, err := NewModelConfig(kind)
		if err != nil {
			t.Fatal(err)
		}
		d, ok := m.(DaleModel)
		takes := kind == "leaky" || kind == "lif" || kind == "alif" || kind == "ltc"
		if ok != takes {
			t.Errorf("%s: implements DaleModel %v, want %v", kind, ok, takes)
			continue
		}
		if ok && d.ExcitatoryFraction() != 0 {
			t.Errorf("%s: default excitatory fraction %g, want 0 (off)", kind, d.ExcitatoryFraction())
		}
	}
}

// TestForwardNoAllocsAcrossCollections: a training step allocates nothing
// even when collections run between steps (they empty sync.Pool caches,
// which a step must not rely on).
func TestForwardNoAllocsAcrossCollections(t *testing.T) {
	for _, kind := range []string{"leaky", "rnn", "gru", "lowrank", "lif", "alif", "ltc", "egru"} {
		m, err := NewModelConfig(kind)
		if err != nil {
			t.Fatal(err)
		}
		net, err := New[float32](Config{Inputs: 3, Hidden: 128, Outputs: 2, Model: m}, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		x := autodiff.NewTensor[float32](20*32, 3)
		for i := range x.Data {
			x.Data[i] = float32(i%7) * 0.3
		}
		tp := autodiff.NewTape[float32]()
		step := func() {
			tp.Reset()
			r := net.Forward(tp, x, 20, 32, model.Options[float32]{})
			tp.Backward(autodiff.Sum(r.Out))
		}
		step()
		step()
		if a := testing.AllocsPerRun(10, func() {
			step()
			runtime.GC()
			runtime.GC()
		}); a != 0 {
			t.Errorf("%s: Forward+Backward with collections between steps allocates %v times per step, want 0", kind, a)
		}
	}
}
