package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
)

// Metric names a best checkpoint stores (checkpoints.Meta.Metrics): the
// held-out accuracy, task loss (Eval.Loss: MSE or cross-entropy) and mean
// squared error of the evaluation that made it the best.
const (
	BestAccuracyMetric = "validation_accuracy"
	BestLossMetric     = "validation_loss"
	BestMSEMetric      = "validation_mse"
)

// Best keeps the checkpoint of a run's best held-out evaluation in
// checkpoints.BestPath(Dir): the highest accuracy, ties going to the lower
// task loss (Eval.Loss: the MSE, or the cross-entropy of a task trained
// with it, whose outputs' MSE says little), then to the earlier step.
// Under a curriculum only the latest stage's evaluations compete (an
// evaluation of a later stage beats every one of an earlier stage, whose
// task differs). Step is -1 until an evaluation has been kept.
type Best struct {
	Dir      string
	Step     int
	Stage    int
	Accuracy float64
	Loss     float64
}

// NewBest returns a Best for a run in dir that has kept nothing yet.
func NewBest(dir string) *Best { return &Best{Dir: dir, Step: -1} }

// ResumeBest returns the Best of the run in dir resumed at step with the
// network m: the best checkpoint an earlier process kept there, if its
// step is at most step. One of a later step (the run resumes from an
// earlier checkpoint and will evaluate those steps again) is not
// counted, and the next kept evaluation replaces it. A best checkpoint,
// of any step, that cannot be read, lacks its accuracy, was trained on
// another task or from another seed than run, the metadata of the run's
// checkpoints (another run's file, copied in: its evaluations are not
// this run's), or whose parameters do not fit m (another network's file,
// which the run's end could not load) is an error naming the file; m is
// not changed. The task is Meta.Task, the seed the top-level "seed" of
// Meta.Config (rnntrain's run config has one); either is compared only
// when both files carry it.
func ResumeBest(dir string, step int, m Model, run checkpoints.Meta) (*Best, error) {
	b := NewBest(dir)
	c, err := checkpoints.Load(checkpoints.BestPath(dir))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return b, nil
	case err != nil:
		return nil, fmt.Errorf("train: best checkpoint: %w (%s)", err, resumeWithout(dir))
	}
	acc, ok := c.Meta.Metrics[BestAccuracyMetric]
	if !ok || math.IsNaN(acc) {
		return nil, fmt.Errorf("train: best checkpoint %s: no %s in its metrics, which the best's checkpoint holds (%s)", c.Path, BestAccuracyMetric, resumeWithout(dir))
	}
	// Another run's file is refused whatever its step: the next kept
	// evaluation would replace it.
	if err := SameRun(c, run); err != nil {
		return nil, fmt.Errorf("train: best checkpoint %s: %w\n(want one kept by this run; %s)", c.Path, err, resumeWithout(dir))
	}
	if err := checkFits(c, m); err != nil {
		return nil, fmt.Errorf("train: best checkpoint: %w\n(want one kept by this run; %s)", err, resumeWithout(dir))
	}
	if c.Meta.Step > step {
		return b, nil
	}
	mse, ok := c.Meta.Metrics[BestMSEMetric]
	if !ok {
		mse = math.Inf(1)
	}
	// A best file written before the loss was stored has its MSE, the
	// loss of an MSE task.
	loss, ok := c.Meta.Metrics[BestLossMetric]
	if !ok {
		loss = mse
	}
	b.Step, b.Stage, b.Accuracy, b.Loss = c.Meta.Step, c.Meta.Stage, acc, loss
	return b, nil
}

// resumeWithout says how to resume the run in dir without its best
// checkpoint, which it refuses.
func resumeWithout(dir string) string {
	return fmt.Sprintf("move it out of %s to resume without it; the run then keeps a new best", dir)
}

// SameRun returns an error saying how the best checkpoint c differs from
// the run whose checkpoints' metadata is run: its task, or its seed (the
// top-level "seed" of Meta.Config); nil when neither differs or cannot be
// told.
func SameRun(c *checkpoints.Checkpoint, run checkpoints.Meta) error {
	if c.Meta.Task != "" && run.Task != "" && c.Meta.Task != run.Task {
		return fmt.Errorf("trained on task %s; this run's task is %s", c.Meta.Task, run.Task)
	}
	got, ok := configSeed(c.Meta.Config)
	want, wok := configSeed(run.Config)
	if ok && wok && got != want {
		return fmt.Errorf("trained from seed %d; this run's seed is %d", got, want)
	}
	return nil
}

// configSeed returns the top-level "seed" of the run config cfg and
// whether it holds one.
func configSeed(cfg []byte) (uint64, bool) {
	var v struct {
		Seed *uint64 `json:"seed"`
	}
	if len(cfg) == 0 || json.Unmarshal(cfg, &v) != nil || v.Seed == nil {
		return 0, false
	}
	return *v.Seed, true
}

// checkFits returns checkpoints.RestoreParams's error for c and the
// parameters of m, restoring into copies so that m is not changed.
func checkFits(c *checkpoints.Checkpoint, m Model) error {
	params := m.Params()
	scratch := make([]*autodiff.Param[float32], len(params))
	for i, p := range params {
		q := *p
		q.Value = autodiff.NewTensor[float32](p.Value.Rows, p.Value.Cols)
		q.Grad = autodiff.Tensor[float32]{}
		scratch[i] = &q
	}
	return checkpoints.RestoreParams(c, scratch)
}

// Improves reports whether the evaluation e beats the one kept (any does
// when none is).
func (b *Best) Improves(e *Eval) bool {
	switch {
	case e == nil || math.IsNaN(e.Accuracy):
		return false
	case b.Step < 0 || e.Stage > b.Stage:
		return true
	case e.Stage < b.Stage:
		return false
	}
	return e.Accuracy > b.Accuracy || e.Accuracy == b.Accuracy && e.Loss < b.Loss
}

// Keep writes c, the checkpoint of the step that evaluation e scored, as
// the best (atomically: the previous best stays whole until the new one is
// complete) and records it. The caller checks Improves first.
func (b *Best) Keep(c *checkpoints.Checkpoint, e *Eval) error {
	if c.Meta.Metrics == nil {
		c.Meta.Metrics = checkpoints.Metrics{}
	}
	c.Meta.Metrics[BestAccuracyMetric] = e.Accuracy
	c.Meta.Metrics[BestLossMetric] = e.Loss
	c.Meta.Metrics[BestMSEMetric] = e.MSE
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		return fmt.Errorf("train: save best checkpoint: %w", err)
	}
	if err := checkpoints.Save(checkpoints.BestPath(b.Dir), c); err != nil {
		return fmt.Errorf("train: save best checkpoint at step %d: %w", c.Meta.Step, err)
	}
	b.Step, b.Stage, b.Accuracy, b.Loss = c.Meta.Step, c.Meta.Stage, e.Accuracy, e.Loss
	return nil
}
