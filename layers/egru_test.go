package layers_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/autodiff/gradcheck"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/layers/layertest"
)

// egruCase is one configuration the fused EGRU is checked in.
type egruCase struct {
	name  string
	opts  func(o *layers.EGRUOptions)
	seq   func(n int) layers.SeqOptions // fresh options (and noise stream) per run
	bcast bool                          // [1, N] initial c
}

func egruCases() []egruCase {
	none := func(int) layers.SeqOptions { return layers.SeqOptions{} }
	noisy := func(int) layers.SeqOptions { return layers.SeqOptions{Noise: rand.New(rand.NewPCG(7, 7))} }
	mask := func(n int) []bool {
		m := make([]bool, n)
		m[1] = true
		m[n-1] = true
		return m
	}
	keep := func(*layers.EGRUOptions) {}
	return []egruCase{
		{"plain", keep, none, false},
		{"broadcast-c0", keep, none, true},
		{"sparse", func(o *layers.EGRUOptions) { o.Kernels = layers.KernelsSparse }, none, false},
		{"dense", func(o *layers.EGRUOptions) { o.Kernels = layers.KernelsDense }, none, false},
		{"eps", func(o *layers.EGRUOptions) { o.Eps, o.Gamma, o.Kernels = 3.6, 0.5, layers.KernelsSparse }, none, false},
		{"trace", func(o *layers.EGRUOptions) { o.Trace = true }, none, false},
		{"activity-reg", func(o *layers.EGRUOptions) { o.ActivityReg, o.ActivityTarget = 2, 0.05 }, none, false},
		// A window of truncated BPTT: the loss gets a share of the penalty.
		{"activity-reg-share", func(o *layers.EGRUOptions) { o.ActivityReg, o.ActivityTarget = 2, 0.05 },
			func(int) layers.SeqOptions { return layers.SeqOptions{PenaltyShare: 0.37} }, false},
		{"zoneout-eval", func(o *layers.EGRUOptions) { o.Zoneout = 0.3 }, none, false},
		{"zoneout-train", func(o *layers.EGRUOptions) { o.Zoneout = 0.3 }, noisy, false},
		{"dropconnect-train", func(o *layers.EGRUOptions) { o.DropConnect = 0.25 }, noisy, false},
		{"dropconnect-dense", func(o *layers.EGRUOptions) { o.DropConnect, o.Kernels = 0.25, layers.KernelsDense }, noisy, false},
		{"noise", func(o *layers.EGRUOptions) { o.NoiseStd = 0.2 }, noisy, false},
		{"silence", keep, func(n int) layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: mask(n), From: 1, To: 3, Silence: true}}
		}, false},
		{"clamp", func(o *layers.EGRUOptions) { o.Trace = true }, func(n int) layers.SeqOptions {
			return layers.SeqOptions{Inactivation: &layers.Inactivation{Units: mask(n), From: 2, Clamp: true, ClampValue: 0.8}}
		}, true},
	}
}

// egruProblem is an EGRU run on a random input, scored by a fixed random
// projection of its rates.
type egruProblem struct {
	e            *layers.EGRU[float64]
	steps, batch int
	x, c0        *autodiff.Param[float64]
	proj         autodiff.Tensor[float64]
	params       []*autodiff.Param[float64]
	seq          func() layers.SeqOptions
	finalC       autodiff.Tensor[float64] // c_T of the last reference run
}

