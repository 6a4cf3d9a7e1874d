package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

const plotLong = `Plot draws every figure of a trained run again, from its checkpoint and
its metrics.jsonl, into RUN/plots (or -out DIR), in the run's plot formats
(plot_formats, default png,svg) or those of -format:

	curves         loss (training batches, held-out trials, a zero output's:
	               the task's MSE or cross-entropy) and accuracy (training
	               batches, held-out trials, target, chance) against
	               training step
	trials         three example trials: inputs; outputs with their targets
	               where scored, unscored periods shaded
	psychometric   tasks with signed evidence (perceptual-dm, context-dm,
	               multisensory, parametric-wm): P(choice 1) against it,
	               per context
	psychometric-contexts
	               context-dm, multisensory: P(choice 1) against the
	               evidence of each modality (columns) in each context
	               (rows), Mante et al. (2013) Fig. 1
	stimuli        parametric-wm: the f1 × f2 stimulus set with the
	               percentage of correct trials of each pair
	timing         ready-set-go: produced against target interval (once
	               some trial produces a response)
	units          the four units whose trial-averaged rates vary most,
	               one line per condition (context and correct choice, or
	               quartile of the task's value)
	pca            the condition-averaged trajectories on their first two
	               principal components, and each against time
	raster         spiking models and egru: rasters of the spikes (egru:
	               the events o_t, where y_t ≠ 0) of example trials, of at
	               most -raster-units units (default: the run's
	               plot_raster_units; of a recording, 200), evenly spaced
	               from unit 0 and labelled with their indices; 0 = every
	               unit

The run's training draws the same figures. The examples and the analysis
figures are drawn from the run's seed, so plotting again gives the same
figures. A run trained with -keep-best draws them, as its training did,
from the weights of its best held-out evaluation (RUN/best.safetensors);
RUN/checkpoint.safetensors gives the last step's.

With -recording FILE.npz it draws the figures of an 'eval -record'
recording (docs/recordings.md) into FILE-plots/ (or -out DIR): trials,
raster (a spiking net's recording, with state/z, or an egru's, with
state/y), psychometric, psychometric-contexts, stimuli, timing, units and
pca, as far as the recording holds what each needs (a recording of
-inputs has no targets or task variables: units and pca only). Time is in
steps, as the recording does not store the task's dt.

Exit status 2 for a usage error (a bad flag, no RUN, both RUN and
-recording, -raster-units for a run or recording without spikes or
events), 1 when a file cannot be read or written.`

func plotCommand() *command {
	return &command{
		Name:  "plot",
		Short: "draw every figure of a run (or of an eval -record recording) again",
		Usage: "RUN | -recording FILE.npz [-format png,svg,pdf] [-raster-units N] [-out DIR]",
		Long:  plotLong,
		Setup: func(fset *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			recording := fset.String("recording", "", "draw the figures of this eval -record .npz file instead of a run's")
			// Zero flag defaults, so that the help prints only the
			// defaults the text gives: the run's own settings.
			var formats plots.Formats
			fset.TextVar(&formats, "format", plots.Formats(nil), fmt.Sprintf("figure formats, comma-separated: png, svg, pdf (default: the run's plot_formats; %s for a recording)", plots.DefaultFormats()))
			rasterUnits := fset.Int("raster-units", 0, fmt.Sprintf("the most units a raster of spikes or events draws, evenly spaced, 0 = every unit (default: the run's plot_raster_units; %d for a recording)", plots.DefaultRasterUnits))
			out := fset.String("out", "", "directory for the figures (default: RUN/plots, or FILE-plots next to the recording)")
			return func(ctx context.Context, args []string) error {
				switch {
				case *recording != "" && len(args) > 0:
					return usagef("give a RUN or -recording FILE.npz, not both (got %q)", args)
				case *recording == "" && len(args) != 1:
					return usagef("want one RUN directory (or checkpoint file) or -recording FILE.npz; got %d arguments", len(args))
				case *recording == "" && args[0] == "":
					return usagef("want one RUN directory (or checkpoint file) or -recording FILE.npz; got an empty RUN")
				case *recording == "" && strings.EqualFold(filepath.Ext(args[0]), ".npz") && !isDir(args[0]):
					return usagef("RUN %s: an .npz file, not a run directory or checkpoint; for the figures of an eval -record recording give -recording %s", args[0], args[0])
				}
				var fs plots.Formats
				if flagGiven(fset, "format") {
					fs = formats
				}
				if err := checkRasterUnits(*rasterUnits); err != nil {
					return usagef("-raster-units: %v", err)
				}
				units := -1 // the run's, or the default of a recording
				if flagGiven(fset, "raster-units") {
					units = *rasterUnits
				}
				var dir string
				var wrote []string
				var note string
				var err error
				if *recording != "" {
					dir, wrote, err = plotRecording(*recording, *out, fs, units)
				} else {
					dir, wrote, note, err = plotRun(ctx, args[0], *out, fs, units, e.stderr)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "wrote %d figures to %s: %s\n", len(wrote), dir, strings.Join(wrote, ", "))
				if note != "" {
					fmt.Fprintf(e.stdout, "(%s)\n", note)
				}
				return nil
			}
		},
	}
}

