package train

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
)

// TestMaxParam checks that an update that throws a parameter past
// Config.MaxParam stops the run at that update, before any observer sees
// it, so that no checkpoint of it is saved.
func TestMaxParam(t *testing.T) {
	cfg := toyConfig()
	cfg.Optimizer = DefaultOptimizerConfig(OptSGD)
	cfg.LR = 1e8
	cfg.ClipNorm = 0
	var seen []int
	sum, err := Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 8}}, StepFunc(func(s Step) error {
		seen = append(seen, s.Step)
		return nil
	}))
	de, ok := errors.AsType[*DivergenceError](err)
	if !ok || !de.Updated || de.Slot != "" || de.Limit != DefaultMaxParam || !(math.Abs(de.Value) > DefaultMaxParam) {
		t.Fatalf("err = %v (%+v), want a *DivergenceError for a parameter beyond %g", err, de, DefaultMaxParam)
	}
	if sum.Reason != Diverged || len(seen) != de.Step-1 || sum.Steps != de.Step-1 {
		t.Errorf("diverged at step %d; observers saw %v, summary %v after %d steps", de.Step, seen, sum.Reason, sum.Steps)
	}
	for _, w := range []string{"step ", "after the update, parameter ", "beyond max_param 1e+06"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("message %q lacks %q", err, w)
		}
	}
	// With a looser bound the same run gets further.
	cfg.MaxParam = 1e30
	_, err = Run(context.Background(), cfg, toyModel(1), []tasks.Task{toyTask{steps: 8}})
	if de2, ok := errors.AsType[*DivergenceError](err); ok && de2.Step <= de.Step && de2.Updated && de2.Limit > 0 && !math.IsInf(de2.Value, 0) && !math.IsNaN(de2.Value) {
		t.Errorf("max_param 1e30 stopped at step %d as 1e6 did: %v", de2.Step, err)
	}
	cfg.MaxParam = -1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "max_param") {
		t.Errorf("negative max_param: %v", err)
	}
}

// TestCheckUpdateMoments checks that a NaN in an optimizer moment is
// caught after the update and named with its slot.
func TestCheckUpdateMoments(t *testing.T) {
	cfg := toyConfig()
	m := toyModel(1)
	l, err := newLoop(cfg, m, []tasks.Task{toyTask{steps: 8}}, State{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.update(); err != nil {
		t.Fatal(err)
	}
	if err := l.checkUpdate(1); err != nil {
		t.Fatalf("healthy update: %v", err)
	}
	s := l.opt.(interface{ moments() *slots }).moments()
	s.buf[1][0][2] = float32(math.Inf(1))
	err = l.checkUpdate(1)
	de, ok := errors.AsType[*DivergenceError](err)
	if !ok || de.Slot != s.names[1] || de.Param != m.Params()[0].Name || !strings.Contains(err.Error(), "optimizer state "+s.names[1]) {
		t.Errorf("moment +Inf: %v, want an error naming slot %s of %s", err, s.names[1], m.Params()[0].Name)
	}
}

// TestCheckpointerRefusesNonFinite checks that a state with a NaN never
// becomes the run's latest checkpoint.
func TestCheckpointerRefusesNonFinite(t *testing.T) {
	dir := t.TempDir()
	m := toyModel(1)
	c := &Checkpointer{Dir: dir, Every: 1, Model: m}
	if err := c.save(State{Step: 1}); err != nil {
		t.Fatal(err)
	}
	m.Params()[0].Value.Data[0] = float32(math.NaN())
	err := c.save(State{Step: 2})
	if err == nil || !strings.Contains(err.Error(), m.Params()[0].Name) || !strings.Contains(err.Error(), "never saved") {
		t.Fatalf("saving a NaN parameter: %v", err)
	}
	latest, err := checkpoints.Load(checkpoints.LatestPath(dir))
	if err != nil || latest.Meta.Step != 1 {
		t.Errorf("latest checkpoint after the refused save: step %v (%v), want 1", latest, err)
	}
}