func newEGRUProblem(tb testing.TB, seed uint64, steps, batch, inputs, n int, c egruCase) *egruProblem {
	rng := rand.New(rand.NewPCG(seed, 5))
	o := layers.DefaultEGRUOptions()
	c.opts(&o)
	e := newEGRU[float64](tb, "egru", inputs, n, o, rng)
	// Larger weights and biases than the default init, so that units fire
	// often and every gate saturates somewhere.
	for _, q := range []*autodiff.Param[float64]{e.WeightIH, e.WeightHH} {
		for i := range q.Value.Data {
			q.Value.Data[i] *= 2.5
		}
	}
	for _, q := range []*autodiff.Param[float64]{e.BiasIH, e.BiasHH} {
		for i := range q.Value.Data {
			q.Value.Data[i] = 0.3 * rng.NormFloat64()
		}
	}
	c0Rows := batch
	if c.bcast {
		c0Rows = 1
	}
	p := &egruProblem{
		e: e, steps: steps, batch: batch,
		x:    layertest.RandParam(rng, "x", steps*batch, inputs, 1),
		c0:   layertest.RandParam(rng, "c0", c0Rows, n, 0.5),
		proj: layertest.RandParam(rng, "proj", steps*batch, n, 1).Value,
		seq:  func() layers.SeqOptions { return c.seq(n) },
	}
	p.params = append([]*autodiff.Param[float64]{p.x, p.c0}, e.Params()...)
	return p
}

// fusedLoss records Σ proj ⊙ rates with Run, plus the activity
// penalty's value times the call's share (its gradient is added inside
// Run's backward pass).
func (p *egruProblem) fusedLoss(tp *autodiff.Tape[float64], vars []*autodiff.Var[float64]) *autodiff.Var[float64] {
	opt := p.seq()
	r := p.e.Run(tp, vars[0], []*autodiff.Var[float64]{vars[1]}, p.steps, p.batch, opt, false)
	loss := autodiff.Sum(autodiff.Mul(r.Rates, tp.Const(p.proj)))
	st, ok := p.e.Stats(r.Rates)
	if !ok {
		panic("no stats for the recorded sequence")
	}
	share := opt.PenaltyShare
	if share == 0 {
		share = 1
	}
	return autodiff.Add(loss, tp.Const(autodiff.FromSlice(1, 1, []float64{share * st.Penalty})))
}

func (p *egruProblem) refLoss(tp *autodiff.Tape[float64], vars []*autodiff.Var[float64]) *autodiff.Var[float64] {
	rates, final, pen := p.e.RunReference(tp, vars[0], []*autodiff.Var[float64]{vars[1]}, p.steps, p.batch, p.seq())
	loss := autodiff.Sum(autodiff.Mul(rates, tp.Const(p.proj)))
	p.finalC = final[0]
	if pen != nil {
		loss = autodiff.Add(loss, pen)
	}
	return loss
}

func TestEGRUFusedMatchesReference(t *testing.T) {
	for i, c := range egruCases() {
		t.Run(c.name, func(t *testing.T) {
			p := newEGRUProblem(t, uint64(i+1), 6, 3, 2, 16, c)
			// Both compute the same float64 expressions in different
			// orders: they agree to rounding.
			tol := gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-10, Why: "same float64 expressions, different order"}
			bad := gradcheck.RunFused(gradcheck.Case{Name: c.name, Params: p.params, Loss: p.fusedLoss, Tol: tol}, p.refLoss)
			for k, m := range bad {
				if k == 5 {
					break
				}
				t.Errorf("%v", m)
			}
			// The case must exercise events: some but not all unit-steps fire.
			tp := autodiff.NewTape[float64]()
			r := p.e.Run(tp, tp.Const(p.x.Value), []*autodiff.Var[float64]{tp.Const(p.c0.Value)}, p.steps, p.batch, p.seq(), false)
			st, _ := p.e.Stats(r.Rates)
			p.refLoss(tp, []*autodiff.Var[float64]{tp.Const(p.x.Value), tp.Const(p.c0.Value)})
			require.InDeltaSlice(t, p.finalC.Data, r.Final[0].Data, 1e-10, "final c")
			require.Greater(t, st.Activity, 0.05)
			require.Less(t, st.Activity, 0.95)
		})
	}
}

