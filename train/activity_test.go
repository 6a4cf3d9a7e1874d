package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// The EGRU's activity penalty under truncated BPTT. The tests use an EGRU
// whose steps do not interact: W_hh = 0, the update gate shut (u = σ(−200)
// = 0, so c̃_t = z_t does not read c_{t−1}) and a zero readout, so the
// task loss sends no gradient into the layer. The thresholds' gradient is
// then the activity penalty's alone, −Σ ∂P/∂o·∂o/∂c̃ over the unit-steps
// (∂o/∂ϑ = −∂o/∂c̃), the same whether the gradient is cut at window
// boundaries or not.
const (
	actIn, actN        = 2, 8
	actReg, actTarget  = 2.0, 0.05
	actGamma, actEps   = 0.7, 1.0
	actSteps, actBatch = 12, 3
)

// activityNet returns the non-interacting EGRU network and its threshold.
func activityNet(t *testing.T) (*rnn.Network[float32], *autodiff.Param[float32]) {
	t.Helper()
	mc := &rnn.EGRUConfig{Gamma: actGamma, Eps: actEps, ActivityReg: actReg, ActivityTarget: actTarget}
	net, err := rnn.New[float32](rnn.Config{Inputs: actIn, Hidden: actN, Outputs: 1, Model: mc}, rand.New(rand.NewPCG(4, 4)))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	var thr *autodiff.Param[float32]
	for _, p := range net.Params() {
		switch {
		case strings.HasSuffix(p.Name, ".weight_hh"), p.Name == "readout.weight":
			clear(p.Value.Data)
		case strings.HasSuffix(p.Name, ".bias_ih"):
			for j := actN; j < 2*actN; j++ {
				p.Value.Data[j] = -200 // the update gate's block: u = 0
			}
		case strings.HasSuffix(p.Name, ".threshold"):
			thr = p
			for j := range p.Value.Data {
				p.Value.Data[j] = float32(0.6*rng.Float64() - 0.3)
			}
		}
	}
	if thr == nil {
		t.Fatal("the EGRU network has no threshold parameter")
	}
	return net, thr
}

// activityBatch draws a batch of inputs: constant over each trial's steps
// when constant is set (every step, so every window, then has the same
// activity), else fresh at every step.
func activityBatch(constant bool, lengths []int) tasks.Batch {
	rng := rand.New(rand.NewPCG(6, 6))
	b := tasks.Batch{T: actSteps, B: actBatch, NIn: actIn, NOut: 1, Lengths: lengths}
	b.Inputs = make([]float32, actSteps*actBatch*actIn)
	b.Targets = make([]float32, actSteps*actBatch)
	b.Mask = make([]float32, actSteps*actBatch)
	for i := range b.Inputs {
		b.Inputs[i] = float32(2 * rng.NormFloat64())
		if constant && i >= actBatch*actIn {
			b.Inputs[i] = b.Inputs[i-actBatch*actIn]
		}
	}
	for i := range b.Targets {
		b.Targets[i], b.Mask[i] = float32(rng.NormFloat64()), 1
	}
	return b
}

