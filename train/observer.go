package train

import (
	"fmt"
	"io"
	"math"
	"time"
)

// Observer watches a run. OnStep is called after every update, in order;
// OnEnd once when the run ends without an error of its own (completed,
// target reached, stopped by an observer, or interrupted through its
// context), never after divergence or a failing observer.
//
// An observer returning ErrStop from OnStep ends the run cleanly; any other
// error aborts it and Run returns the error wrapped. Observers must not
// keep s past the call except through s.State, which copies.
type Observer interface {
	OnStep(s Step) error
	OnEnd(sum Summary) error
}

// sentinel is a constant error value, comparable with errors.Is.
type sentinel string

func (e sentinel) Error() string { return string(e) }

// ErrStop is the error an Observer's OnStep returns to end the run cleanly
// after the current update (Summary.Reason is Stopped).
const ErrStop = sentinel("train: stopped by observer")

// ErrInterrupted is wrapped by the error Run returns when its context is
// cancelled; the run stopped after a complete update and Summary.State is
// consistent, so the caller can save a checkpoint and resume later. The
// error also wraps the context's error.
const ErrInterrupted = sentinel("train: interrupted")

// Step reports one completed update.
type Step struct {
	// Step counts the updates completed, this one included (1-based).
	Step int
	// Stage is the curriculum stage trained on (0-based).
	Stage int
	// Loss is TaskLoss + Penalty, the value the gradient was taken of.
	Loss float64
	// TaskLoss is the batch's mask-weighted task loss (MSE or CE).
	TaskLoss float64
	// Penalty is the regularization total (weights, rates and the model's
	// own, the EGRU's activity penalty).
	Penalty float64
	// LR is the learning rate this update used.
	LR float64
	// GradNorm is the joint gradient norm before clipping.
	GradNorm float64
	// Elapsed is the wall time since the run (or the resumed run) started.
	Elapsed time.Duration
	// Eval is non-nil when held-out trials were scored after this update.
	Eval *Eval

	l *loop
}

// State returns a deep copy of the run's resumable state after this update.
// It allocates; call it only when saving.
func (s Step) State() State { return s.l.state() }

// Eval is a held-out evaluation.
type Eval struct {
	Step  int    `json:"step"`
	Stage int    `json:"stage"`
	Task  string `json:"task"`
	// Split names the held-out trials: "validation" for a dataset's
	// validation split, "fresh trials" for a generated task.
	Split string `json:"split"`
	// Trials counts the trials Accuracy is of: those the scorer judged,
	// not its catch trials (Result.Excluded). With none, Accuracy is NaN:
	// it neither advances a curriculum, reaches a target nor is kept as
	// the best.
	Trials   int     `json:"trials"`
	Accuracy float64 `json:"accuracy"`
	MSE      float64 `json:"mse"`
	Loss     float64 `json:"loss"`
}

// StopReason says why a run ended.
type StopReason int

const (
	Completed     StopReason = iota // all Config.Steps updates done
	TargetReached                   // held-out accuracy reached Config.TargetAccuracy
	Stopped                         // an observer returned ErrStop
	Interrupted                     // the context was cancelled
	Diverged                        // a NaN or infinity in the loss or gradients
	Failed                          // an observer failed
)

// stopNames lists the stop reasons' names, indexed by reason.
func stopNames() []string {
	return []string{"completed", "target-reached", "stopped", "interrupted", "diverged", "failed"}
}

func (r StopReason) String() string { return enumName(stopNames(), int(r), "StopReason") }

// MarshalText implements encoding.TextMarshaler.
func (r StopReason) MarshalText() ([]byte, error) {
	return enumText(stopNames(), int(r), "stop reason")
}

// Summary describes a finished run.
type Summary struct {
	Reason StopReason
	// Steps is the number of updates completed (including those before a
	// resume).
	Steps int
	// Stage is the last curriculum stage trained on.
	Stage int
	// Last is the last completed update (zero if none).
	Last Step
	// Eval is the last held-out evaluation, nil if none.
	Eval *Eval
	// Elapsed is the wall time of this call.
	Elapsed time.Duration
	// State is the resumable state after the last completed update, to
	// save with the parameters. After a divergence found in the loss or
	// the gradients it is the state before the failed update (the
	// parameters were not changed by it); after one found in the updated
	// parameters or moments (DivergenceError.Updated) the parameters and
	// the optimizer hold the diverged update, and it must not be saved.
	State State
}

// Logger writes one line every Every updates, at every evaluation, and at
// the end:
//
//	step 100/2000 stage 0 loss 0.1234 lr 0.001 |g| 0.87 acc 0.91 3.2s
type Logger struct {
	W     io.Writer
	Every int // 0 logs evaluations and the end only
	Total int // shown as the denominator; 0 omits it
}

// OnStep implements Observer.
func (lg *Logger) OnStep(s Step) error {
	if s.Eval == nil && (lg.Every <= 0 || s.Step%lg.Every != 0) {
		return nil
	}
	total := ""
	if lg.Total > 0 {
		total = fmt.Sprintf("/%d", lg.Total)
	}
	acc := ""
	if s.Eval != nil {
		acc = fmt.Sprintf(" acc %s mse %.4g", accText(s.Eval.Accuracy), s.Eval.MSE)
	}
	_, err := fmt.Fprintf(lg.W, "step %d%s stage %d loss %.4g lr %.3g |g| %.3g%s %.1fs\n",
		s.Step, total, s.Stage, s.Loss, s.LR, s.GradNorm, acc, s.Elapsed.Seconds())
	return err
}

// OnEnd implements Observer.
func (lg *Logger) OnEnd(sum Summary) error {
	acc := ""
	if sum.Eval != nil {
		acc = ", held-out accuracy " + accText(sum.Eval.Accuracy)
	}
	_, err := fmt.Fprintf(lg.W, "%s after %d steps%s (%.1fs)\n", sum.Reason, sum.Steps, acc, sum.Elapsed.Seconds())
	return err
}

// accText prints an evaluation's accuracy, "n/a" for one that scored no
// trial (NaN).
func accText(a float64) string {
	if math.IsNaN(a) {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", a)
}

// StepFunc adapts a function to an Observer with a no-op OnEnd.
type StepFunc func(Step) error

// OnStep implements Observer.
func (f StepFunc) OnStep(s Step) error { return f(s) }

// OnEnd implements Observer.
func (f StepFunc) OnEnd(Summary) error { return nil }