// TestEGRUSplitMatchesReference runs the sparse kernels at a size whose
// sparse loops split between two goroutines (an odd batch, so the halves
// differ), against the unfused reference.
func TestEGRUSplitMatchesReference(t *testing.T) {
	c := egruCase{"split", func(o *layers.EGRUOptions) { o.Kernels = layers.KernelsSparse; o.Eps = 3.6 },
		func(int) layers.SeqOptions { return layers.SeqOptions{} }, false}
	p := newEGRUProblem(t, 40, 8, 33, 2, 64, c)
	tol := gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-10, Why: "same float64 expressions, different order"}
	for k, m := range gradcheck.RunFused(gradcheck.Case{Name: c.name, Params: p.params, Loss: p.fusedLoss, Tol: tol}, p.refLoss) {
		if k == 5 {
			break
		}
		t.Errorf("%v", m)
	}
}

// TestEGRUStepSyncMatchesReference runs a layer wide enough for the
// backward loop whose halves meet at every step (N ≥ egruStepSyncMin: the
// dense carry split by columns, or each half's sparse rows) against the
// unfused reference, with the dense and the sparse kernels.
func TestEGRUStepSyncMatchesReference(t *testing.T) {
	for _, kern := range []layers.EGRUKernels{layers.KernelsDense, layers.KernelsSparse} {
		c := egruCase{"stepsync", func(o *layers.EGRUOptions) { o.Kernels = kern },
			func(int) layers.SeqOptions { return layers.SeqOptions{} }, false}
		p := newEGRUProblem(t, 41, 2, 9, 2, 1024, c) // 2·9·1024 ≥ minSplitWork: two halves
		tol := gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-10, Why: "same float64 expressions, different order"}
		for k, m := range gradcheck.RunFused(gradcheck.Case{Name: c.name, Params: p.params, Loss: p.fusedLoss, Tol: tol}, p.refLoss) {
			if k == 5 {
				break
			}
			t.Errorf("%v: %v", kern, m)
		}
	}
}

// TestEGRUGradcheck checks the fused op and its reference against finite
// differences. The Heaviside step's true derivative is zero, so the check
// runs with a vanishing γ (the pseudo-derivative's paths are checked by the
// reference comparison above and by autodiff.Spike's own tests); no
// threshold crossing happens within the step h = 1e-6 in these cases.
func TestEGRUGradcheck(t *testing.T) {
	for i, c := range egruCases() {
		opts := c.opts
		c.opts = func(o *layers.EGRUOptions) { opts(o); o.Gamma = 1e-12 }
		p := newEGRUProblem(t, uint64(i+20), 4, 2, 3, 5, c)
		tol := gradcheck.Tolerance{Rel: 1e-6, Abs: 1e-7, Why: "smooth between threshold crossings, float64, h=1e-6"}
		gradcheck.Check(t, gradcheck.Case{Name: "EGRU.Run/" + c.name, Params: p.params, Loss: p.fusedLoss, Tol: tol})
	}
}

// TestEGRUHandComputed checks one step of a 1-unit EGRU against the
// equations evaluated by hand. With x = 1, c_0 = 0.5, y_0 = 0, W_ir = W_iu =
// 0, W_iz = ln 2 and zero biases: r = u = σ(0) = 1/2, z = tanh(ln 2) = 3/5,
// c̃ = ½·0.5 + ½·3/5 = 0.55. With ϑ = 0.3 the unit fires: y = 0.55, c =
// 0.25; with ϑ = 0.6 it stays silent: y = 0, c = 0.55.
func TestEGRUHandComputed(t *testing.T) {
	for _, tc := range []struct{ thr, y, c float64 }{{0.3, 0.55, 0.25}, {0.6, 0, 0.55}} {
		e := newEGRU[float64](t, "egru", 1, 1, layers.DefaultEGRUOptions(), rand.New(rand.NewPCG(1, 1)))
		for _, q := range e.Params() {
			clear(q.Value.Data)
		}
		e.WeightIH.Value.Data[2] = math.Log(2)
		e.Threshold.Value.Data[0] = tc.thr
		tp := autodiff.NewTape[float64]()
		x := tp.Const(autodiff.FromSlice(1, 1, []float64{1}))
		c0 := tp.Const(autodiff.FromSlice(1, 1, []float64{0.5}))
		r := e.Run(tp, x, []*autodiff.Var[float64]{c0}, 1, 1, layers.SeqOptions{}, true)
		require.InDelta(t, tc.y, r.Rates.Value.Data[0], 1e-15, "y with ϑ = %g", tc.thr)
		require.InDelta(t, tc.c, r.Final[0].Data[0], 1e-15, "c with ϑ = %g", tc.thr)
		require.InDelta(t, 0.55, r.Pre.Data[0], 1e-15, "c̃")
	}
}

