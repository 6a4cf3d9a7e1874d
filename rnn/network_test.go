package rnn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
)

func TestKindText(t *testing.T) {
	t.Parallel()
	for _, k := range Kinds() {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got Kind
		if err := got.UnmarshalText(b); err != nil || got != k {
			t.Errorf("round trip of %v: got %v, %v", k, got, err)
		}
	}
	_, err := ParseKind("lstm")
	if err == nil || !strings.Contains(err.Error(), "rnn, leaky, gru, lowrank") {
		t.Errorf("ParseKind(lstm) error %v, want one listing the valid names", err)
	}
}

func TestConfigJSONAndValidate(t *testing.T) {
	t.Parallel()
	c := Config{Kind: Leaky, Inputs: 3, Hidden: 10, Outputs: 2, Activation: layers.ReLU, ExcFraction: 0.8, Noise: layers.NoiseYang, NoiseStd: 0.05}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"model":"leaky"`, `"activation":"relu"`, `"noise_convention":"yang"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Kind != c.Kind || back.Activation != c.Activation || back.Noise != c.Noise || back.ExcFraction != c.ExcFraction {
		t.Errorf("JSON round trip: got %+v want %+v", back, c)
	}
	if d := (Config{Kind: Leaky}).Defaults(); d.Alpha != 0.2 || d.SpectralRadius != 1.1 {
		t.Errorf("leaky defaults: α = %g, ρ = %g, want 0.2 and 1.1", d.Alpha, d.SpectralRadius)
	}
	if d := (Config{Kind: Vanilla}).Defaults(); d.Alpha != 1 {
		t.Errorf("vanilla default α = %g, want 1", d.Alpha)
	}
	for field, mod := range map[string]func(*Config){
		"Hidden":      func(c *Config) { c.Hidden = 0 },
		"Outputs":     func(c *Config) { c.Outputs = -1 },
		"Alpha":       func(c *Config) { c.Kind, c.Alpha = Vanilla, 0.5 },
		"Activation":  func(c *Config) { c.Kind = Vanilla },
		"ExcFraction": func(c *Config) { c.ExcFraction = 1.5 },
		"RecMask":     func(c *Config) { c.RecMask = make([]bool, 3) },
		"Kind":        func(c *Config) { c.Kind = 9 },
	} {
		bad := c
		mod(&bad)
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("bad %s: got %v, want an error naming %s", field, err, field)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("valid config rejected: %v", err)
	}
}

func testConfigs() map[string]Config {
	return map[string]Config{
		"vanilla":                {Kind: Vanilla, Inputs: 3, Hidden: 6, Outputs: 2, SpectralRadius: 0.9},
		"leaky":                  {Kind: Leaky, Inputs: 3, Hidden: 6, Outputs: 2, Activation: layers.Softplus, TrainInitialState: true},
		"leaky-dale":             {Kind: Leaky, Inputs: 3, Hidden: 6, Outputs: 2, Activation: layers.Tanh, ExcFraction: 0.5, Integration: layers.IntegrateRate, TrainInitialState: true},
		"gru":                    {Kind: GRU, Inputs: 3, Hidden: 5, Outputs: 2, TrainInitialState: true},
		"lowrank":                {Kind: LowRank, Inputs: 3, Hidden: 6, Outputs: 2, Rank: 2, TrainInitialState: true},
		"lowrank-linear-readout": {Kind: LowRank, Inputs: 3, Hidden: 6, Outputs: 2, Rank: 2, Rates: lowrank.RatesState},
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
			r := net.Forward(tp, x, steps, batch, Options[float64]{})
			return autodiff.Sum(autodiff.Mul(r.Out, tp.Const(coef)))
		}
		ref := func(tp *autodiff.Tape[float64], _ []*autodiff.Var[float64]) *autodiff.Var[float64] {
			var rates *autodiff.Var[float64]
			switch l := net.rec.(type) {
			case *layers.GRU[float64]:
				rates, _ = l.SequenceReference(tp, tp.Const(x), tp.Param(net.h0), steps, batch, layers.SeqOptions{})
			case *lowrank.Layer[float64]:
				rates, _ = l.SequenceReference(tp, tp.Const(x), tp.Param(net.h0), steps, batch, layers.SeqOptions{})
			}
			if rates != nil {
				var y *autodiff.Var[float64]
				if net.readout != nil {
					y = net.readout.ForwardRef(tp, rates)
				} else {
					y = net.lowrank.Readout(tp, rates)
				}
				return autodiff.Sum(autodiff.Mul(y, tp.Const(coef)))
			}
			l := net.rec.(*layers.Leaky[float64])
			h0 := tp.Param(net.h0)
			perStep, _ := l.SequenceRef(tp, x, h0, steps, batch, layers.SeqOptions{})
			var loss *autodiff.Var[float64]
			for s, r := range perStep {
				y := net.readout.ForwardRef(tp, r)
				v := autodiff.Sum(autodiff.Mul(y, tp.Const(coef.RowSlice(s*batch, (s+1)*batch))))
				if loss == nil {
					loss = v
				} else {
					loss = autodiff.Add(loss, v)
				}
			}
			return loss
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
		if cfg.ExcFraction > 0 {
			tol = gradcheck.Tolerance{Rel: 1e-5, Abs: 1e-7, Why: "|W| under Dale's law has a kink at 0; no weight lies within h of it"}
		}
		gradcheck.Check(t, gradcheck.Case{Name: name + " fused", Params: ps, Loss: fused, Tol: tol})
		gradcheck.Check(t, gradcheck.Case{Name: name + " reference", Params: ps, Loss: ref, Tol: tol})
	}
}

