package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

func smallNetwork(t *testing.T, task tasks.Task, hidden int, seed uint64) *rnn.Network[float32] {
	t.Helper()
	in, out := task.Dims()
	m, err := rnn.New[float32](rnn.Config{Inputs: in, Outputs: out, Hidden: hidden, NoiseStd: 0.05}, NewRNG(seed, StreamInit))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func stopAt(n int) Observer {
	return StepFunc(func(s Step) error {
		if s.Step == n {
			return ErrStop
		}
		return nil
	})
}

// TestResumeThroughCheckpointFile is the resume identity through an actual
// file: 2n updates in one go against n updates, a checkpoint written by the
// Checkpointer, Load, RestoreState into a differently initialised network,
// and n more updates. Parameters must match bit for bit.
func TestResumeThroughCheckpointFile(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []OptimizerKind{OptAdam, OptSGD} {
		cfg := DefaultConfig()
		cfg.Steps, cfg.BatchSize, cfg.EvalEvery, cfg.EvalTrials, cfg.TBPTT = 12, 8, 4, 16, 20
		cfg.Optimizer = DefaultOptimizerConfig(kind)
		cfg.Optimizer.Momentum = 0.5 * float64(kind) // SGD with momentum
		cfg.Schedule = Schedule{Kind: Cosine, Warmup: 2}
		cfg.Regularization = Regularization{L2Rate: 1e-3, L2Rec: 1e-3}
		cfg.Seed = 3
		stages := []tasks.Task{task}

		whole := smallNetwork(t, task, 16, cfg.Seed)
		if _, err := Run(context.Background(), cfg, whole, stages); err != nil {
			t.Fatal(err)
		}

		dir := t.TempDir()
		first := smallNetwork(t, task, 16, cfg.Seed)
		ck := &Checkpointer{Dir: dir, Every: 4, Keep: 2, Model: first, Meta: checkpoints.Meta{Model: "leaky", Task: task.Name()}}
		sum, err := Run(context.Background(), cfg, first, stages, ck, stopAt(6))
		if err != nil || sum.Steps != 6 {
			t.Fatalf("first half: %v after %d steps", err, sum.Steps)
		}
		c, err := checkpoints.Load(checkpoints.LatestPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if c.Meta.Step != 6 {
			t.Fatalf("latest checkpoint is at step %d, want 6 (saved at the end)", c.Meta.Step)
		}
		second := smallNetwork(t, task, 16, 99)
		st, err := RestoreState(c, second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Resume(context.Background(), cfg, second, stages, st); err != nil {
			t.Fatal(err)
		}
		sameParams(t, kind.String()+": after resuming from "+c.Path, whole, second)
	}
}

func TestRestoreMismatchedModel(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalTrials = 2, 4, 4
	m := smallNetwork(t, task, 8, 1)
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{task})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCheckpoint(checkpoints.Meta{}, m, sum.State)
	if err != nil {
		t.Fatal(err)
	}
	other := smallNetwork(t, task, 9, 1)
	before := paramsBits(other)
	_, err = RestoreState(c, other)
	if err == nil || !strings.Contains(err.Error(), "shape") {
		t.Fatalf("restoring an 8-unit checkpoint into 9 units: err = %v", err)
	}
	t.Log(err)
	for i, b := range paramsBits(other) {
		for k := range b {
			if b[k] != before[i][k] {
				t.Fatalf("a failed restore changed %s[%d]", other.Params()[i].Name, k)
			}
		}
	}
	// A network built for another task is refused before training.
	ff, err := tasks.NewDefault("flip-flop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), cfg, m, []tasks.Task{ff}); err == nil || !strings.Contains(err.Error(), "the network has 1 inputs and 1 outputs, task flip-flop has 3 and 3") {
		t.Errorf("network of another task: err = %v", err)
	}
	// Optimizer state the restored optimizer would not write (here a
	// momentum buffer beside Adam's moments) is an error naming it.
	extra := *c
	p0 := m.Params()[0]
	extra.Tensors = append(append([]checkpoints.Tensor{}, c.Tensors...),
		checkpoints.NewTensor(checkpoints.OptimizerTensorName(p0.Name, "momentum_buffer"), checkpoints.Shape(p0), p0.Value.Data))
	if _, err := RestoreState(&extra, smallNetwork(t, task, 8, 1)); err == nil || !strings.Contains(err.Error(), checkpoints.OptimizerPrefix+p0.Name+".momentum_buffer") {
		t.Errorf("checkpoint with an extra optimizer tensor: err = %v", err)
	}
	if _, err := RestoreState(c, smallNetwork(t, task, 8, 1)); err != nil {
		t.Errorf("the same checkpoint without it: %v", err)
	}
	// A negative optimizer step count is refused when the checkpoint is
	// read, naming it, before any parameter changes.
	neg := *c
	neg.Path = "neg.safetensors"
	neg.Meta.Optimizer = []byte(`{"kind":"adam","steps":-1}`)
	if _, err := RestoreState(&neg, m); err == nil || !strings.Contains(err.Error(), "checkpoint neg.safetensors: optimizer state has negative step count -1") {
		t.Errorf("negative optimizer step count: err = %v", err)
	}
	// A weight-only file (no optimizer state) cannot be resumed.
	c.Meta.Optimizer = nil
	if _, err := RestoreState(c, m); err == nil || !strings.Contains(err.Error(), "no optimizer state") {
		t.Errorf("checkpoint without optimizer state: err = %v", err)
	}
}

// TestDivergenceKeepsCheckpoint forces divergence with a huge learning rate
// and checks the error and that the checkpoint saved before it is left
// byte-identical.
func TestDivergenceKeepsCheckpoint(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Steps, cfg.BatchSize, cfg.EvalTrials = 20, 8, 8
	cfg.Optimizer = DefaultOptimizerConfig(OptSGD)
	cfg.LR, cfg.ClipNorm = 1e35, 0
	cfg.MaxParam = 0 // let the first, huge but finite update through to be saved (TestMaxParam checks the bound)
	m := smallNetwork(t, task, 8, 1)
	dir := t.TempDir()
	latest := checkpoints.LatestPath(dir)
	var saved []byte
	var savedStep int
	ck := &Checkpointer{Dir: dir, Every: 1, Keep: 3, Model: m, Meta: checkpoints.Meta{Task: task.Name()},
		Saved: func(string, int) {}}
	record := StepFunc(func(s Step) error {
		b, err := os.ReadFile(latest)
		saved, savedStep = b, s.Step
		return err
	})
	sum, err := Run(context.Background(), cfg, m, []tasks.Task{task}, ck, record)
	var de *DivergenceError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *DivergenceError", err)
	}
	t.Log(err)
	if saved == nil || de.Step != savedStep+1 || sum.Reason != Diverged {
		t.Fatalf("diverged at step %d after the save at step %d (%v)", de.Step, savedStep, sum.Reason)
	}
	now, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(now, saved) {
		t.Errorf("%s changed after divergence", latest)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "checkpoints", "*"))
	for _, f := range files {
		if strings.Contains(f, ".tmp") {
			t.Errorf("temporary file %s left behind", f)
		}
	}
}