// TestEGRUSparseMatchesDense runs the float32 op with the sparse and the
// dense kernels on a larger layer and requires the same rates and
// gradients up to float32 rounding.
func TestEGRUSparseMatchesDense(t *testing.T) {
	// steps·batch·N ≥ 2¹⁴: the sparse loops split between two goroutines.
	const steps, batch, in, n = 40, 5, 3, 96
	run := func(k layers.EGRUKernels) (rates []float32, grads [][]float32) {
		o := layers.DefaultEGRUOptions()
		o.Kernels, o.Trace = k, true
		e := newEGRU[float32](t, "egru", in, n, o, rand.New(rand.NewPCG(4, 4)))
		for i := range e.WeightIH.Value.Data {
			e.WeightIH.Value.Data[i] *= 3
		}
		rng := rand.New(rand.NewPCG(8, 8))
		x := autodiff.NewTensor[float32](steps*batch, in)
		for i := range x.Data {
			x.Data[i] = float32(rng.NormFloat64())
		}
		tp := autodiff.NewTape[float32]()
		xv := tp.Const(x)
		r := e.Run(tp, xv, nil, steps, batch, layers.SeqOptions{}, false)
		st, _ := e.Stats(r.Rates)
		require.Greater(t, st.Activity, 0.02)
		require.Less(t, st.Activity, 0.5)
		tp.Backward(autodiff.Sum(autodiff.Mul(r.Rates, r.Rates)))
		for _, q := range e.Params() {
			grads = append(grads, append([]float32(nil), q.Grad.Data...))
		}
		return append([]float32(nil), r.Rates.Value.Data...), grads
	}
	sr, sg := run(layers.KernelsSparse)
	dr, dg := run(layers.KernelsDense)
	require.InDeltaSlice(t, dr, sr, 1e-5)
	for k := range sg {
		for i := range sg[k] {
			require.InDelta(t, dg[k][i], sg[k][i], 1e-4*(1+math.Abs(float64(dg[k][i]))), "param %d [%d]", k, i)
		}
	}
}

func TestEGRUSequenceAllocs(t *testing.T) {
	const steps, batch, n = 20, 4, 32
	for _, k := range []layers.EGRUKernels{layers.KernelsSparse, layers.KernelsDense, layers.KernelsAuto} {
		o := layers.DefaultEGRUOptions()
		o.Kernels, o.Zoneout, o.DropConnect, o.ActivityReg, o.Trace = k, 0.1, 0.1, 1, true
		e := newEGRU[float32](t, "egru", 3, n, o, rand.New(rand.NewPCG(1, 2)))
		x := autodiff.NewTensor[float32](steps*batch, 3)
		for i := range x.Data {
			x.Data[i] = float32(i%7) - 3
		}
		tp := autodiff.NewTape[float32]()
		opt := layers.SeqOptions{Noise: rand.New(rand.NewPCG(3, 3))}
		step := func() {
			tp.Reset()
			r := e.Run(tp, tp.Const(x), nil, steps, batch, opt, false)
			tp.Backward(autodiff.Sum(r.Rates))
		}
		step()
		if a := layertest.SteadyAllocs(5, step); a != 0 {
			t.Errorf("EGRU %v forward+backward: got %v allocations per run, want 0", k, a)
		}
	}
}