// plotRun draws the figures of the run at path (a run directory or one of
// its checkpoint files) into out (default: the run's plots/) in the
// formats (nil: the run's own), its rasters of at most rasterUnits units
// (negative: the run's plot_raster_units), and returns the directory and
// the figures' names. It says on stderr what it leaves out and why, and
// what it took an old fit checkpoint's held-out conditions from.
func plotRun(ctx context.Context, path, out string, formats plots.Formats, rasterUnits int, stderr io.Writer) (dir string, wrote []string, note string, err error) {
	s, c, err := loadSession(path)
	if err != nil {
		return "", nil, "", err
	}
	noteUnsplitFit(stderr, "plot", s, c)
	if rasterUnits >= 0 && !drawsRaster(s.cfg.Model.Resolved().Model.Model()) {
		return "", nil, "", usagef("-raster-units: the run's %s model draws no raster (lif, alif, ltc and egru do)", s.cfg.Model.Kind())
	}
	run := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		run = filepath.Dir(path)
		if filepath.Base(run) == "checkpoints" {
			run = filepath.Dir(run)
		}
	}
	dir = cmp.Or(out, filepath.Join(run, "plots"))
	if err := makePlotsDir(dir, out, "RUN/plots"); err != nil {
		return dir, nil, "", err
	}
	if formats == nil {
		formats = s.cfg.PlotFormats
	}
	if rasterUnits < 0 {
		rasterUnits = s.cfg.PlotRasterUnits
	}
	var cv plots.Curves
	switch data, err := files.ReadRegular(filepath.Join(run, "metrics.jsonl"), maxMetricsBytes); {
	case errors.Is(err, fs.ErrNotExist):
		// A checkpoint without its run directory: no curves.
	case err != nil:
		return dir, nil, "", fmt.Errorf("metrics: %w", err)
	default:
		var bad, first int
		cv, _, bad, first = metricsCurves(data, c.Meta.Step, s.task.Loss() == tasks.MSE)
		// Say so of the lines that are not metrics records, which the
		// curves leave out, rather than draw the curves short in silence.
		if bad > 0 {
			fmt.Fprintf(stderr, "rnntrain plot: warning: %s\n", badLines(filepath.Join(run, "metrics.jsonl"), bad, first, "a metrics record", "metrics records", "the curves"))
		}
	}
	weights := c.Meta.Step
	if run == path {
		if weights, err = plotBest(s, c, run); err != nil {
			return dir, nil, "", err
		}
		if weights != c.Meta.Step {
			note = fmt.Sprintf("drawn from the best held-out evaluation's weights, of step %d, kept in %s, as training drew them; plot %s for the last step's",
				weights, checkpoints.BestPath(run), checkpoints.LatestPath(run))
		}
	}
	evalTask, err := s.evalTask()
	if err != nil {
		return dir, nil, "", err
	}
	rep, err := finalReport(ctx, s, evalTask, c.Meta.Step)
	if err != nil {
		return dir, nil, "", err
	}
	if weights != c.Meta.Step {
		rep.WeightsStep = weights
	}
	f := runFigures{s: s, evalTask: evalTask, rep: rep, curves: cv}
	wrote, err = f.write(ctx, dir, formats, rasterUnits)
	return dir, wrote, note, err
}

// plotBest loads into s's network, for the run directory run whose latest
// checkpoint c has keep_best, the weights of its best.safetensors when
// they are of an earlier step than c's (runBest), as the run's training
// drew its figures from them, and returns the step of the weights s holds.
func plotBest(s *session, c *checkpoints.Checkpoint, run string) (int, error) {
	b, err := runBest(s, c, run)
	if err != nil {
		return 0, fmt.Errorf("%w (the run keeps its best held-out evaluation, whose weights its figures show; plot %s draws the last step's)", err, checkpoints.LatestPath(run))
	}
	if b == nil {
		return c.Meta.Step, nil
	}
	if err := checkFiniteParams(b); err != nil {
		return 0, err
	}
	if err := checkpoints.RestoreParams(b, s.net.params()); err != nil {
		return 0, err
	}
	return b.Meta.Step, nil
}

