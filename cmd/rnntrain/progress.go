package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// metricsLine is one line of metrics.jsonl: the state of training at a
// logged step. Loss is the training batch's; Accuracy (train_accuracy) is
// the task's own scorer on a fresh batch of -batch training trials at that
// step; EvalAccuracy and EvalMSE (validation_accuracy, validation_mse), at
// evaluations, are on the run's fixed validation set of -eval-trials
// trials (the one -target-accuracy is judged on): a dataset's validation
// split, fresh trials of a generated task.
type metricsLine struct {
	Step         int      `json:"step"`
	Loss         float64  `json:"loss"`
	Accuracy     float64  `json:"train_accuracy"`
	LR           float64  `json:"lr"`
	ElapsedS     float64  `json:"elapsed_s"`
	StepsPerS    float64  `json:"steps_per_s"`
	EvalAccuracy *float64 `json:"validation_accuracy,omitempty"`
	EvalMSE      *float64 `json:"validation_mse,omitempty"`
	// Figures are the recurrent layer's own figures on the train_accuracy
	// batch (an event-based layer's activity_sparsity, backward_sparsity
	// and effective_macs); absent for most models.
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
// otherwise. start is the first step (non-zero on resume), total the last.
func newProgress(w io.Writer, start, total int) progress {
	if isTerminal(w) {
		bar := progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetWidth(28),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("steps"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetDescription("training"),
		)
		_ = bar.Set(start)
		return &barProgress{bar: bar, w: w}
	}
	return &lineProgress{w: w, total: total, every: 5 * time.Second}
}

type barProgress struct {
	bar  *progressbar.ProgressBar
	w    io.Writer
	eval string
}

func (p *barProgress) update(m metricsLine) {
	if m.EvalAccuracy != nil {
		p.eval = fmt.Sprintf(" validation %.3f", *m.EvalAccuracy)
	}
	p.bar.Describe(fmt.Sprintf("loss %.4f train acc %.3f%s", m.Loss, m.Accuracy, p.eval))
	_ = p.bar.Set(m.Step)
}

func (p *barProgress) finish() {
	_ = p.bar.Exit()
	fmt.Fprintln(p.w)
}

// lineProgress prints a line at every evaluation and otherwise at most once
// per interval, so logs stay short.
type lineProgress struct {
	w     io.Writer
	total int
	every time.Duration
	last  time.Time
}

func (p *lineProgress) update(m metricsLine) {
	now := time.Now()
	if m.EvalAccuracy == nil && now.Sub(p.last) < p.every && m.Step != p.total {
		return
	}
	p.last = now
	fmt.Fprintln(p.w, formatLine(m, p.total))
}

func (p *lineProgress) finish() {}

// formatLine renders a metrics line for humans.
func formatLine(m metricsLine, total int) string {
	s := fmt.Sprintf("step %*d/%d  loss %.4f  train acc %.3f", len(fmt.Sprint(total)), m.Step, total, m.Loss, m.Accuracy)
	if m.EvalAccuracy != nil {
		s += fmt.Sprintf("  validation %.3f", *m.EvalAccuracy)
	}
	s += fmt.Sprintf("  %.1f steps/s  %.1fs", m.StepsPerS, m.ElapsedS)
	return s
}
