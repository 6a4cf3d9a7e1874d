package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
)

// writeFigure writes one figure, dir/name with each format's extension,
// by calling write with each path.
func writeFigure(formats plots.Formats, dir, name string, write func(path string) error) error {
	for _, p := range formats.Paths(filepath.Join(dir, name)) {
		if err := write(p); err != nil {
			return err
		}
	}
	return nil
}

// runFigures are the inputs of the figures of a trained run.
type runFigures struct {
	s *session
	// evalTask is the task of the final evaluation (task.eval_settings
	// applied); rep is that evaluation.
	evalTask tasks.Task
	rep      analysis.Report
	// curves are the logged metrics; no steps: no curves figure.
	curves plots.Curves
}

// write draws every figure of the run into dir in the run's plot formats:
// curves, example trials, the psychometric curve of a decision task and
// the spike raster of a spiking model.
func (f runFigures) write(dir string) error {
	cfg := f.s.cfg
	fs := cfg.PlotFormats
	if len(f.curves.Step) > 0 {
		cv := f.curves
		cv.Title = fmt.Sprintf("%s, %s N=%d", cfg.Task.Name, cfg.Model.Kind(), cfg.Model.Hidden)
		cv.Target = cfg.Train.TargetAccuracy
		cv.Chance = tasks.Describe(f.evalTask).Chance
		cv.ChanceLoss = zeroOutputMSE(f.evalTask, cfg.Seed)
		if err := writeFigure(fs, dir, "curves", func(p string) error { return plots.WriteCurves(p, cv) }); err != nil {
			return err
		}
	}
	tf := trialsFigure(f.s.task, f.s.net, newStream(cfg.Seed, streamPlot), 3)
	tf.Title = cfg.Task.Name
	if err := writeFigure(fs, dir, "trials", func(p string) error { return plots.WriteTrials(p, tf) }); err != nil {
		return err
	}
	if len(f.rep.Psychometric) > 0 {
		pf := psychometricFigure(f.rep)
		if err := writeFigure(fs, dir, "psychometric", func(p string) error { return plots.WritePsychometric(p, pf) }); err != nil {
			return err
		}
	}
	if m := cfg.Model.Resolved().Model; m.Model().Surrogate {
		rf := rasterFigure(f.s.task, f.s.net, newStream(cfg.Seed, streamPlot), 3)
		rf.Title = cfg.Task.Name
		if err := writeFigure(fs, dir, "raster", func(p string) error { return plots.WriteRaster(p, rf) }); err != nil {
			return err
		}
	}
	return nil
}

// zeroOutputMSE is the held-out MSE of a network whose output is always
// zero: the level a loss curve must fall below to have learnt anything.
// It scores one batch of 256 trials drawn from seed's plot stream.
func zeroOutputMSE(task tasks.Task, seed uint64) float64 {
	b := task.Batch(newStream(seed, streamPlot), 256)
	return task.Score(make([]float32, b.T*b.B*b.NOut), &b).MSE
}

// trialTitle names an example trial by what it was drawn with, contexts
// and choices counted from 1: "context 2, coh +0.05, other −0.2". Tasks
// without signed evidence keep their condition label.
func trialTitle(tr tasks.Trial) string {
	if tr.Coherence == 0 {
		return tr.Condition
	}
	var parts []string
	if strings.Contains(tr.Condition, "ctx=") {
		parts = append(parts, fmt.Sprintf("context %d", tr.Context+1))
	}
	parts = append(parts, fmt.Sprintf("coh %+.3g", tr.Coherence))
	if tr.Coherence2 != 0 {
		parts = append(parts, fmt.Sprintf("other %+.3g", tr.Coherence2))
	}
	return strings.Join(parts, ", ")
}
