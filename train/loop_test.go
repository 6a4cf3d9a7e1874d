package train

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// toyConfig is a small, fast configuration for the loop tests.
func toyConfig() Config {
	c := DefaultConfig()
	c.Steps = 40
	c.BatchSize = 16
	c.LR = 0.01
	c.EvalEvery = 10
	c.EvalTrials = 64
	c.Seed = 7
	return c
}

func toyModel(seed uint64) leaky32 {
	return leaky32{newLeaky[float32](2, 12, 2, 0.05, NewRNG(seed, StreamInit))}
}

func paramsBits(m Model) [][]uint32 {
	var out [][]uint32
	for _, p := range m.Params() {
		b := make([]uint32, len(p.Value.Data))
		for k, v := range p.Value.Data {
			b[k] = math.Float32bits(v)
		}
		out = append(out, b)
	}
	return out
}

// sameParams fails the test unless a and b hold bitwise the same
// parameters; what names the comparison.
func sameParams(t *testing.T, what string, a, b Model) {
	t.Helper()
	pa, pb := paramsBits(a), paramsBits(b)
	for i := range pa {
		for k := range pa[i] {
			if pa[i][k] != pb[i][k] {
				t.Fatalf("%s: %s[%d] = %v, want %v", what, a.Params()[i].Name, k,
					math.Float32frombits(pb[i][k]), math.Float32frombits(pa[i][k]))
			}
		}
	}
}

func TestRunLearnsToyTask(t *testing.T) {
	for _, ce := range []bool{false, true} {
		cfg := toyConfig()
		cfg.Steps = 150
		cfg.EvalEvery = 50
		cfg.TargetAccuracy = 0.95
		m := toyModel(1)
		sum, err := Run(context.Background(), cfg, m, []tasks.Task{toyTask{steps: 12, ce: ce}})
		if err != nil {
			t.Fatal(err)
		}
		if sum.Eval == nil || sum.Eval.Accuracy < 0.9 {
			t.Errorf("ce=%v: held-out accuracy %+v after %d steps, want ≥ 0.9", ce, sum.Eval, sum.Steps)
		}
		t.Logf("ce=%v: %s after %d steps, accuracy %.3f", ce, sum.Reason, sum.Steps, sum.Eval.Accuracy)
	}
}

// TestResumeIdentity trains 2n updates in one go, and n updates, a resume
// from the saved state into a freshly built model, and n more: the
// parameters must be bitwise identical. It exercises noise, truncated BPTT,
// the rate penalty, a schedule and a two-stage curriculum.
func TestResumeIdentity(t *testing.T) {
	for _, kind := range []OptimizerKind{OptAdam, OptSGD, OptAdamW, OptAdamax} {
		cfg := toyConfig()
		cfg.Steps = 20
		cfg.EvalEvery = 5
		cfg.TBPTT = 5
		cfg.Optimizer = DefaultOptimizerConfig(kind)
		if kind == OptSGD {
			cfg.Optimizer.Momentum = 0.9
		}
		cfg.Schedule = Schedule{Kind: Cosine, Warmup: 3}
		cfg.Regularization = Regularization{L2Rate: 0.01, L1Rec: 1e-3, L2Out: 1e-3}
		cfg.AdvanceThreshold = 0.6
		stages := []tasks.Task{toyTask{steps: 12}, toyTask{steps: 14}}

		whole := toyModel(1)
		if _, err := Run(context.Background(), cfg, whole, stages); err != nil {
			t.Fatal(err)
		}

		// The first half stops after update 10 of the same 20-step run (as
		// an interruption would), so the schedule is the same.
		first := toyModel(1)
		sum, err := Run(context.Background(), cfg, first, stages, StepFunc(func(s Step) error {
			if s.Step == 10 {
				return ErrStop
			}
			return nil
		}))
		if err != nil || sum.Steps != 10 {
			t.Fatalf("first half: %v after %d steps", err, sum.Steps)
		}
		// Through JSON, as a checkpoint's metadata would carry it.
		meta, err := json.Marshal(sum.State)
		if err != nil {
			t.Fatal(err)
		}
		var st State
		if err := json.Unmarshal(meta, &st); err != nil {
			t.Fatal(err)
		}
		st.Optimizer.Slots = sum.State.Optimizer.Slots // tensors travel separately
		second := toyModel(99)                         // different init, overwritten below
		for i, p := range second.Params() {
			p.Value.CopyFrom(first.Params()[i].Value)
		}
		if _, err := Resume(context.Background(), cfg, second, stages, st); err != nil {
			t.Fatal(err)
		}
		sameParams(t, kind.String()+": after resume", whole, second)
	}
}

