package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/layers/layertest"
)

func gruProblem(tb testing.TB, seed uint64, steps, batch, inputs, n int, bcast bool) (*layers.GRU[float64], *layertest.Problem) {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := newGRU[float64](tb, "gru", inputs, n, rng)
	// Larger weights than torch's init so every gate saturates somewhere.
	for _, q := range g.Params() {
		for i := range q.Value.Data {
			q.Value.Data[i] *= 3
		}
	}
	h0Rows := batch
	if bcast {
		h0Rows = 1
	}
	return g, layertest.NewProblem(rng, g.Params(), steps, batch, inputs, n, h0Rows)
}

// gruCases are the configurations every GRU check runs on.
func gruCases() []struct {
	name  string
	opt   func() layers.SeqOptions
	bcast bool // h0 is [1, N]
} {
	mask := []bool{true, false, false, true}
	return []struct {
		name  string
		opt   func() layers.SeqOptions
		bcast bool
	}{
		{"plain", func() layers.SeqOptions { return layers.SeqOptions{} }, false},
		{"broadcast-h0", func() layers.SeqOptions { return layers.SeqOptions{} }, true},
		{"noise", func() layers.SeqOptions { return layers.SeqOptions{Noise: rand.New(rand.NewPCG(7, 7))} }, false},
		{"silence", func() layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: mask, From: 1, To: 3, Silence: true}}
		}, false},
		{"clamp", func() layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: mask, From: 2, Clamp: true, ClampValue: 0.3}}
		}, true},
	}
}

func TestGRUFusedMatchesReference(t *testing.T) {
	for i, c := range gruCases() {
		t.Run(c.name, func(t *testing.T) {
			g, p := gruProblem(t, uint64(i+1), 5, 3, 2, 4, c.bcast)
			g.NoiseStd = 0.1
			p.Opt = c.opt
			layertest.CheckFusedVsReference(t, p, g.Run, g.SequenceReference)
		})
	}
}

// TestGRUSplitMatchesReference runs every case at a size whose batch the
// fused op splits between two goroutines (an odd batch, so the halves
// differ), against the unfused reference.
func TestGRUSplitMatchesReference(t *testing.T) {
	const n, steps, batch = 32, 103, 5
	for i, c := range gruCases() {
		t.Run(c.name, func(t *testing.T) {
			g, p := gruProblem(t, uint64(i+30), steps, batch, 2, n, c.bcast)
			g.NoiseStd = 0.1
			p.Opt = layertest.WidenMask(c.opt, n)
			layertest.CheckFusedVsReference(t, p, g.Run, g.SequenceReference)
		})
	}
}

func TestGRUGradcheck(t *testing.T) {
	for i, c := range gruCases() {
		g, p := gruProblem(t, uint64(i+10), 4, 2, 3, 4, c.bcast)
		g.NoiseStd = 0.1
		p.Opt = c.opt
		gradcheck.Check(t, gradcheck.Case{Name: "GRU.Run/" + c.name, Params: p.Params, Loss: p.Loss(g.Run)})
		gradcheck.Check(t, gradcheck.Case{Name: "GRU.SequenceReference/" + c.name, Params: p.Params, Loss: p.Loss(g.SequenceReference)})
	}
}