// TestNewEGRURefusesBadArguments checks that NewEGRU returns an error,
// naming what it needs or the bad option's key, for sizes and options a
// caller may get from a config, and for a nil rng, instead of panicking.
func TestNewEGRURefusesBadArguments(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	bad := layers.DefaultEGRUOptions()
	bad.Zoneout = 1
	for _, tc := range []struct {
		inputs, hidden int
		opts           layers.EGRUOptions
		rng            *rand.Rand
		want           string
	}{
		{0, 4, layers.DefaultEGRUOptions(), rng, "layers: NewEGRU needs inputs, hidden > 0, got 0, 4"},
		{3, -1, layers.DefaultEGRUOptions(), rng, "layers: NewEGRU needs inputs, hidden > 0, got 3, -1"},
		{3, 4, bad, rng, "layers: NewEGRU: zoneout: 1 must be in [0, 1)"},
		{3, 4, layers.EGRUOptions{}, rng, "layers: NewEGRU: gamma: 0 must be positive and finite"},
		{3, 4, layers.DefaultEGRUOptions(), nil, "layers: NewEGRU needs an rng"},
	} {
		e, err := layers.NewEGRU[float64]("egru", tc.inputs, tc.hidden, tc.opts, tc.rng)
		if err == nil || err.Error() != tc.want || e != nil {
			t.Errorf("NewEGRU(%d, %d, %+v, rng nil %v): got %v, %v; want nil, %q", tc.inputs, tc.hidden, tc.opts, tc.rng == nil, e, err, tc.want)
		}
	}
}

func TestNewEGRUInit(t *testing.T) {
	e := newEGRU[float64](t, "enc", 3, 400, layers.DefaultEGRUOptions(), rand.New(rand.NewPCG(5, 5)))
	names := []string{"enc.weight_ih", "enc.weight_hh", "enc.bias_ih", "enc.bias_hh", "enc.threshold"}
	for i, q := range e.Params() {
		require.Equal(t, names[i], q.Name)
	}
	mean := 0.0
	for _, v := range e.Threshold.Value.Data {
		require.True(t, v > 0 && v < 1, "threshold %g outside (0, 1)", v)
		mean += v / 400
	}
	// Beta(9/7, 3) has mean 0.3 and standard deviation ≈ 0.19: the mean of
	// 400 draws is within 0.03 of 0.3 with probability > 0.998.
	require.InDelta(t, 0.3, mean, 0.03)
}

func TestEGRUOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		set  func(o *layers.EGRUOptions)
		want string
	}{
		{func(o *layers.EGRUOptions) { o.Gamma = 0 }, "gamma"},
		{func(o *layers.EGRUOptions) { o.Eps = math.NaN() }, "eps"},
		{func(o *layers.EGRUOptions) { o.Zoneout = 1 }, "zoneout"},
		{func(o *layers.EGRUOptions) { o.DropConnect = -0.1 }, "drop_connect"},
		{func(o *layers.EGRUOptions) { o.ActivityReg = math.Inf(1) }, "activity_reg"},
		{func(o *layers.EGRUOptions) { o.ActivityTarget = 2 }, "activity_target"},
		{func(o *layers.EGRUOptions) { o.Kernels = 7 }, "kernels"},
	} {
		o := layers.DefaultEGRUOptions()
		tc.set(&o)
		err := o.Validate()
		require.Error(t, err)
		require.Contains(t, err.Error(), tc.want)
	}
	require.NoError(t, layers.DefaultEGRUOptions().Validate())
}

// TestEGRUPenaltyShareChecked checks that Run refuses a negative or
// non-finite penalty share.
func TestEGRUPenaltyShareChecked(t *testing.T) {
	e := newEGRU[float64](t, "egru", 1, 2, layers.DefaultEGRUOptions(), rand.New(rand.NewPCG(1, 1)))
	for _, v := range []float64{-0.5, math.NaN(), math.Inf(1)} {
		tp := autodiff.NewTape[float64]()
		x := tp.Const(autodiff.NewTensor[float64](2, 1))
		require.PanicsWithValue(t, fmt.Sprintf("layers: EGRU.Sequence penalty share %g, want finite and ≥ 0", v), func() {
			e.Run(tp, x, nil, 2, 1, layers.SeqOptions{PenaltyShare: v}, false)
		})
	}
}

