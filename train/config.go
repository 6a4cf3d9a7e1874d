package train

import (
	"fmt"
	"math"
)

// Config is a training run's complete, JSON-serialisable description. Start
// from DefaultConfig and override fields (a JSON or TOML file decoded into
// DefaultConfig() keeps the defaults of absent fields); values are taken
// literally, so a zero ClipNorm means no clipping.
type Config struct {
	// Steps is the number of parameter updates (one batch each).
	Steps int `json:"steps"`
	// BatchSize is the number of trials per update (default 64, Yang et
	// al. 2019).
	BatchSize int `json:"batch_size"`
	// Optimizer and its hyperparameters (default Adam, PyTorch defaults).
	Optimizer OptimizerConfig `json:"optimizer"`
	// LR is the base learning rate (default 1e-3, PsychRNN's and Yang's).
	LR float64 `json:"lr"`
	// Schedule shapes the learning rate over the run (default constant).
	Schedule Schedule `json:"schedule"`
	// ClipNorm bounds the gradient norm; 0 disables clipping. Default 1,
	// PsychRNN's clip_grads=True value.
	ClipNorm float64 `json:"clip_norm"`
	// ClipMode is global (torch clip_grad_norm_, the default) or
	// per-tensor (PsychRNN's exact behaviour).
	ClipMode ClipMode `json:"clip_mode"`
	// Regularization weights (all 0 by default).
	Regularization Regularization `json:"regularization"`
	// TBPTT is the truncation window K in time steps: the loss of each
	// window of K steps is backpropagated within the window only, the state
	// is carried forward as a constant, and the gradients of all windows of
	// a batch are summed into one update. 0 means full BPTT.
	TBPTT int `json:"tbptt"`
	// Trainer is bptt (default: one update per batch, through the whole
	// trial or summed over TBPTT windows) or fptt (an update after every
	// window, FPTT's dynamic regularizer; options in FPTT).
	Trainer Trainer `json:"trainer"`
	// FPTT holds the fptt trainer's options (see FPTTConfig); ignored by
	// bptt.
	FPTT FPTTConfig `json:"fptt"`
	// EvalEvery evaluates on held-out trials every so many updates and
	// after the last one; 0 evaluates only at the end.
	EvalEvery int `json:"eval_every"`
	// EvalTrials is the size of the held-out set (default 256). It is
	// drawn once per curriculum stage from its own stream of Seed, so every
	// evaluation scores the same trials.
	EvalTrials int `json:"eval_trials"`
	// TargetAccuracy stops the run once held-out accuracy on the last
	// stage reaches it; 0 never stops early.
	TargetAccuracy float64 `json:"target_accuracy"`
	// Curriculum describes the stages Run gets as tasks, in order (see
	// Stage and StageTasks); empty means a single stage. Run checks the
	// names of the stages that give one.
	Curriculum []Stage `json:"curriculum,omitempty"`
	// AdvanceThreshold moves to the next stage once held-out accuracy on
	// the current stage reaches it (default 0.9, PsychRNN's
	// psychrnn/backend/curriculum.py).
	AdvanceThreshold float64 `json:"advance_threshold"`
	// CheckpointEvery saves a checkpoint every so many updates (used by
	// the checkpoint observer); 0 saves only at the end.
	CheckpointEvery int `json:"checkpoint_every"`
	// Keep is how many checkpoints the rotation keeps (default 3).
	Keep int `json:"keep"`
	// KeepBest keeps, beside the rotation, the checkpoint of the best
	// held-out evaluation so far (Best; checkpoints.BestPath), and
	// rnntrain train evaluates its weights at the end instead of the last
	// step's (default false): a run whose accuracy falls late keeps the
	// weights it had at its best.
	KeepBest bool `json:"keep_best"`
	// LogEvery is how often the log observer writes a line (default 10).
	LogEvery int `json:"log_every"`
	// MaxParam bounds every parameter's magnitude after each update: a
	// larger value (or a NaN or infinity in a parameter or an optimizer
	// moment) stops the run with a *DivergenceError naming the update
	// (default DefaultMaxParam, 1e6; 0 checks for non-finite values only).
	MaxParam float64 `json:"max_param"`
	// Seed derives every random stream of the run (see Streams).
	Seed uint64 `json:"-"`
}

