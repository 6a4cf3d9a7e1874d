package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/model"
	"github.com/rnntrain/rnntrain/tasks"
)

// linearModel is out_t = x_t·W, W [in, out]: no recurrence, so every
// window's loss and gradient can be written down by hand. onForward, if
// set, runs at the start of every Forward.
type linearModel struct {
	w         *autodiff.Param[float32]
	onForward func()
}

func (m *linearModel) Params() []*autodiff.Param[float32] { return []*autodiff.Param[float32]{m.w} }

func (m *linearModel) StateVars() []layers.StateVar {
	return []layers.StateVar{{Name: "h", Size: m.w.Value.Cols}}
}

func (m *linearModel) Forward(tp *autodiff.Tape[float32], x autodiff.Tensor[float32], steps, batch int, opt model.Options[float32]) model.Result[float32] {
	if m.onForward != nil {
		m.onForward()
	}
	out := autodiff.MatMul(tp.Const(x), false, tp.Param(m.w), false)
	final := tp.Alloc(batch, m.w.Value.Cols)
	final.CopyFrom(out.Value.RowSlice((steps-1)*batch, steps*batch))
	return model.Result[float32]{Out: out, Rates: out, Final: []autodiff.Tensor[float32]{final}}
}

// fixedBatchTask serves one batch.
type fixedBatchTask struct {
	b    tasks.Batch
	loss tasks.Loss
}

func (f fixedBatchTask) Name() string                               { return "fixed" }
func (f fixedBatchTask) Dims() (int, int)                           { return f.b.NIn, f.b.NOut }
func (f fixedBatchTask) Loss() tasks.Loss                           { return f.loss }
func (f fixedBatchTask) Batch(*rand.Rand, int) tasks.Batch          { return f.b }
func (f fixedBatchTask) Score([]float32, *tasks.Batch) tasks.Result { return tasks.Result{} }

// fpttHand is the FPTT state of a one-parameter model, computed in float64
// from the update's formulas.
type fpttHand struct{ w, mean, lambda float64 }

// window applies one window: k SGD steps of rate lr on
// ℓ'(w) + (ρ−1)λ + reg·α(w − w̄), then λ ← λ − α(w − w̄),
// w̄ ← (1−β)w̄ + βw − (β/α)λ.
func (h fpttHand) window(grad func(w float64) float64, k int, lr, alpha, beta, rho, reg float64) fpttHand {
	for range k {
		h.w -= lr * (grad(h.w) + (rho-1)*h.lambda + reg*alpha*(h.w-h.mean))
	}
	h.lambda -= alpha * (h.w - h.mean)
	h.mean = (1-beta)*h.mean + beta*h.w - beta/alpha*h.lambda
	return h
}

func closeTo(got, want float64) bool { return math.Abs(got-want) <= 1e-5*max(1, math.Abs(want)) }