func TestResumeMismatch(t *testing.T) {
	cfg := toyConfig()
	cfg.Steps = 4
	m := toyModel(1)
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{toyTask{steps: 6}})
	if err != nil {
		t.Fatal(err)
	}
	other := leaky32{newLeaky[float32](2, 13, 2, 0.05, NewRNG(1, StreamInit))}
	cfg.Steps = 8
	_, err = Resume(context.Background(), cfg, other, []tasks.Task{toyTask{steps: 6}}, sum.State)
	if err == nil || !strings.Contains(err.Error(), "optimizer/rnn.w_in.exp_avg: shape [2 12], parameter has [2 13]") {
		t.Errorf("resume into a bigger model: err = %v", err)
	}
	sgd := cfg
	sgd.Optimizer = DefaultOptimizerConfig(OptSGD)
	_, err = Resume(context.Background(), sgd, toyModel(1), []tasks.Task{toyTask{steps: 6}}, sum.State)
	if err == nil || !strings.Contains(err.Error(), "optimizer is adam, the config's is sgd") {
		t.Errorf("resume with another optimizer: err = %v", err)
	}
	st := sum.State
	delete(st.RNG, "noise")
	_, err = Resume(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 6}}, st)
	if err == nil || !strings.Contains(err.Error(), `random stream "noise" missing`) {
		t.Errorf("resume without the noise stream: err = %v", err)
	}
}

func TestDivergence(t *testing.T) {
	cfg := toyConfig()
	cfg.Optimizer = DefaultOptimizerConfig(OptSGD)
	cfg.LR = 1e30
	cfg.ClipNorm = 0
	cfg.MaxParam = 0 // non-finite values only: the loss itself must blow up (TestMaxParam checks the bound)
	m := toyModel(1)
	var last int
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{toyTask{steps: 8}}, StepFunc(func(s Step) error {
		last = s.Step
		return nil
	}))
	var de *DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *DivergenceError", err)
	}
	if de.Step != last+1 || sum.Reason != Diverged || sum.Steps != last {
		t.Errorf("diverged at step %d, last completed %d, summary %v after %d", de.Step, last, sum.Reason, sum.Steps)
	}
	if !strings.HasPrefix(err.Error(), "step ") || !(strings.Contains(err.Error(), "NaN") || strings.Contains(err.Error(), "Inf")) {
		t.Errorf("message %q does not name the step and the non-finite value", err)
	}
	if de.Param == "" && !strings.Contains(err.Error(), "activity overflowed (a lower learning rate") {
		t.Errorf("message %q about the loss says neither what overflowed nor what helps", err)
	}
	t.Log(err)

	// A NaN gradient with a finite loss names the parameter and element,
	// and leaves the parameters as they were.
	m = toyModel(1)
	m.poison = true
	before := paramsBits(m)
	_, err = Run(context.Background(), toyConfig(), m, []tasks.Task{toyTask{steps: 8}})
	if err == nil || !strings.HasPrefix(err.Error(), "step 1: gradient of rnn.w_rec has NaN at [3 7]: it overflowed through time before any update, so the initial network") || strings.Contains(err.Error(), "lower learning rate") {
		t.Errorf("poisoned gradient: err = %v", err)
	}
	for i, b := range paramsBits(m) {
		for k := range b {
			if b[k] != before[i][k] {
				t.Fatalf("divergence changed %s[%d]", m.Params()[i].Name, k)
			}
		}
	}
}

func TestInterrupt(t *testing.T) {
	cfg := toyConfig()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ended *Summary
	obs := &endRecorder{onStep: func(s Step) error {
		if s.Step == 5 {
			cancel()
		}
		return nil
	}, end: &ended}
	sum, err := Run(ctx, cfg, toyModel(1), []tasks.Task{toyTask{steps: 6}}, obs)
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want ErrInterrupted wrapping context.Canceled", err)
	}
	if sum.Steps != 5 || sum.State.Step != 5 || sum.Reason != Interrupted {
		t.Errorf("summary: %v after %d steps (state at %d), want interrupted after 5", sum.Reason, sum.Steps, sum.State.Step)
	}
	if ended == nil || ended.Reason != Interrupted {
		t.Errorf("OnEnd got %v, want the interrupted summary", ended)
	}
}