// TestGRUHandComputed checks one step of a 2-unit, 1-input GRU against
// torch.nn.GRU's equations evaluated by hand. The weights are chosen so that
// every pre-activation is 0, ln 2 or ln 3, where σ(0) = 1/2, σ(ln 3) = 3/4
// and tanh(ln 2) = (2² − 1)/(2² + 1) = 3/5. With x = 1 and h = (1, 0):
//
//	unit 1: r = σ(W_ir·x) = σ(ln 3) = 3/4;  z = σ(0) = 1/2;
//	        n = tanh(r·(W_hn·h + b_hn)) = tanh(3/4·(ln 2 + ln 2/3)) = tanh(ln 2) = 3/5;
//	        h' = (1 − 1/2)·3/5 + 1/2·1 = 4/5.
//	unit 2: r = σ(0) = 1/2;  z = σ(W_hz·h) = σ(ln 3) = 3/4;
//	        n = tanh(b_in + r·W_hn·h) = tanh(ln 2/2 + 1/2·ln 2) = 3/5;
//	        h' = (1 − 3/4)·3/5 + 3/4·0 = 3/20.
//
// Unit 1 puts b_hn inside r ⊙ (·), as torch does: adding it outside would
// give tanh(13/12·ln 2) instead. Unit 2 checks that b_in is outside r.
func TestGRUHandComputed(t *testing.T) {
	g := newGRU[float64](t, "gru", 1, 2, rand.New(rand.NewPCG(1, 1)))
	ln2, ln3 := math.Log(2), math.Log(3)
	// Rows in gate order r1 r2 z1 z2 n1 n2 (torch's layout).
	copy(g.WeightIH.Value.Data, []float64{ln3, 0, 0, 0, 0, 0})
	copy(g.WeightHH.Value.Data, []float64{
		0, 0, // r1
		0, 0, // r2
		0, 0, // z1
		ln3, 0, // z2
		ln2, 0, // n1
		ln2, 0, // n2
	})
	copy(g.BiasIH.Value.Data, []float64{0, 0, 0, 0, 0, ln2 / 2})
	copy(g.BiasHH.Value.Data, []float64{0, 0, 0, 0, ln2 / 3, 0})
	tp := autodiff.NewTape[float64]()
	x := tp.Const(autodiff.FromSlice(1, 1, []float64{1}))
	h0 := tp.Const(autodiff.FromSlice(1, 2, []float64{1, 0}))
	want := []float64{4.0 / 5, 3.0 / 20}
	for name, f := range map[string]layertest.SeqFunc{"fused": g.Run, "reference": g.SequenceReference} {
		rates, final := f(tp, x, h0, 1, 1, layers.SeqOptions{})
		for j := range want {
			if math.Abs(rates.Value.Data[j]-want[j]) > 1e-15 || final.Data[j] != rates.Value.Data[j] {
				t.Errorf("%s: h'[%d]: got %v (final %v) want %v", name, j, rates.Value.Data[j], final.Data[j], want[j])
			}
		}
	}
}

func TestGRUInactivation(t *testing.T) {
	g, p := gruProblem(t, 3, 6, 2, 2, 4, false)
	units := []bool{false, true, false, true}
	for _, m := range []layers.Inactivation{
		{Units: units, From: 2, To: 4, Silence: true},
		{Units: units, From: 2, To: 4, Clamp: true, ClampValue: -0.25},
	} {
		p.Opt = func() layers.SeqOptions { return layers.SeqOptions{Inactivation: &m} }
		rates, grads := p.Run(g.Run)
		want := m.ClampValue
		if m.Silence {
			want = 0
		}
		for t0 := 0; t0 < p.Steps; t0++ {
			for b := 0; b < p.Batch; b++ {
				for j, u := range units {
					v := rates[(t0*p.Batch+b)*4+j]
					if held := u && m.Active(t0); held != (v == want) {
						t.Errorf("%+v: step %d unit %d: rate %v, held=%v", m, t0, j, v, held)
					}
				}
			}
		}
		// Units held through step 3 cut the gradient from later steps, but
		// the input still reaches them through steps 0 and 1.
		if layertest.CloseTo(grads[0], make([]float64, len(grads[0])), 0) < 0 {
			t.Errorf("%+v: input gradient is all zero", m)
		}
	}
}

func TestGRUSequenceAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const steps, batch, n = 20, 4, 16
	g := newGRU[float32](t, "gru", 3, n, rng)
	x := autodiff.NewTensor[float32](steps*batch, 3)
	h0 := autodiff.NewTensor[float32](1, n)
	tp := autodiff.NewTape[float32]()
	noise := rand.New(rand.NewPCG(3, 3))
	g.NoiseStd = 0.05
	opt := layers.SeqOptions{Noise: noise, Inactivation: &layers.Inactivation{Units: make([]bool, n), Silence: true}}
	step := func() {
		tp.Reset()
		rates, _ := g.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, opt)
		tp.Backward(autodiff.Sum(rates))
	}
	step()
	if a := testing.AllocsPerRun(5, step); a != 0 {
		t.Errorf("GRU sequence forward+backward: got %v allocations per run, want 0", a)
	}
}