// runWindows runs x in windows of k steps, carrying Final across windows,
// and returns the concatenated outputs and the final state.
func runWindows(net *Network[float32], tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch, k int, h autodiff.Tensor[float32], out []float32) []float32 {
	out = out[:0]
	in := x.Cols
	for t0 := 0; t0 < steps; t0 += k {
		w := min(k, steps-t0)
		tp.Reset()
		xw := autodiff.FromSlice(w*batch, in, x.Data[t0*batch*in:(t0+w)*batch*in])
		r := net.Forward(tp, xw, w, batch, Options[float32]{H0: h})
		tp.Backward(autodiff.Sum(r.Out))
		out = append(out, r.Out.Value.Data...)
		h.CopyFrom(r.Final) // before the next Reset recycles Final
	}
	return out
}

// TestTruncatedBPTT checks that running K-step windows with the state
// carried across gives the same outputs as one full forward pass, and that
// the tape's memory per window does not grow with the sequence length.
func TestTruncatedBPTT(t *testing.T) {
	const batch, k = 3, 5
	cfg := Config{Kind: Leaky, Inputs: 2, Hidden: 8, Outputs: 2}
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
	full := net.Forward(tp, x, 40, batch, Options[float32]{H0: h0}).Out.Value.Clone()
	h := autodiff.NewTensor[float32](batch, 8)
	got := runWindows(net, autodiff.NewTape[float32](), x, 40, batch, k, h, nil)
	for i := range got {
		if math.Abs(float64(got[i]-full.Data[i])) > 1e-6 {
			t.Fatalf("output %d: windows %g, full %g", i, got[i], full.Data[i])
		}
	}

	// Bytes allocated by a cold tape for 10 and for 40 steps of windows.
	bytesFor := func(steps int) uint64 {
		tp := autodiff.NewTape[float32]()
		h := autodiff.NewTensor[float32](batch, 8)
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
// in steady state, with noise, Dale's law and a trainable initial state.
func TestForwardBackwardAllocs(t *testing.T) {
	cfg := Config{Kind: Leaky, Inputs: 4, Hidden: 16, Outputs: 2, ExcFraction: 0.8, NoiseStd: 0.1, TrainInitialState: true}
	net, err := New[float32](cfg, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	x := autodiff.NewTensor[float32](20*8, 4)
	noise := rand.New(rand.NewPCG(5, 5))
	inact := &layers.Inactivation{Units: make([]bool, 16), Silence: true, From: 3, To: 9}
	inact.Units[2] = true
	tp := autodiff.NewTape[float32]()
	step := func() {
		tp.Reset()
		r := net.Forward(tp, x, 20, 8, Options[float32]{Noise: noise, Inactivation: inact})
		tp.Backward(autodiff.Sum(r.Out))
	}
	step()
	if a := testing.AllocsPerRun(20, step); a != 0 {
		t.Errorf("Forward+Backward allocates %v times per step in steady state, want 0", a)
	}
}