// DefaultConfig returns the documented defaults: 2000 steps of batch 64,
// Adam at lr 1e-3, constant schedule, global clipping at norm 1, no
// regularization, full BPTT (FPTT options at DefaultFPTTConfig), evaluation of 256 held-out trials every 100
// steps, curriculum threshold 0.9, a checkpoint every 500 steps keeping 3,
// a log line every 10 steps, seed 1.
func DefaultConfig() Config {
	return Config{
		Steps:            2000,
		BatchSize:        64,
		Optimizer:        DefaultOptimizerConfig(OptAdam),
		LR:               1e-3,
		ClipNorm:         1,
		FPTT:             DefaultFPTTConfig(),
		EvalEvery:        100,
		EvalTrials:       256,
		AdvanceThreshold: 0.9,
		CheckpointEvery:  500,
		Keep:             3,
		LogEvery:         10,
		MaxParam:         DefaultMaxParam,
		Seed:             1,
	}
}

// Validate reports the first invalid field, named by its JSON path.
func (c Config) Validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch {
	case c.Steps <= 0:
		return fmt.Errorf("steps: must be positive, got %d", c.Steps)
	case c.BatchSize <= 0:
		return fmt.Errorf("batch_size: must be positive, got %d", c.BatchSize)
	case !(c.LR > 0) || bad(c.LR):
		return fmt.Errorf("lr: must be positive and finite, got %g", c.LR)
	case c.ClipNorm < 0 || bad(c.ClipNorm):
		return fmt.Errorf("clip_norm: must be ≥ 0 and finite (0 disables clipping), got %g", c.ClipNorm)
	case c.ClipMode < 0 || int(c.ClipMode) >= len(clipNames()):
		return fmt.Errorf("clip_mode: invalid value %d", int(c.ClipMode))
	case c.TBPTT < 0:
		return fmt.Errorf("tbptt: must be ≥ 0 (0 = full BPTT), got %d", c.TBPTT)
	case c.Trainer < 0 || int(c.Trainer) >= len(trainerNames()):
		return fmt.Errorf("trainer: invalid value %d", int(c.Trainer))
	case c.Trainer == FPTT && c.TBPTT != 0:
		return fmt.Errorf("tbptt: must be 0 with trainer fptt, whose windows are set by fptt.parts (got %d)", c.TBPTT)
	case c.EvalEvery < 0:
		return fmt.Errorf("eval_every: must be ≥ 0, got %d", c.EvalEvery)
	case c.EvalTrials <= 0:
		return fmt.Errorf("eval_trials: must be positive, got %d", c.EvalTrials)
	case c.TargetAccuracy < 0 || c.TargetAccuracy > 1:
		return fmt.Errorf("target_accuracy: must be in [0, 1], got %g", c.TargetAccuracy)
	case !(c.AdvanceThreshold > 0) || c.AdvanceThreshold > 1:
		return fmt.Errorf("advance_threshold: must be in (0, 1], got %g", c.AdvanceThreshold)
	case c.CheckpointEvery < 0:
		return fmt.Errorf("checkpoint_every: must be ≥ 0, got %d", c.CheckpointEvery)
	case c.Keep < 1:
		return fmt.Errorf("keep: must be ≥ 1, got %d", c.Keep)
	case c.LogEvery < 0:
		return fmt.Errorf("log_every: must be ≥ 0, got %d", c.LogEvery)
	case c.MaxParam < 0 || bad(c.MaxParam):
		return fmt.Errorf("max_param: must be ≥ 0 and finite (0 = only non-finite values stop the run), got %g", c.MaxParam)
	}
	for i, s := range c.Curriculum {
		if err := s.validate(); err != nil {
			return fmt.Errorf("curriculum[%d].%w", i, err)
		}
	}
	if err := c.Optimizer.Validate(); err != nil {
		return err
	}
	if c.Trainer == FPTT {
		if err := c.FPTT.Validate(); err != nil {
			return err
		}
	}
	if err := c.Schedule.Validate(); err != nil {
		return err
	}
	return c.Regularization.Validate()
}