// TestNewGRURefusesBadSizes checks that NewGRU returns an error, naming
// what it needs, for sizes a caller may get from a config, and for a nil
// rng, instead of panicking.
func TestNewGRURefusesBadSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		inputs, hidden int
		rng            *rand.Rand
		want           string
	}{
		{0, 4, rng, "layers: NewGRU needs inputs, hidden > 0, got 0, 4"},
		{3, 0, rng, "layers: NewGRU needs inputs, hidden > 0, got 3, 0"},
		{-1, -2, rng, "layers: NewGRU needs inputs, hidden > 0, got -1, -2"},
		{3, 4, nil, "layers: NewGRU needs an rng"},
	} {
		g, err := layers.NewGRU[float64]("gru", tc.inputs, tc.hidden, tc.rng)
		if err == nil || err.Error() != tc.want || g != nil {
			t.Errorf("NewGRU(%d, %d, rng nil %v): got %v, %v; want nil, %q", tc.inputs, tc.hidden, tc.rng == nil, g, err, tc.want)
		}
	}
}

func TestNewGRUInit(t *testing.T) {
	g := newGRU[float64](t, "enc", 3, 25, rand.New(rand.NewPCG(5, 5)))
	names := []string{"enc.weight_ih_l0", "enc.weight_hh_l0", "enc.bias_ih_l0", "enc.bias_hh_l0"}
	shapes := [][2]int{{75, 3}, {75, 25}, {1, 75}, {1, 75}}
	for i, p := range g.Params() {
		if p.Name != names[i] || p.Value.Shape() != shapes[i] {
			t.Errorf("param %d: got %s %v want %s %v", i, p.Name, p.Value.Shape(), names[i], shapes[i])
		}
		// torch: U(−1/√N, 1/√N) = U(−0.2, 0.2); variance (2k)²/12.
		var sum, sq float64
		for _, v := range p.Value.Data {
			if math.Abs(v) > 0.2 {
				t.Fatalf("%s: %v outside ±1/√25", p.Name, v)
			}
			sum += v
			sq += v * v
		}
		if k := float64(len(p.Value.Data)); i == 1 && math.Abs(sq/k-0.04/3) > 0.002 {
			t.Errorf("%s: variance %v, want ≈ %v", p.Name, sq/k, 0.04/3)
		}
	}
}

func ExampleGRU() {
	rng := rand.New(rand.NewPCG(1, 1))
	const steps, batch, inputs, hidden = 10, 2, 3, 8
	g, err := layers.NewGRU[float64]("gru", inputs, hidden, rng)
	if err != nil {
		panic(err)
	}
	tp := autodiff.NewTape[float64]()
	x := autodiff.NewTensor[float64](steps*batch, inputs)
	for i := range x.Data {
		x.Data[i] = math.Sin(float64(i))
	}
	h0 := autodiff.NewTensor[float64](1, hidden)
	rates, final := g.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, layers.SeqOptions{})
	tp.Backward(autodiff.Sum(rates))
	fmt.Println("rates", rates.Value.Shape(), "final", final.Shape())
	for _, p := range g.Params() {
		fmt.Println(p.Name, p.Grad.Shape())
	}
	fmt.Printf("∂L/∂W_hh[0,0] = %.6f\n", g.WeightHH.Grad.At(0, 0))
	// Output:
	// rates [20 8] final [2 8]
	// gru.weight_ih_l0 [24 3]
	// gru.weight_hh_l0 [24 8]
	// gru.bias_ih_l0 [1 24]
	// gru.bias_hh_l0 [1 24]
	// ∂L/∂W_hh[0,0] = 0.049652
}

// BenchmarkGRUSequence times one forward and backward pass in float32 at the
// bench's mid size (N=256, B=64, T=100, I=4).
func BenchmarkGRUSequence(b *testing.B) {
	const steps, batch, inputs, n = 100, 64, 4, 256
	rng := rand.New(rand.NewPCG(1, 1))
	g := newGRU[float32](b, "gru", inputs, n, rng)
	x := autodiff.NewTensor[float32](steps*batch, inputs)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	h0 := autodiff.NewTensor[float32](1, n)
	tp := autodiff.NewTape[float32]()
	step := func() {
		tp.Reset()
		rates, _ := g.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, layers.SeqOptions{})
		tp.Backward(autodiff.Sum(rates))
	}
	step() // grow the tape's arena outside the timing
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
}