// TestRestoreBeforeFirstUpdate restores a checkpoint saved before the
// first update (a run stopped at step 0): its Adam state has no steps and
// no moments, and the resume starts the optimizer afresh instead of asking
// for moment tensors the run never had.
func TestRestoreBeforeFirstUpdate(t *testing.T) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCheckpoint(checkpoints.Meta{}, smallNetwork(t, task, 8, 1), State{Optimizer: OptimizerState{Kind: OptAdam}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := RestoreState(c, smallNetwork(t, task, 8, 1))
	if err != nil {
		t.Fatalf("a checkpoint of step 0: %v", err)
	}
	if st.Step != 0 || st.Optimizer.Steps != 0 || len(st.Optimizer.Slots) != 0 {
		t.Errorf("restored step %d, optimizer steps %d with %d slots; want 0, 0, 0", st.Step, st.Optimizer.Steps, len(st.Optimizer.Slots))
	}
	// Moments with a step count of 0 are not a state of any run.
	p0 := smallNetwork(t, task, 8, 1).Params()[0]
	odd := *c
	odd.Tensors = append(append([]checkpoints.Tensor{}, c.Tensors...),
		checkpoints.NewTensor(checkpoints.OptimizerTensorName(p0.Name, "exp_avg"), checkpoints.Shape(p0), p0.Value.Data))
	if _, err := RestoreState(&odd, smallNetwork(t, task, 8, 1)); err == nil ||
		!strings.Contains(err.Error(), "optimizer state") || !strings.Contains(err.Error(), "missing from the checkpoint") {
		t.Errorf("step-0 state with one moment tensor: err = %v, want one saying the optimizer state's other tensors are missing", err)
	}
}