// thresholdGrad returns the gradient of the thresholds that one update's
// windows of k steps (0: full BPTT) accumulate on b, and the penalty the
// update reports.
func thresholdGrad(t *testing.T, net *rnn.Network[float32], thr *autodiff.Param[float32], b tasks.Batch, k int) ([]float64, float64) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.TBPTT = k
	l, err := newLoop(cfg, net, []tasks.Task{fixedBatchTask{b: b, loss: tasks.MSE}}, State{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.params {
		p.ZeroGrad()
	}
	_, pen := l.windows(l.tp, nil, &b, tasks.MSE, true, nil)
	g := make([]float64, len(thr.Grad.Data))
	for j, v := range thr.Grad.Data {
		g[j] = float64(v)
	}
	return g, pen
}

// activityEvents returns c̃ and the events o of every unit-step of b
// ([T·B, N], time-major); the steps do not interact, so one pass over the
// whole batch gives those of any windows.
func activityEvents(net *rnn.Network[float32], thr *autodiff.Param[float32], b tasks.Batch) ([]float32, []float64) {
	tp := autodiff.NewTape[float32]()
	pre := net.Forward(tp, autodiff.FromSlice(b.T*b.B, b.NIn, b.Inputs), b.T, b.B, model.Options[float32]{Record: true}).Pre
	o := make([]float64, len(pre.Data))
	for i, c := range pre.Data {
		if c > thr.Value.Data[i%actN] {
			o[i] = 1
		}
	}
	return pre.Data, o
}

// nearSlice fails unless got is within tol·max|want| of want.
func nearSlice(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	big := 0.0
	for _, w := range want {
		big = max(big, math.Abs(w))
	}
	if big == 0 {
		t.Fatalf("%s: the wanted gradient is 0; the test would not tell", what)
	}
	for j := range want {
		if math.Abs(got[j]-want[j]) > tol*big {
			t.Errorf("%s [%d] = %g, want %g", what, j, got[j], want[j])
		}
	}
}

// TestEGRUActivityPenaltyWindows checks that truncated BPTT does not
// change the activity penalty when the activity is the same in every
// window: the penalty the update reports and the thresholds' gradient,
// summed over windows of 4 and of 5 steps (the last window shorter), are
// those of the whole sequence, λ·(a − target)². Without each window's
// share every window would add a whole penalty of its own mean, and both
// would grow with the number of windows.
func TestEGRUActivityPenaltyWindows(t *testing.T) {
	net, thr := activityNet(t)
	b := activityBatch(true, nil)
	_, o := activityEvents(net, thr, b)
	fired := 0.0
	for _, v := range o {
		fired += v
	}
	a := fired / float64(len(o))
	if math.Abs(a-actTarget) < 0.1 {
		t.Fatalf("activity %g is too close to the target %g for the test to tell", a, actTarget)
	}
	want := actReg * (a - actTarget) * (a - actTarget)
	full, pen := thresholdGrad(t, net, thr, b, 0)
	if !closeTo(pen, want) {
		t.Errorf("full BPTT: penalty %g, want %g", pen, want)
	}
	for _, k := range []int{4, 5} {
		g, pen := thresholdGrad(t, net, thr, b, k)
		if !closeTo(pen, want) {
			t.Errorf("tbptt %d: penalty %g, want %g", k, pen, want)
		}
		// float32 sums of up to 36 terms per unit, in a different order.
		nearSlice(t, fmt.Sprintf("tbptt %d: ∂P/∂ϑ", k), g, full, 1e-5)
	}
}

// TestEGRUActivityPenaltyWindowsFiniteDifferences checks the thresholds'
// gradient under windows of 5 steps, with trials of different lengths
// and an activity that changes from step to step, against the documented
// penalty P = Σ_w share_w·λ·(a_w − target)², share_w the window's
// unit-steps within the trials' lengths over the batch's: ∂P/∂o of every
// unit-step by central differences in the events o (P is piecewise
// constant in ϑ itself, the Heaviside step's true derivative being 0),
// times ∂o/∂ϑ = −γ·max(0, 1 − ε|c̃ − ϑ|).
func TestEGRUActivityPenaltyWindowsFiniteDifferences(t *testing.T) {
	const k = 5
	lengths := []int{actSteps, 7, 3}
	net, thr := activityNet(t)
	b := activityBatch(false, lengths)
	got, pen := thresholdGrad(t, net, thr, b, k)

	pre, o := activityEvents(net, thr, b)
	rows := actSteps * actBatch
	counted := func(row int) bool { return row/actBatch < lengths[row%actBatch] }
	total := 0.0
	for row := range rows {
		if counted(row) {
			total += actN
		}
	}
	penalty := func(o []float64) float64 {
		var p float64
		for t0 := 0; t0 < actSteps; t0 += k {
			var sum, count float64
			for row := t0 * actBatch; row < min(t0+k, actSteps)*actBatch; row++ {
				if !counted(row) {
					continue
				}
				for j := range actN {
					sum += o[row*actN+j]
				}
				count += actN
			}
			if count > 0 {
				d := sum/count - actTarget
				p += count / total * actReg * d * d
			}
		}
		return p
	}
	if want := penalty(o); !closeTo(pen, want) {
		t.Errorf("penalty %g, want %g", pen, want)
	}
	// P is quadratic in o: central differences are exact up to rounding.
	const h = 1e-3
	want := make([]float64, actN)
	for i, c := range pre {
		j := i % actN
		pd := actGamma * max(0, 1-actEps*math.Abs(float64(c)-float64(thr.Value.Data[j])))
		save := o[i]
		o[i] = save + h
		up := penalty(o)
		o[i] = save - h
		down := penalty(o)
		o[i] = save
		want[j] -= (up - down) / (2 * h) * pd
	}
	// float32 accumulation of the op against float64 here.
	nearSlice(t, "∂P/∂ϑ", got, want, 1e-4)
}
