package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
)

// figureSet writes figures into one directory in a set of formats and
// keeps the names of those it wrote.
type figureSet struct {
	dir     string
	formats plots.Formats // nil: plots.DefaultFormats
	// rasterUnits is the most units a raster draws (plots.Raster.MaxUnits;
	// 0: every unit).
	rasterUnits int
	wrote       []string
	// ctx, when not nil, stops the set: once it is done, add draws no
	// further figure and returns its error.
	ctx context.Context
}

// add writes the figure name, dir/name with each format's extension, by
// calling write with each path.
func (fs *figureSet) add(name string, write func(path string) error) error {
	if fs.ctx != nil {
		if err := fs.ctx.Err(); err != nil {
			return err
		}
	}
	for _, p := range fs.formats.Paths(filepath.Join(fs.dir, name)) {
		if err := write(p); err != nil {
			return err
		}
	}
	fs.wrote = append(fs.wrote, name)
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

// write draws every figure of the run into dir in the formats fs, its
// rasters of at most rasterUnits units, and returns their names: curves, example trials, the psychometric curve of a
// decision task, the raster of a spiking model's spikes or an event-based model's events, and the analysis
// figures of a recording of held-out trials (tableFigures).
func (f runFigures) write(ctx context.Context, dir string, formats plots.Formats, rasterUnits int) ([]string, error) {
	cfg := f.s.cfg
	set := &figureSet{dir: dir, formats: formats, rasterUnits: rasterUnits, ctx: ctx}
	add := set.add
	if len(f.curves.Step) > 0 {
		cv := f.curves
		cv.Title = fmt.Sprintf("%s, %s N=%d", cfg.Task.Name, cfg.Model.Kind(), cfg.Model.Hidden)
		cv.Target = cfg.Train.TargetAccuracy
		cv.Chance = tasks.Describe(f.evalTask).Chance
		cv.ChanceLoss = zeroOutputLoss(f.evalTask, cfg.Seed)
		if err := add("curves", func(p string) error { return plots.WriteCurves(p, cv) }); err != nil {
			return set.wrote, err
		}
	}
	tf := trialsFigure(f.s.task, f.s.net, newStream(cfg.Seed, streamPlot), 3)
	tf.Title = cfg.Task.Name
	if err := add("trials", func(p string) error { return plots.WriteTrials(p, tf) }); err != nil {
		return set.wrote, err
	}
	if len(f.rep.Psychometric) > 0 {
		pf := psychometricFigure(f.rep)
		if err := add("psychometric", func(p string) error { return plots.WritePsychometric(p, pf) }); err != nil {
			return set.wrote, err
		}
	}
	if m := cfg.Model.Resolved().Model.Model(); drawsRaster(m) {
		rf := rasterFigure(f.s.task, f.s.net, m, newStream(cfg.Seed, streamPlot), 3)
		rf.Title, rf.MaxUnits = cfg.Task.Name, rasterUnits
		if err := add("raster", func(p string) error { return plots.WriteRaster(p, rf) }); err != nil {
			return set.wrote, err
		}
	}
	// The analysis figures: a recording of held-out trials, as many as
	// fit in about 16 MB of rates (32 to 512).
	held := tasks.HeldOut(f.evalTask)
	info := tasks.Describe(held)
	_, N, _ := f.s.net.Dims()
	n := min(512, max(32, 4<<20/max(1, info.MaxSteps*N)))
	if err := ctx.Err(); err != nil {
		return set.wrote, err
	}
	rng := newStream(cfg.Seed, streamPlot)
	rec := analysis.Record(f.s.net, held, rng, rng, n)
	table := tableOf(rec, info)
	err := tableFigures(&table, set, false)
	return set.wrote, err
}

// zeroOutputLoss is the task's loss (MSE or cross-entropy) of a network
// whose output is always zero: the level a loss curve must fall below to
// have learnt anything (for a cross-entropy task, log K of a uniform guess
// among K outputs). It scores one batch of 256 trials drawn from seed's
// plot stream.
func zeroOutputLoss(task tasks.Task, seed uint64) float64 {
	b := task.Batch(newStream(seed, streamPlot), 256)
	zero := make([]float32, b.T*b.B*b.NOut)
	if task.Loss() == tasks.CrossEntropy {
		return tasks.MaskedCrossEntropy(zero, &b)
	}
	return task.Score(zero, &b).MSE
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