// ExampleEGRU runs an event-based GRU over a short batch of sequences,
// takes the gradient of a loss on its outputs and reads its sparsity.
func ExampleEGRU() {
	rng := rand.New(rand.NewPCG(1, 1))
	e, err := layers.NewEGRU[float64]("egru", 2, 64, layers.DefaultEGRUOptions(), rng)
	if err != nil {
		panic(err)
	}
	const steps, batch = 20, 4
	x := autodiff.NewTensor[float64](steps*batch, 2)
	for i := range x.Data {
		x.Data[i] = 2 * rng.NormFloat64()
	}
	tp := autodiff.NewTape[float64]()
	r := e.Run(tp, tp.Const(x), nil, steps, batch, layers.SeqOptions{}, false)
	tp.Backward(autodiff.Mean(r.Rates))
	st, _ := e.Stats(r.Rates)
	fmt.Printf("rates %v, final c %v\n", r.Rates.Value.Shape(), r.Final[0].Shape())
	fmt.Printf("activity sparsity %.2f, backward sparsity %.2f, effective MACs %.2f\n", 1-st.Activity, st.BackwardSparsity, st.EffectiveMACs)
	fmt.Printf("threshold gradient nonzero: %v\n", e.Threshold.Grad.Data[0] != 0)
	// Output:
	// rates [80 64], final c [4 64]
	// activity sparsity 0.85, backward sparsity 0.02, effective MACs 0.17
	// threshold gradient nonzero: true
}

// TestEGRUTallyLeavesOutPadding pads the second of two trials from 7 to 20
// steps with zero input and checks that the tally with the lengths equals
// the tally of the two trials run unpadded, one at a time.
func TestEGRUTallyLeavesOutPadding(t *testing.T) {
	const steps, short, in, n = 20, 7, 3, 32
	o := layers.DefaultEGRUOptions()
	o.ActivityReg, o.ActivityTarget = 0.5, 0.05
	e := newEGRU[float64](t, "egru", in, n, o, rand.New(rand.NewPCG(5, 5)))
	rng := rand.New(rand.NewPCG(9, 9))
	trial := [2]autodiff.Tensor[float64]{autodiff.NewTensor[float64](steps, in), autodiff.NewTensor[float64](short, in)}
	for _, x := range trial {
		for i := range x.Data {
			x.Data[i] = 2 * rng.NormFloat64()
		}
	}
	padded := autodiff.NewTensor[float64](steps*2, in)
	for b, x := range trial {
		for s := range x.Rows {
			copy(padded.Data[(s*2+b)*in:(s*2+b+1)*in], x.Data[s*in:(s+1)*in])
		}
	}
	tp := autodiff.NewTape[float64]()
	var want layers.Tally
	for _, x := range trial {
		r := e.Run(tp, tp.Const(x), nil, x.Rows, 1, layers.SeqOptions{}, false)
		tl, ok := e.Tally(r.Rates, nil)
		require.True(t, ok)
		want.Add(tl)
	}
	r := e.Run(tp, tp.Const(padded), nil, steps, 2, layers.SeqOptions{}, false)
	tp.Backward(autodiff.Mean(r.Rates)) // the tally reads the op's records after the backward pass too
	got, ok := e.Tally(r.Rates, []int{steps, short})
	require.True(t, ok)
	require.Equal(t, float64((steps+short)*n), got.UnitSteps)
	g, w := got.Map(), want.Map()
	act := 1 - w["activity_sparsity"]
	require.Greater(t, act, 0.02)
	require.Less(t, act, 0.9)
	for _, k := range []string{"rate_per_step", "silent_units", "activity_sparsity", "backward_sparsity", "effective_macs"} {
		require.InDelta(t, w[k], g[k], 1e-12, k)
	}
	require.InDelta(t, act, w["rate_per_step"], 1e-12)
	// The penalty is of the activity over the trials' own steps, not a
	// mean of the trials' penalties.
	require.InDelta(t, o.ActivityReg*(act-o.ActivityTarget)*(act-o.ActivityTarget), g["activity_penalty"], 1e-12)

	all, _ := e.Tally(r.Rates, nil)
	st, _ := e.Stats(r.Rates)
	require.Equal(t, float64(steps*2*n), all.UnitSteps)
	require.InDelta(t, 1-st.Activity, all.Map()["activity_sparsity"], 1e-12)
}