// TestFPTTTwoWindows checks W, W̄ and λ after each of two windows against
// the formulas evaluated by hand, for the window loss and the progressive
// loss, one and two inner steps, and the end-of-epoch reset W ← W̄, λ ← 0.
func TestFPTTTwoWindows(t *testing.T) {
	const w0, lr, alpha, beta, rho, reg = 0.7, 0.1, 0.3, 0.6, 0.2, 1.5
	x := []float32{1, 2, -1, 0.5}
	y := []float32{0.5, 1, 0.3, -0.2}
	for _, tc := range []struct {
		name        string
		progressive bool
		k           int
		reset       bool
	}{
		{"window", false, 1, false},
		{"window K=2", false, 2, false},
		{"window reset", false, 1, true},
		{"progressive", true, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tasks.Batch{T: 4, B: 1, NIn: 1, NOut: 1, Inputs: x, Targets: y, Mask: []float32{1, 1, 1, 1},
				Lengths: []int{4}, Trials: make([]tasks.Trial, 1)}
			// Window losses: MaskedMSE over the window's two steps, or,
			// progressive, the answer (step 3's target, the only masked
			// step) read at the window's last step with weight (p+1)/2.
			grads := []func(float64) float64{
				func(w float64) float64 { return ((w*1-0.5)*1 + (w*2-1)*2) }, // (2/2)·Σ(wx−y)x
				func(w float64) float64 { return ((w*-1-0.3)*-1 + (w*0.5+0.2)*0.5) },
			}
			if tc.progressive {
				b.Mask = []float32{0, 0, 0, 1}
				grads = []func(float64) float64{
					func(w float64) float64 { return 0.5 * 2 * (w*2 + 0.2) * 2 },
					func(w float64) float64 { return 1 * 2 * (w*0.5 + 0.2) * 0.5 },
				}
			}
			cfg := DefaultConfig()
			cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials = 1, 1, 0, 1
			cfg.Optimizer, cfg.LR, cfg.ClipNorm = DefaultOptimizerConfig(OptSGD), lr, 0
			cfg.Trainer = FPTT
			cfg.FPTT = FPTTConfig{Parts: 2, K: tc.k, Alpha: alpha, Beta: beta, Rho: rho, Reg: reg, ResetEvery: -1}
			if tc.progressive {
				cfg.FPTT.Loss = Progressive
			}
			if tc.reset {
				cfg.FPTT.ResetEvery = 1
			}
			m := &linearModel{w: autodiff.NewParam[float32]("w", 1, 1)}
			m.w.Value.Data[0] = w0
			l, err := newLoop(cfg, m, []tasks.Task{fixedBatchTask{b, tasks.MSE}}, State{})
			if err != nil {
				t.Fatal(err)
			}
			var seen []fpttHand // the state at the start of every forward pass
			m.onForward = func() {
				seen = append(seen, fpttHand{float64(m.w.Value.Data[0]), float64(l.fptt.dyn.Mean[0][0]), float64(l.fptt.dyn.Lambda[0][0])})
			}
			if _, err := l.update(); err != nil {
				t.Fatal(err)
			}
			after := fpttHand{float64(m.w.Value.Data[0]), float64(l.fptt.dyn.Mean[0][0]), float64(l.fptt.dyn.Lambda[0][0])}

			h0 := fpttHand{w: w0, mean: w0}
			h1 := h0.window(grads[0], tc.k, lr, alpha, beta, rho, reg)
			h2 := h1.window(grads[1], tc.k, lr, alpha, beta, rho, reg)
			want := h2
			if tc.reset {
				want = fpttHand{w: h2.mean, mean: h2.mean}
			}
			if len(seen) != 2*tc.k {
				t.Fatalf("%d forward passes, want %d", len(seen), 2*tc.k)
			}
			check := func(what string, got, want fpttHand) {
				t.Helper()
				if !closeTo(got.w, want.w) || !closeTo(got.mean, want.mean) || !closeTo(got.lambda, want.lambda) {
					t.Errorf("%s: (W, W̄, λ) = (%.7g, %.7g, %.7g), want (%.7g, %.7g, %.7g)", what,
						got.w, got.mean, got.lambda, want.w, want.mean, want.lambda)
				}
			}
			check("start", seen[0], h0)
			check("after window 1", seen[tc.k], h1)
			check("after window 2", after, want)
			if h1.lambda == 0 || h2.mean == h2.w {
				t.Fatal("degenerate case: λ or W − W̄ stayed 0")
			}
		})
	}
}