type endRecorder struct {
	onStep func(Step) error
	end    **Summary
}

func (e *endRecorder) OnStep(s Step) error { return e.onStep(s) }
func (e *endRecorder) OnEnd(s Summary) error {
	*e.end = &s
	return nil
}

func TestStopAndCurriculum(t *testing.T) {
	cfg := toyConfig()
	cfg.Steps = 200
	cfg.EvalEvery = 10
	cfg.AdvanceThreshold = 0.8
	cfg.Curriculum = []Stage{{Task: "toy"}, {Task: "toy"}}
	var advancedAt int
	sum, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 8}, toyTask{steps: 10}}, StepFunc(func(s Step) error {
		if s.Stage == 1 && advancedAt == 0 {
			advancedAt = s.Step
		}
		if s.Stage == 1 && s.Step >= advancedAt+10 {
			return ErrStop
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	if advancedAt == 0 || sum.Reason != Stopped || sum.Stage != 1 {
		t.Errorf("advanced at %d, ended %v in stage %d; want an advance and a stop in stage 1", advancedAt, sum.Reason, sum.Stage)
	}
	cfg.Curriculum[1].Task = "other"
	if _, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 8}, toyTask{steps: 10}}); err == nil || !strings.Contains(err.Error(), `curriculum[1].task is "other"`) {
		t.Errorf("mismatched curriculum: err = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, c := range []struct {
		field string
		edit  func(*Config)
	}{
		{"steps", func(c *Config) { c.Steps = 0 }},
		{"batch_size", func(c *Config) { c.BatchSize = -1 }},
		{"lr", func(c *Config) { c.LR = math.NaN() }},
		{"clip_norm", func(c *Config) { c.ClipNorm = -1 }},
		{"tbptt", func(c *Config) { c.TBPTT = -3 }},
		{"target_accuracy", func(c *Config) { c.TargetAccuracy = 1.5 }},
		{"advance_threshold", func(c *Config) { c.AdvanceThreshold = 0 }},
		{"keep", func(c *Config) { c.Keep = 0 }},
		{"optimizer.beta1", func(c *Config) { c.Optimizer.Beta1 = 1 }},
		{"schedule.warmup_steps", func(c *Config) { c.Schedule.Warmup = -1 }},
		{"regularization.l1_rec", func(c *Config) { c.Regularization.L1Rec = -1 }},
		{"curriculum[0].preset", func(c *Config) {
			c.Curriculum = []Stage{{Preset: tasks.OptionalPreset{Preset: tasks.Preset(-1), Set: true}}}
		}},
		{"curriculum[1].settings", func(c *Config) { c.Curriculum = []Stage{{}, {Settings: &tasks.Settings{Steps: -1}}} }},
	} {
		cfg := DefaultConfig()
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), c.field+":") {
			t.Errorf("%s: err = %v", c.field, err)
		}
	}
	// JSON round trip with the typed enums as text.
	cfg := DefaultConfig()
	cfg.Optimizer = DefaultOptimizerConfig(OptAdamW)
	cfg.Schedule = Schedule{Kind: Cosine, Warmup: 10}
	cfg.ClipMode = ClipPerTensor
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"adamw"`, `"kind":"cosine"`, `"clip_mode":"per-tensor"`, `"batch_size":64`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
	back := DefaultConfig()
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) {
		t.Errorf("JSON round trip changed the config:\n%s\n%s", b, b2)
	}
	if err := json.Unmarshal([]byte(`{"optimizer":{"kind":"rmsprop"}}`), &back); err == nil || !strings.Contains(err.Error(), "adamax") {
		t.Errorf("unknown optimizer in JSON: err = %v", err)
	}
}

// fixedTask returns the same pre-drawn batch every time, so that the loop's
// own allocations can be measured.
type fixedTask struct {
	toyTask
	b tasks.Batch
}

func (f *fixedTask) Batch(*rand.Rand, int) tasks.Batch { return f.b }

func TestUpdateAllocatesNothing(t *testing.T) {
	for _, k := range []int{0, 4} {
		cfg := toyConfig()
		cfg.TBPTT = k
		cfg.Regularization = Regularization{L2Rate: 0.1, L2Rec: 0.1}
		task := &fixedTask{toyTask: toyTask{steps: 12}}
		task.b = task.toyTask.Batch(NewRNG(1, StreamBatch), cfg.BatchSize)
		l, err := newLoop(cfg, toyModel(1), []tasks.Task{task}, State{})
		if err != nil {
			t.Fatal(err)
		}
		l.update() // warm up the tape's arena
		allocs := testing.AllocsPerRun(10, func() {
			if _, err := l.update(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("tbptt=%d: %v allocations per update, want 0", k, allocs)
		}
	}
	// The same with the real network on a real task.
	pdm, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := toyConfig()
	cfg.TBPTT = 20
	cfg.Regularization = Regularization{L2Rate: 0.1, L1In: 0.1}
	fixed := realFixed{pdm, pdm.Batch(NewRNG(1, StreamBatch), cfg.BatchSize)}
	l, err := newLoop(cfg, smallNetwork(t, pdm, 16, 1), []tasks.Task{fixed}, State{})
	if err != nil {
		t.Fatal(err)
	}
	l.update()
	if allocs := testing.AllocsPerRun(10, func() { l.update() }); allocs != 0 {
		t.Errorf("rnn.Network on perceptual-dm: %v allocations per update, want 0", allocs)
	}
}

// realFixed is a real task that returns one pre-drawn batch.
type realFixed struct {
	tasks.Task
	b tasks.Batch
}

func (r realFixed) Batch(*rand.Rand, int) tasks.Batch { return r.b }

// TestTruncatedMemory measures the bytes a short run of a leaky
// rnn.Network allocates at trial lengths 100 and 1000. With full BPTT the
// tape holds every step, so the bytes grow with T; with K = 50 only one
// window is alive, and what grows is the batch itself (inputs, targets,
// mask: B·T·6 floats), which the task allocates.
func TestTruncatedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("measures allocation over 4 short runs")
	}
	const hidden, batch = 64, 8
	measure := func(k, steps int) uint64 {
		cfg := toyConfig()
		cfg.Steps, cfg.BatchSize, cfg.TBPTT, cfg.EvalTrials = 2, batch, k, batch
		m, err := rnn.New[float32](rnn.Config{Inputs: 2, Hidden: hidden, Outputs: 2}, NewRNG(1, StreamInit))
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := Run(context.Background(), cfg, m, []tasks.Task{toyTask{steps: steps}}); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	// The least of three runs: a run can also allocate the GEMM workers'
	// packing buffers the first time two calls overlap, which depends on
	// scheduling, not on T.
	least := func(k, steps int) int64 {
		return int64(min(measure(k, steps), measure(k, steps), measure(k, steps)))
	}
	full := least(0, 1000) - least(0, 100)
	trunc := least(50, 1000) - least(50, 100)
	// The batch: 3 arrays of T·B·2 float32 per draw, 2 training draws + 1
	// eval set, plus the eval outputs.
	batchBytes := int64(900 * batch * 2 * 4 * (3*3 + 1))
	t.Logf("growth from T=100 to T=1000: full BPTT %d B, K=50 %d B (batch data %d B)", full, trunc, batchBytes)
	if trunc > 2*batchBytes {
		t.Errorf("truncated BPTT grew by %d B from T=100 to 1000, more than twice the batch data (%d B)", trunc, batchBytes)
	}
	if full < 4*trunc {
		t.Errorf("full BPTT grew by %d B, truncated by %d B: expected the tape to dominate", full, trunc)
	}
}

// BenchmarkUpdate measures one update of the test double (T = 50, batch
// 16, 12 units); allocs/op must be 0.
func BenchmarkUpdate(b *testing.B) {
	cfg := toyConfig()
	task := &fixedTask{toyTask: toyTask{steps: 50}}
	task.b = task.toyTask.Batch(NewRNG(1, StreamBatch), cfg.BatchSize)
	l, err := newLoop(cfg, toyModel(1), []tasks.Task{task}, State{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.update(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestLogger(t *testing.T) {
	var buf strings.Builder
	cfg := toyConfig() // 40 steps
	cfg.EvalEvery = 20
	if _, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 6}}, &Logger{W: &buf, Every: 10, Total: cfg.Steps}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// Steps 10, 20 (eval), 30, 40 (eval), and the end line.
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "step 10/40 stage 0 loss ") || !strings.Contains(lines[1], " acc ") ||
		strings.Contains(lines[2], " acc ") || !strings.HasPrefix(lines[4], "completed after 40 steps, held-out accuracy ") {
		t.Errorf("log:\n%s", buf.String())
	}
}
