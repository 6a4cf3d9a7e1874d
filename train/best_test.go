package train

import (
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
)

// TestBestOrder feeds Best a sequence of evaluations and checks which it
// keeps: higher accuracy, then lower task loss (not the MSE, which for a
// cross-entropy task is of logits), then the earlier step; a later
// curriculum stage beats any earlier one; NaN never counts.
func TestBestOrder(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	m := smallNetwork(t, task, 8, 1)
	dir := t.TempDir()
	b := NewBest(dir)
	for _, c := range []struct {
		e    Eval
		want int // step kept after it
	}{
		{Eval{Step: 10, Accuracy: 0.6, Loss: 0.5, MSE: 0.5}, 10},
		{Eval{Step: 20, Accuracy: 0.9, Loss: 0.4, MSE: 0.1}, 20},
		{Eval{Step: 30, Accuracy: 0.8, Loss: 0.1, MSE: 0.1}, 20},
		{Eval{Step: 40, Accuracy: 0.9, Loss: 0.4, MSE: 0.05}, 20},
		{Eval{Step: 50, Accuracy: 0.9, Loss: 0.3, MSE: 7000}, 50},
		{Eval{Step: 60, Accuracy: math.NaN(), Loss: 0.1, MSE: 0.1}, 50},
		{Eval{Step: 70, Stage: 1, Accuracy: 0.5, Loss: 0.8, MSE: 0.9}, 70},
		{Eval{Step: 80, Stage: 0, Accuracy: 1, MSE: 0}, 70},
	} {
		if b.Improves(&c.e) {
			cp, err := NewCheckpoint(checkpoints.Meta{Task: task.Name()}, m, State{Step: c.e.Step, Stage: c.e.Stage})
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Keep(cp, &c.e); err != nil {
				t.Fatal(err)
			}
		}
		if b.Step != c.want {
			t.Fatalf("after the evaluation of step %d the best is step %d, want %d", c.e.Step, b.Step, c.want)
		}
	}
	// What a later process finds: the file of step 70, counted when it
	// resumes at or after it, not when it resumes before.
	for _, c := range []struct{ at, want int }{{70, 70}, {100, 70}, {69, -1}} {
		r, err := ResumeBest(dir, c.at, m, checkpoints.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Step != c.want {
			t.Errorf("resumed at step %d: best step %d, want %d", c.at, r.Step, c.want)
		}
		if r.Step >= 0 && (r.Accuracy != 0.5 || r.Loss != 0.8 || r.Stage != 1) {
			t.Errorf("resumed at step %d: best %+v, want accuracy 0.5, loss 0.8, stage 1", c.at, r)
		}
	}
	// The file holds the scores of the evaluation it was kept for, the
	// outputs' MSE beside the loss.
	if c, err := checkpoints.Load(checkpoints.BestPath(dir)); err != nil || c.Meta.Metrics[BestAccuracyMetric] != 0.5 ||
		c.Meta.Metrics[BestLossMetric] != 0.8 || c.Meta.Metrics[BestMSEMetric] != 0.9 {
		t.Errorf("best file's metrics %v (%v), want accuracy 0.5, loss 0.8, mse 0.9", c.Meta.Metrics, err)
	}
	if r, err := ResumeBest(t.TempDir(), 5, m, checkpoints.Meta{}); err != nil || r.Step != -1 {
		t.Errorf("a directory without a best checkpoint gave %+v, %v", r, err)
	}
	if err := os.WriteFile(checkpoints.BestPath(dir), []byte("not a checkpoint"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ResumeBest(dir, 100, m, checkpoints.Meta{}); err == nil {
		t.Error("an unreadable best checkpoint was accepted")
	}
}

// TestCheckpointerKeepBest runs training with a Checkpointer that keeps
// the best evaluation and checks that best.safetensors holds the weights
// of the step whose evaluation an observer saw score best.
func TestCheckpointerKeepBest(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials, cfg.LR = 40, 8, 5, 32, 1
	m := smallNetwork(t, task, 16, 2)
	dir := t.TempDir()
	ck := &Checkpointer{Dir: dir, Keep: 1, Model: m, Meta: checkpoints.Meta{Task: task.Name()}, KeepBest: true}
	var evals []Eval
	params := map[int][]float32{}
	// After step 36 the readout is zeroed: the evaluation of step 40
	// scores an output that ignores the network, so the best is earlier.
	readout := m.Readout().Weight().Value.Data
	watch := StepFunc(func(s Step) error {
		if s.Step == 36 {
			clear(readout)
		}
		if s.Eval != nil {
			evals = append(evals, *s.Eval)
			params[s.Step] = append([]float32(nil), m.Params()[0].Value.Data...)
		}
		return nil
	})
	if _, err := Run(context.Background(), cfg, m, []tasks.Task{task}, ck, watch); err != nil {
		t.Fatal(err)
	}
	want := NewBest(dir)
	for i := range evals {
		if want.Improves(&evals[i]) {
			want.Step, want.Accuracy, want.Loss = evals[i].Step, evals[i].Accuracy, evals[i].Loss
		}
	}
	if last := evals[len(evals)-1]; want.Step == last.Step {
		t.Fatalf("the best evaluation is the last (step %d): the case does not tell the best from the latest", last.Step)
	}
	c, err := checkpoints.Load(checkpoints.BestPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.Step != want.Step || c.Meta.Metrics[BestAccuracyMetric] != want.Accuracy {
		t.Fatalf("best checkpoint of step %d (accuracy %v), want step %d (accuracy %v) of %d evaluations",
			c.Meta.Step, c.Meta.Metrics[BestAccuracyMetric], want.Step, want.Accuracy, len(evals))
	}
	tn, ok := c.Tensor(m.Params()[0].Name)
	if !ok {
		t.Fatalf("best checkpoint has no %s", m.Params()[0].Name)
	}
	got := tn.F32
	for i, v := range params[want.Step] {
		if got[i] != v {
			t.Fatalf("best checkpoint's %s[%d] = %v, the weights of step %d had %v", m.Params()[0].Name, i, got[i], want.Step, v)
		}
	}
}

// TestResumeBestOtherNetwork: a best checkpoint whose parameters do not
// fit the network resumed (another run's, of another size, copied in) is
// refused when the run resumes, naming the file, not taken for the best
// and found only when the run's end loads it.
func TestResumeBestOtherNetwork(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	small, large := smallNetwork(t, task, 8, 1), smallNetwork(t, task, 12, 1)
	dir := t.TempDir()
	cp, err := NewCheckpoint(checkpoints.Meta{Task: task.Name()}, large, State{Step: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := NewBest(dir).Keep(cp, &Eval{Step: 10, Accuracy: 1, MSE: 0}); err != nil {
		t.Fatal(err)
	}
	before := append([]float32(nil), small.Params()[0].Value.Data...)
	_, err = ResumeBest(dir, 20, small, checkpoints.Meta{})
	if err == nil || !strings.Contains(err.Error(), checkpoints.BestPath(dir)) || !strings.Contains(err.Error(), "model expects") {
		t.Fatalf("a best checkpoint of a 12-unit network resumed with an 8-unit one gave %v; want an error naming %s and the shapes", err, checkpoints.BestPath(dir))
	}
	if !slices.Equal(small.Params()[0].Value.Data, before) {
		t.Error("ResumeBest changed the network's parameters")
	}
	if b, err := ResumeBest(dir, 20, large, checkpoints.Meta{}); err != nil || b.Step != 10 {
		t.Errorf("the network that wrote it: best %+v, %v; want step 10", b, err)
	}
	// A best file written before validation_loss was stored: its
	// validation_mse, the loss of an MSE task, is the loss.
	cp, err = NewCheckpoint(checkpoints.Meta{Task: task.Name()}, large, State{Step: 10})
	if err != nil {
		t.Fatal(err)
	}
	cp.Meta.Metrics = checkpoints.Metrics{BestAccuracyMetric: 0.5, BestMSEMetric: 0.25}
	if err := checkpoints.Save(checkpoints.BestPath(dir), cp); err != nil {
		t.Fatal(err)
	}
	if b, err := ResumeBest(dir, 20, large, checkpoints.Meta{}); err != nil || b.Loss != 0.25 {
		t.Errorf("a best file without validation_loss: best %+v, %v; want loss 0.25, its mse", b, err)
	}
}

// TestCheckpointerResumeBest: a Checkpointer that keeps the best counts a
// best file an earlier process left only up to the step the run resumes
// from, not up to its first evaluation: one of a step in between (the
// earlier process went further) is replaced at that evaluation even when
// it scored higher.
func TestCheckpointerResumeBest(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials = 4, 4, 0, 8
	stages := []tasks.Task{task}
	m := smallNetwork(t, task, 8, 1)
	first := t.TempDir()
	if _, err := Run(context.Background(), cfg, m, stages, &Checkpointer{Dir: first, Model: m}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The best of an earlier process at step 6, past the resumed step 4,
	// with scores no evaluation beats.
	cp, err := NewCheckpoint(checkpoints.Meta{Task: task.Name()}, m, State{Step: 6})
	if err != nil {
		t.Fatal(err)
	}
	if err := NewBest(dir).Keep(cp, &Eval{Step: 6, Accuracy: 2, MSE: 0}); err != nil {
		t.Fatal(err)
	}
	c, err := checkpoints.Load(checkpoints.LatestPath(first))
	if err != nil {
		t.Fatal(err)
	}
	st, err := RestoreState(c, m)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Steps, cfg.EvalEvery = 8, 8
	ck := &Checkpointer{Dir: dir, Model: m, Meta: checkpoints.Meta{Task: task.Name()}, KeepBest: true}
	if _, err := Resume(context.Background(), cfg, m, stages, st, ck); err != nil {
		t.Fatal(err)
	}
	b, err := checkpoints.Load(checkpoints.BestPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if b.Meta.Step != 8 {
		t.Errorf("after resuming from step 4: best checkpoint of step %d, want 8 (the one of step 6 is past the resumed step)", b.Meta.Step)
	}
}

// TestResumeBestOtherRun: a best checkpoint of another task or seed than
// the run's (another run's file of the same network, copied in) is
// refused, naming the file, both values and how to resume; one of the
// run's own, or whose run is not told, is taken.
func TestResumeBestOtherRun(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	m := smallNetwork(t, task, 8, 1)
	dir := t.TempDir()
	cp, err := NewCheckpoint(checkpoints.Meta{Task: task.Name(), Config: []byte(`{"seed":1,"task":{"name":"perceptual-dm"}}`)}, m, State{Step: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := NewBest(dir).Keep(cp, &Eval{Step: 10, Accuracy: 1, MSE: 0}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		run  checkpoints.Meta
		want []string // nil: taken
	}{
		{"the same run", checkpoints.Meta{Task: task.Name(), Config: []byte(`{"seed":1}`)}, nil},
		{"a run not told", checkpoints.Meta{}, nil},
		{"another task", checkpoints.Meta{Task: "context-dm", Config: []byte(`{"seed":1}`)}, []string{"task perceptual-dm", "this run's task is context-dm"}},
		{"another seed", checkpoints.Meta{Task: task.Name(), Config: []byte(`{"seed":2}`)}, []string{"seed 1", "this run's seed is 2"}},
	} {
		b, err := ResumeBest(dir, 20, m, c.run)
		if c.want == nil {
			if err != nil || b.Step != 10 {
				t.Errorf("%s: best %+v, %v; want step 10", c.name, b, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: the best checkpoint was taken", c.name)
			continue
		}
		for _, w := range append(c.want, checkpoints.BestPath(dir), "move it out of "+dir) {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nwant it to say %q", c.name, err, w)
			}
		}
	}
}