// TestFPTTProgressiveCrossEntropy checks sFPTT's target for a window,
// w_p·onehot + (1−w_p)/C·π̂, through the loss value, and the prior update
// from the first misclassified trial of each class.
func TestFPTTProgressiveCrossEntropy(t *testing.T) {
	const T, B, C = 4, 3, 2
	// Inputs 1 everywhere; the answer (one-hot labels 0, 1, 1) at the last
	// step; W = [0.2, −0.4] makes every trial output logits (0.2, −0.4),
	// class 0: trial 0 is right, trials 1 and 2 are wrong.
	b := tasks.Batch{T: T, B: B, NIn: 1, NOut: C, Inputs: make([]float32, T*B), Targets: make([]float32, T*B*C),
		Mask: make([]float32, T*B*C), Lengths: []int{T, T, T}, Trials: make([]tasks.Trial, B)}
	for i := range b.Inputs {
		b.Inputs[i] = 1
	}
	for i, lab := range []int{0, 1, 1} {
		off := ((T-1)*B + i) * C
		b.Targets[off+lab] = 1
		b.Mask[off], b.Mask[off+1] = 1, 1
	}
	cfg := DefaultConfig()
	cfg.BatchSize, cfg.Trainer = B, FPTT
	cfg.FPTT.Parts, cfg.FPTT.Loss = 2, Progressive
	m := &linearModel{w: autodiff.NewParam[float32]("w", 1, C)}
	copy(m.w.Value.Data, []float32{0.2, -0.4})
	l, err := newLoop(cfg, m, []tasks.Task{fixedBatchTask{b, tasks.CrossEntropy}}, State{})
	if err != nil {
		t.Fatal(err)
	}
	f := l.fptt
	f.answers(&b)
	f.prior.ensure(C, 2)
	copy(f.prior.row(1, 0), []float32{0.9, 0.1}) // a previous estimate for class 1
	f.tgt, f.msk = make([]float32, 2*B*C), make([]float32, 2*B*C)
	l.rowMask = make([]float32, 2*B)
	tp := autodiff.NewTape[float32]()
	x := autodiff.FromSlice(2*B, 1, b.Inputs[:2*B])
	out := m.Forward(tp, x, 2, B, model.Options[float32]{}).Out
	loss := f.progressiveLoss(l, out, &b, tasks.CrossEntropy, 0, 2, 0, 2, true)

	ls0 := 0.2 - math.Log(math.Exp(0.2)+math.Exp(-0.4)) // log softmax
	ls1 := -0.4 - math.Log(math.Exp(0.2)+math.Exp(-0.4))
	// Window 0 of 2: w = 1/2 on the label, 1/2 spread as (1/2)/C·π̂.
	ce := func(lab int, pri [2]float64) float64 {
		t := [2]float64{0.25 * pri[0], 0.25 * pri[1]}
		t[lab] += 0.5
		return -(t[0]*ls0 + t[1]*ls1)
	}
	want := (ce(0, [2]float64{0.5, 0.5}) + 2*ce(1, [2]float64{0.9, 0.1})) / 3
	if got := float64(loss.Value.Data[0]); !closeTo(got, want) {
		t.Errorf("window 0 loss %.7g, want %.7g", got, want)
	}
	// Class 1 was misclassified (first by trial 1): π̂[1][0] = softmax.
	p0 := math.Exp(ls0)
	if got := f.prior.row(1, 0); !closeTo(float64(got[0]), p0) || !closeTo(float64(got[1]), 1-p0) {
		t.Errorf("π̂[1][0] = %v, want softmax (%.6f, %.6f)", got, p0, 1-p0)
	}
	if got := f.prior.row(0, 0); got[0] != 0.5 || got[1] != 0.5 {
		t.Errorf("π̂[0][0] = %v: class 0 was classified right, want it unchanged (uniform)", got)
	}
}

// TestFPTTResumeIdentity trains 2n updates in one go, and n updates, a
// checkpoint file, RestoreState into a differently initialised model, and
// n more: the parameters must be bitwise equal. It covers the window loss
// with truncation-free MSE and the progressive cross-entropy loss (whose
// class prior is part of the state), Adam and SGD with momentum, two
// inner steps and an epoch reset inside the run.
func TestFPTTResumeIdentity(t *testing.T) {
	for _, ce := range []bool{false, true} {
		cfg := toyConfig()
		cfg.Steps, cfg.EvalEvery = 12, 4
		cfg.Trainer = FPTT
		cfg.FPTT.Parts, cfg.FPTT.K, cfg.FPTT.ResetEvery = 3, 2, 5
		cfg.Regularization = Regularization{L2Rate: 0.01, L2Rec: 1e-3}
		if ce {
			cfg.FPTT.Loss, cfg.FPTT.K, cfg.FPTT.PriorAfter = Progressive, 1, 3
			cfg.Optimizer = DefaultOptimizerConfig(OptSGD)
			cfg.Optimizer.Momentum = 0.9
		}
		stages := []tasks.Task{toyTask{steps: 12, ce: ce}}
		whole := toyModel(1)
		if _, err := Run(context.Background(), cfg, whole, stages); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		first := toyModel(1)
		ck := &Checkpointer{Dir: dir, Model: first, Meta: checkpoints.Meta{Model: "leaky", Task: "toy"}}
		if sum, err := Run(context.Background(), cfg, first, stages, ck, stopAt(6)); err != nil || sum.Steps != 6 {
			t.Fatalf("first half: %v after %d steps", err, sum.Steps)
		}
		c, err := checkpoints.Load(checkpoints.LatestPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Tensor("optimizer/rnn.w_rec.fptt_mean"); !ok {
			t.Fatal("checkpoint has no optimizer/rnn.w_rec.fptt_mean")
		}
		if _, ok := c.Tensor(fpttPriorTensor); ok != ce {
			t.Fatalf("class prior in the checkpoint: %v, want %v", ok, ce)
		}
		second := toyModel(99)
		st, err := RestoreState(c, second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Resume(context.Background(), cfg, second, stages, st); err != nil {
			t.Fatal(err)
		}
		sameParams(t, fmt.Sprintf("ce=%v: after resume", ce), whole, second)
		// The same checkpoint under trainer bptt is refused.
		bptt := cfg
		bptt.Trainer = BPTT
		if _, err := Resume(context.Background(), bptt, toyModel(1), stages, st); err == nil || !strings.Contains(err.Error(), "fptt") {
			t.Errorf("resuming an FPTT state under bptt: err = %v", err)
		}
	}
}

func TestFPTTLearnsToyTask(t *testing.T) {
	for _, loss := range []WindowLoss{WindowMasked, Progressive} {
		cfg := toyConfig()
		cfg.Steps, cfg.EvalEvery, cfg.TargetAccuracy = 150, 25, 0.95
		cfg.Trainer = FPTT
		cfg.FPTT.Parts, cfg.FPTT.Loss = 3, loss
		sum, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 12, ce: true}})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %s after %d steps, accuracy %.3f", loss, sum.Reason, sum.Steps, sum.Eval.Accuracy)
		// Chance is 0.5. The progressive loss trains the last step of each
		// window on the answer, while the toy task scores the mean output
		// over the last third of the trial, so it is held to less (0.86
		// after 150 steps).
		want := 0.9
		if loss == Progressive {
			want = 0.8
		}
		if sum.Eval.Accuracy < want {
			t.Errorf("%v: held-out accuracy %.3f, want ≥ %.2f", loss, sum.Eval.Accuracy, want)
		}
	}
}

