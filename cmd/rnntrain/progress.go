package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// metricsLine is one line of metrics.jsonl: the state of training at a
// logged step. Loss is the training batch's; Accuracy (train_accuracy) is
// the task's own scorer on a fresh batch of -batch training trials at that
// step; EvalAccuracy, EvalMSE and EvalLoss (validation_accuracy,
// validation_mse, validation_loss), at evaluations, are on the run's fixed
// validation set of -eval-trials trials (the one -target-accuracy is judged
// on): a dataset's validation split, fresh trials of a generated task.
// validation_loss is the task's training loss there (MSE or cross-entropy,
// the kind Loss is; without the penalties), validation_mse the outputs'
// MSE (of logits, for a cross-entropy task). GradNorm (grad_norm) is the
// joint L2 norm of the step's gradients before clipping. Seed is the run's
// seed (its config.json's seed), on every line so that the lines of many
// runs read together can be told apart by it.
type metricsLine struct {
	Step         int      `json:"step"`
	Seed         uint64   `json:"seed"`
	Loss         float64  `json:"loss"`
	Accuracy     float64  `json:"train_accuracy"`
	LR           float64  `json:"lr"`
	GradNorm     float64  `json:"grad_norm"`
	ElapsedS     float64  `json:"elapsed_s"`
	StepsPerS    float64  `json:"steps_per_s"`
	EvalAccuracy *float64 `json:"validation_accuracy,omitempty"`
	EvalMSE      *float64 `json:"validation_mse,omitempty"`
	EvalLoss     *float64 `json:"validation_loss,omitempty"`
	// Figures are the recurrent layer's own figures on the train_accuracy
	// batch (a spiking layer's rate_hz or rate_per_step, silent_units and
	// activity_sparsity; an event-based layer's rate_per_step,
	// silent_units, activity_sparsity, backward_sparsity and
	// effective_macs); absent for most models.
	Figures map[string]float64 `json:"figures,omitempty"`
	// Stage is the curriculum stage (from 0).
	Stage int `json:"stage,omitempty"`
}

// progress shows training as it goes: a progress bar on a terminal, plain
// periodic lines otherwise.
type progress interface {
	// update reports a logged step.
	update(m metricsLine)
	// finish ends the display; later output starts on a fresh line.
	finish()
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newProgress returns a bar when w is a terminal and a line printer
// otherwise, or nothing at all when quiet. start is the first step
// (non-zero on resume), total the last; a run of more than one curriculum
// stage shows the stage of each step.
func newProgress(w io.Writer, start, total, stages int, quiet bool) progress {
	if quiet {
		return silentProgress{}
	}
	if isTerminal(w) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(28),
			progressbar.OptionShowCount(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetDescription("training (measuring speed)"),
		)
		_ = bar.Set(start)
		return &barProgress{bar: bar, w: w, total: total, stages: stages}
	}
	return &lineProgress{w: w, total: total, stages: stages, every: 5 * time.Second}
}

// silentProgress shows nothing (train -quiet).
type silentProgress struct{}

func (silentProgress) update(metricsLine) {}
func (silentProgress) finish()            {}

// barProgress is a progress bar whose description carries the latest
// metrics, the measured rate and the time left. The bar's own rate is
// off: it would read "0 steps/hr" before the first step is timed.
type barProgress struct {
	bar    *progressbar.ProgressBar
	w      io.Writer
	total  int
	stages int
	eval   string
}

func (p *barProgress) update(m metricsLine) {
	if v := validationText(m); v != "" {
		p.eval = " " + v
	}
	p.bar.Describe(fmt.Sprintf("loss %.4f train acc %.3f%s%s%s", m.Loss, m.Accuracy, p.eval, stageText(m, p.stages), rateText(m, p.total)))
	_ = p.bar.Set(m.Step)
}

func (p *barProgress) finish() {
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}

// lineProgress prints a line at every evaluation and otherwise at most once
// per interval, so logs stay short.
type lineProgress struct {
	w      io.Writer
	total  int
	stages int
	every  time.Duration
	last   time.Time
}

func (p *lineProgress) update(m metricsLine) {
	now := time.Now()
	if m.EvalMSE == nil && now.Sub(p.last) < p.every && m.Step != p.total {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, formatLine(m, p.total, p.stages))
}

func (p *lineProgress) finish() {}

// formatLine renders a metrics line for humans; stages is the number of
// curriculum stages of the run.
func formatLine(m metricsLine, total, stages int) string {
	s := fmt.Sprintf("step %*d/%d  loss %.4f  train acc %.3f", len(fmt.Sprint(total)), m.Step, total, m.Loss, m.Accuracy)
	if v := validationText(m); v != "" {
		s += "  " + v
	}
	return s + stageText(m, stages) + fmt.Sprintf("  %.1fs", m.ElapsedS) + rateText(m, total)
}

// stageText is "  stage 1", the curriculum stage the step trained on and
// its validation accuracy was measured on, counted from 0 as in
// metrics.jsonl; empty for a run of one stage.
func stageText(m metricsLine, stages int) string {
	if stages < 2 {
		return ""
	}
	return fmt.Sprintf("  stage %d", m.Stage)
}

// rateText is "  12.3 steps/s, ETA 1m40s": the rate measured since the run
// (or the resume) started, and the time the remaining steps take at that
// rate. It is empty until a rate has been measured, and the ETA is left out
// at the last step.
func rateText(m metricsLine, total int) string {
	if !(m.StepsPerS > 0) {
		return ""
	}
	s := fmt.Sprintf("  %.1f steps/s", m.StepsPerS)
	if m.StepsPerS < 1 {
		s = fmt.Sprintf("  %.2g steps/s", m.StepsPerS)
	}
	if left := total - m.Step; left > 0 {
		s += ", ETA " + etaText(float64(left)/m.StepsPerS)
	}
	return s
}

// etaText renders a duration in seconds as "45s", "12m05s" or "3h07m".
func etaText(sec float64) string {
	switch s := int(math.Round(sec)); {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		m := (s + 30) / 60
		return fmt.Sprintf("%dh%02dm", m/60, m%60)
	}
}

// validationText is the evaluation of a metrics line for humans:
// "validation 0.950", "validation n/a" when it scored no trial, "" for a
// line without one.
func validationText(m metricsLine) string {
	switch {
	case m.EvalAccuracy != nil:
		return fmt.Sprintf("validation %.3f", *m.EvalAccuracy)
	case m.EvalMSE != nil:
		return "validation n/a"
	}
	return ""
}