// TestGRUSequenceStateReuse checks that the per-call state a layer reuses
// across tape resets never belongs to a recording that is still live: two
// calls on one tape, and a call on a second tape recorded in between a
// reset and the first tape's Backward.
func TestGRUSequenceStateReuse(t *testing.T) {
	g, p := gruProblem(t, 21, 4, 2, 2, 3, false)
	x2 := layertest.RandParam(rand.New(rand.NewPCG(4, 4)), "x2", 8, 2, 1).Value
	grads := func(record func(tp *autodiff.Tape[float64]) *autodiff.Var[float64]) []float64 {
		for _, q := range g.Params() {
			q.ZeroGrad()
		}
		tp := autodiff.NewTape[float64]()
		tp.Backward(record(tp))
		var out []float64
		for _, q := range g.Params() {
			out = append(out, q.Grad.Data...)
		}
		return out
	}
	loss := func(tp *autodiff.Tape[float64], x autodiff.Tensor[float64]) *autodiff.Var[float64] {
		rates, _ := g.Run(tp, tp.Const(x), tp.Const(p.H0.Value), p.Steps, p.Batch, layers.SeqOptions{})
		return autodiff.Sum(autodiff.Mul(rates, tp.Const(p.Proj)))
	}
	g1 := grads(func(tp *autodiff.Tape[float64]) *autodiff.Var[float64] { return loss(tp, p.X.Value) })
	g2 := grads(func(tp *autodiff.Tape[float64]) *autodiff.Var[float64] { return loss(tp, x2) })
	both := grads(func(tp *autodiff.Tape[float64]) *autodiff.Var[float64] {
		return autodiff.Add(loss(tp, p.X.Value), loss(tp, x2))
	})
	for i := range both {
		if want := g1[i] + g2[i]; math.Abs(both[i]-want) > 1e-12 {
			t.Fatalf("two calls on one tape: grad[%d] got %v want %v", i, both[i], want)
		}
	}
	// Tape a records, tape b records, a is reset and records again (reusing
	// its own first state), then b back-propagates.
	for _, q := range g.Params() {
		q.ZeroGrad()
	}
	a, b := autodiff.NewTape[float64](), autodiff.NewTape[float64]()
	loss(a, x2)
	lb := loss(b, p.X.Value)
	a.Reset()
	loss(a, x2)
	b.Backward(lb)
	var got []float64
	for _, q := range g.Params() {
		got = append(got, q.Grad.Data...)
	}
	if i := layertest.CloseTo(got, g1, 1e-12); i >= 0 {
		t.Errorf("interleaved tapes: grad[%d] got %v want %v", i, got[i], g1[i])
	}
}

// TestGRUSplitAllocs checks that calls split between two goroutines (no
// noise, large enough) allocate nothing in steady state either, with W_hh in
// one block (N=64) and in several (N=256, B=64).
func TestGRUSplitAllocs(t *testing.T) {
	for _, c := range [][3]int{{64, 8, 64}, {4, 64, 256}} {
		steps, batch, n := c[0], c[1], c[2]
		g := newGRU[float32](t, "gru", 4, n, rand.New(rand.NewPCG(1, 3)))
		x := autodiff.NewTensor[float32](steps*batch, 4)
		h0 := autodiff.NewTensor[float32](1, n)
		tp := autodiff.NewTape[float32]()
		step := func() {
			tp.Reset()
			rates, _ := g.Run(tp, tp.Const(x), tp.Const(h0), steps, batch, layers.SeqOptions{})
			tp.Backward(autodiff.Sum(rates))
		}
		step()
		if a := testing.AllocsPerRun(5, step); a != 0 {
			t.Errorf("split GRU sequence N=%d B=%d, forward+backward: got %v allocations per run, want 0", n, batch, a)
		}
	}
}

// newGRU returns layers.NewGRU's layer and stops tb on its error.
func newGRU[T autodiff.Float](tb testing.TB, prefix string, inputs, hidden int, rng *rand.Rand) *layers.GRU[T] {
	tb.Helper()
	g, err := layers.NewGRU[T](prefix, inputs, hidden, rng)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}