func TestFPTTUpdateAllocatesNothing(t *testing.T) {
	for _, ce := range []bool{false, true} {
		cfg := toyConfig()
		cfg.Trainer = FPTT
		cfg.FPTT.Parts, cfg.FPTT.Loss = 4, Progressive
		task := &fixedTask{toyTask: toyTask{steps: 12, ce: ce}}
		task.b = task.toyTask.Batch(NewRNG(1, StreamBatch), cfg.BatchSize)
		l, err := newLoop(cfg, toyModel(1), []tasks.Task{task}, State{})
		if err != nil {
			t.Fatal(err)
		}
		l.update()
		if allocs := testing.AllocsPerRun(10, func() { l.update() }); allocs != 0 {
			t.Errorf("ce=%v: %v allocations per FPTT update, want 0", ce, allocs)
		}
	}
}

func TestFPTTConfig(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Config)
		want string
	}{
		{func(c *Config) { c.FPTT.Parts = 0 }, "fptt.parts"},
		{func(c *Config) { c.FPTT.K = 0 }, "fptt.k"},
		{func(c *Config) { c.FPTT.Alpha = 0 }, "fptt.alpha"},
		{func(c *Config) { c.FPTT.Beta = 1.5 }, "fptt.beta"},
		{func(c *Config) { c.FPTT.Rho = math.NaN() }, "fptt.rho"},
		{func(c *Config) { c.FPTT.Reg = -1 }, "fptt.reg"},
		{func(c *Config) { c.FPTT.ResetEvery = -2 }, "fptt.reset_every"},
		{func(c *Config) { c.FPTT.PriorAfter = -1 }, "fptt.prior_after"},
		{func(c *Config) { c.TBPTT = 10 }, "tbptt"},
		{func(c *Config) { c.Trainer = 5 }, "trainer"},
	} {
		c := DefaultConfig()
		c.Trainer = FPTT
		tc.mod(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
	var tr Trainer
	if err := tr.UnmarshalText([]byte("fptt")); err != nil || tr != FPTT {
		t.Errorf("UnmarshalText(fptt) = %v, %v", tr, err)
	}
	if err := tr.UnmarshalText([]byte("rtrl")); err == nil || !strings.Contains(err.Error(), "bptt, fptt") {
		t.Errorf("UnmarshalText(rtrl): %v", err)
	}
	var wl WindowLoss
	if err := wl.UnmarshalText([]byte("progressive")); err != nil || wl != Progressive {
		t.Errorf("UnmarshalText(progressive) = %v, %v", wl, err)
	}
	for T, want := range map[int]int{1000: 100, 784: 78, 5: 1} {
		if got := DefaultFPTTConfig().WindowSteps(T); got != want {
			t.Errorf("WindowSteps(%d) = %d, want %d", T, got, want)
		}
	}
}