// runBest returns the best checkpoint whose weights the final evaluation
// of the run in directory run scored instead of those of its latest
// checkpoint c, of session s: its best.safetensors when c's config keeps
// the best and the file is of an earlier step than c's; nil for a run
// without keep_best (resumed without it since it kept one), or with no
// best file or one of a later step (left by a run resumed from an earlier
// checkpoint). A best file of another task or seed than c's (train.SameRun)
// is an error naming it.
func runBest(s *session, c *checkpoints.Checkpoint, run string) (*checkpoints.Checkpoint, error) {
	if !s.cfg.Train.KeepBest {
		return nil, nil
	}
	b, err := checkpoints.Load(checkpoints.BestPath(run))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case b.Meta.Step >= c.Meta.Step:
		return nil, nil
	}
	// Another run's file, copied in: its weights are not the run's.
	if err := train.SameRun(b, c.Meta); err != nil {
		return nil, fmt.Errorf("best checkpoint %s: %w; want one kept by this run", b.Path, err)
	}
	return b, nil
}

// noteBest writes to w, when path names a run directory whose final
// evaluation and figures used the weights of its best held-out evaluation
// (runBest) rather than those of c, its latest checkpoint, read into s,
// the note of command cmd that says it verb ("scores", "analyses") c and
// how to name the best: flag ("-checkpoint"). A best file that cannot be
// read gives no note: the commands read only c.
func noteBest(w io.Writer, cmd, verb, flag string, s *session, c *checkpoints.Checkpoint, path string) {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return
	}
	b, err := runBest(s, c, path)
	if err != nil || b == nil {
		return
	}
	fmt.Fprintf(w, "rnntrain %s: note: this %s %s, of step %d; the run's final evaluation (eval.json) and figures scored the weights of its best held-out evaluation, of step %d: %s %s\n",
		cmd, verb, c.Path, c.Meta.Step, b.Meta.Step, flag, b.Path)
}

// plotRecording draws the figures of the eval -record file path into out
// (default: FILE-plots beside it) in the formats fs (nil: the default
// formats), its raster of at most rasterUnits units (0: every unit;
// negative: plots.DefaultRasterUnits), and returns the directory and the
// figures' names. A rasterUnits ≥ 0 for a recording without spikes or
// events is a usage error.
func plotRecording(path, out string, fs plots.Formats, rasterUnits int) (dir string, wrote []string, err error) {
	t, err := readRecording(path)
	if err != nil {
		return "", nil, fmt.Errorf("-recording: %w", err)
	}
	switch {
	case rasterUnits >= 0 && t.raster == nil:
		return "", nil, usagef("-raster-units: %s is not the recording of a spiking or event-based net (it has no state/z or state/y) and draws no raster", path)
	case rasterUnits < 0:
		rasterUnits = plots.DefaultRasterUnits
	}
	dir = cmp.Or(out, strings.TrimSuffix(path, filepath.Ext(path))+"-plots")
	if err := makePlotsDir(dir, out, "FILE-plots beside the recording"); err != nil {
		return dir, nil, err
	}
	set := &figureSet{dir: dir, formats: fs, rasterUnits: rasterUnits}
	err = tableFigures(&t, set, true)
	return dir, set.wrote, err
}

// makePlotsDir creates the figures' directory dir, out as -out gave it:
// "" when dir is the default (named by def, as "RUN/plots"), which an
// error then calls so rather than blame -out, which was not given.
func makePlotsDir(dir, out, def string) error {
	err := os.MkdirAll(dir, 0o755)
	switch {
	case err == nil:
		return nil
	case out != "":
		return fmt.Errorf("-out: %w", err)
	}
	return fmt.Errorf("%s, the default plots directory (%s): %w; give -out DIR to draw the figures elsewhere", dir, def, err)
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// badLines says of the file path that n of its lines, the first line
// first, are not records (one: "a metrics record", many: "metrics
// records"), which what (the reader's result) leaves out.
func badLines(path string, n, first int, one, many, what string) string {
	if n == 1 {
		return fmt.Sprintf("%s: line %d is not %s; %s leave it out", path, first, one, what)
	}
	return fmt.Sprintf("%s: %d lines, the first line %d, are not %s; %s leave them out", path, n, first, many, what)
}