// TestEGRUPenaltyLeavesOutPadding pads the second of two trials from 7 to
// 20 steps with random input and checks that the activity penalty and its
// gradient with the trials' lengths are those of the two trials run
// unpadded, one at a time: the mean activity is over the trials' own
// unit-steps, and the penalty's gradient, linear in the gradients of the
// events, combines each trial's own in the ratio the shared mean sets.
// The padded steps' inputs get no gradient.
func TestEGRUPenaltyLeavesOutPadding(t *testing.T) {
	t.Run("float64", func(t *testing.T) { testEGRUPenaltyPadding[float64](t, 1e-9) })
	t.Run("float32", func(t *testing.T) { testEGRUPenaltyPadding[float32](t, 2e-4) })
}

func testEGRUPenaltyPadding[T autodiff.Float](t *testing.T, tol float64) {
	const steps, short, in, n = 20, 7, 3, 32
	o := layers.DefaultEGRUOptions()
	o.ActivityReg, o.ActivityTarget = 0.5, 0.05
	e := newEGRU[T](t, "egru", in, n, o, rand.New(rand.NewPCG(5, 5)))
	rng := rand.New(rand.NewPCG(9, 9))
	lengths := []int{steps, short}
	trial := [2]autodiff.Tensor[T]{autodiff.NewTensor[T](steps, in), autodiff.NewTensor[T](short, in)}
	padded := autodiff.NewTensor[T](steps*2, in)
	for i := range padded.Data {
		padded.Data[i] = T(2 * rng.NormFloat64())
	}
	for b, x := range trial {
		for s := range x.Rows {
			copy(x.Data[s*in:(s+1)*in], padded.Data[(s*2+b)*in:(s*2+b+1)*in])
		}
	}
	// run returns the penalty, the activity and the gradients of the
	// penalty alone (the rates' own gradient is 0): the parameters', then
	// the input's.
	run := func(x autodiff.Tensor[T], steps, batch int, lengths []int) (pen, act float64, grads [][]T) {
		for _, q := range e.Params() {
			q.ZeroGrad()
		}
		xp := autodiff.NewParam[T]("x", x.Rows, x.Cols)
		copy(xp.Value.Data, x.Data)
		tp := autodiff.NewTape[T]()
		r := e.Run(tp, tp.Param(xp), nil, steps, batch, layers.SeqOptions{Lengths: lengths}, false)
		st, ok := e.Stats(r.Rates)
		require.True(t, ok)
		tp.Backward(autodiff.Scale(autodiff.Sum(r.Rates), 0))
		for _, q := range append(e.Params(), xp) {
			grads = append(grads, append([]T(nil), q.Grad.Data...))
		}
		return st.Penalty, st.Activity, grads
	}
	// The penalty's gradient is 2λ(a − target)/count · Σ ∂o/∂θ over the
	// counted unit-steps: trial b alone gives its own sum scaled by
	// 2λ(a_b − target)/(len_b·N).
	var fired, total float64
	var acts, counts [2]float64
	var alone [2][][]T
	for b, x := range trial {
		_, acts[b], alone[b] = run(x, x.Rows, 1, nil)
		require.Greater(t, math.Abs(acts[b]-o.ActivityTarget), 0.01, "trial %d's activity %g is at the target", b, acts[b])
		counts[b] = float64(x.Rows * n)
		fired, total = fired+acts[b]*counts[b], total+counts[b]
	}
	act := fired / total
	require.Greater(t, act, 0.02)
	require.Less(t, act, 0.9)
	pen, all, got := run(padded, steps, 2, lengths)
	require.InDelta(t, o.ActivityReg*(act-o.ActivityTarget)*(act-o.ActivityTarget), pen, tol*pen, "penalty")
	// Stats' Activity stays the mean over every unit-step, padding included.
	require.NotEqual(t, act, all)

	var scale [2]float64
	for b := range scale {
		scale[b] = (act - o.ActivityTarget) * counts[b] / ((acts[b] - o.ActivityTarget) * total)
	}
	near := func(want []float64, got []T, what string) {
		t.Helper()
		big := 0.0
		for _, w := range want {
			big = max(big, math.Abs(w))
		}
		require.Greater(t, big, 0.0, what)
		for i, w := range want {
			require.InDelta(t, w, float64(got[i]), tol*big, "%s [%d]", what, i)
		}
	}
	last := len(got) - 1
	for k := range last {
		want := make([]float64, len(got[k]))
		for b := range alone {
			for i, g := range alone[b][k] {
				want[i] += scale[b] * float64(g)
			}
		}
		near(want, got[k], e.Params()[k].Name)
	}
	// The input's gradient, row (s, b) from trial b's row s; 0 in the padding.
	want := make([]float64, len(got[last]))
	for b, l := range lengths {
		for s := range l {
			for j := range in {
				want[(s*2+b)*in+j] = scale[b] * float64(alone[b][last][s*in+j])
			}
		}
	}
	near(want, got[last], "x")
	for s := short; s < steps; s++ {
		for j := range in {
			require.Zero(t, got[last][(s*2+1)*in+j], "x's gradient at padded step %d", s)
		}
	}
}

// TestEGRUPenaltyLengthsMatchesReference checks the fused op with trials'
// lengths against the unfused reference, which masks the padded events out
// of the penalty's mean, with and without the trace and zoneout's loop.
func TestEGRUPenaltyLengthsMatchesReference(t *testing.T) {
	lengths := func(int) layers.SeqOptions { return layers.SeqOptions{Lengths: []int{6, 2, 0}} }
	noisy := func(int) layers.SeqOptions {
		return layers.SeqOptions{Lengths: []int{3, 9, 5}, Noise: rand.New(rand.NewPCG(7, 7))}
	}
	// A window of truncated BPTT with a trial that ended before it.
	window := func(int) layers.SeqOptions { return layers.SeqOptions{Lengths: []int{6, 4, 0}, PenaltyShare: 0.29} }
	for i, c := range []egruCase{
		{"plain", func(o *layers.EGRUOptions) { o.ActivityReg, o.ActivityTarget = 2, 0.05 }, lengths, false},
		{"trace-zoneout", func(o *layers.EGRUOptions) { o.ActivityReg, o.ActivityTarget, o.Trace, o.Zoneout = 2, 0.05, true, 0.3 }, noisy, false},
		{"share", func(o *layers.EGRUOptions) { o.ActivityReg, o.ActivityTarget = 2, 0.05 }, window, false},
	} {
		p := newEGRUProblem(t, uint64(i+60), 6, 3, 2, 16, c)
		tol := gradcheck.Tolerance{Rel: 1e-9, Abs: 1e-10, Why: "same float64 expressions, different order"}
		for k, m := range gradcheck.RunFused(gradcheck.Case{Name: c.name, Params: p.params, Loss: p.fusedLoss, Tol: tol}, p.refLoss) {
			if k == 5 {
				break
			}
			t.Errorf("%s: %v", c.name, m)
		}
	}
}

// newEGRU returns layers.NewEGRU's layer and stops tb on its error.
func newEGRU[T autodiff.Float](tb testing.TB, prefix string, inputs, hidden int, opts layers.EGRUOptions, rng *rand.Rand) *layers.EGRU[T] {
	tb.Helper()
	e, err := layers.NewEGRU[T](prefix, inputs, hidden, opts, rng)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}
