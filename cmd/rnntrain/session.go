package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// Random streams the commands draw besides the training loop's own
// (train.StreamInit … train.StreamEvalNoise), far above those.
const (
	streamPlot        train.Stream = 1<<32 + iota // example trials for plots
	streamFinal                                   // the final evaluation of train
	streamEvalCmd                                 // eval's trials
	streamRecord                                  // eval -record's trials
	streamLog                                     // train's per-log-line accuracy batches
	streamInactivate                              // inactivate's unit draws
	streamFixedPoints                             // fixedpoints' trials (its initial states: +1<<8)
	streamFiniteCheck                             // the trials of checkFiniteOutputs
)

// newStream returns the random stream s of seed.
func newStream(seed uint64, s train.Stream) *rand.Rand { return train.NewRNG(seed, s) }

// session is a built task and network with the run's resolved config.
type session struct {
	cfg runConfig
	// task is the task the run ends on: the last curriculum stage, or
	// the run's task without a curriculum. eval and the final evaluation
	// use it.
	task tasks.Task
	// stages are the tasks of the curriculum stages (train.curriculum),
	// or the run's task alone.
	stages []tasks.Task
	net    *rnnNet
	// dt is the task's time step in ms.
	dt float64
	// files are the SHA-256 sums of the files the network was built from
	// (builtFromSums), stored in its checkpoints.
	files map[string]string
	// heldFrom, for a fit checkpoint written before fits recorded their
	// held-out conditions, names the fit.json they were rebuilt from
	// (fitHoldout); "" otherwise.
	heldFrom string
}

// newSession resolves cfg against its task and builds the task and a
// freshly initialised network.
func newSession(cfg runConfig) (*session, error) { return newSessionWithin(cfg, 0) }

// newSessionWithin is newSession refusing, before building anything, a run
// whose estimated memory exceeds maxMemory bytes (0: the memory available;
// see checkMemory).
func newSessionWithin(cfg runConfig, maxMemory float64) (*session, error) {
	if p := cfg.Task.Settings.Path; p != "" && cfg.Task.Name == "npz" {
		if err := checkArchiveMemory(p, maxMemory, 0, "inputs", "targets", "mask"); err != nil {
			return nil, dataError(p, err)
		}
	}
	task, err := resolve(&cfg)
	if err != nil {
		return nil, err
	}
	if err := checkMemory(cfg, task, maxMemory); err != nil {
		return nil, err
	}
	stages, err := stageTasks(cfg, task)
	if err != nil {
		return nil, err
	}
	nIn, nOut := task.Dims()
	net, err := buildNetwork(cfg, nIn, nOut, newStream(cfg.Seed, train.StreamInit))
	if err != nil {
		return nil, err
	}
	sums, err := builtFromSums(cfg)
	if err != nil {
		return nil, err
	}
	last := stages[len(stages)-1]
	return &session{cfg: cfg, task: last, stages: stages, net: net, dt: tasks.Describe(last).DtMS, files: sums}, nil
}

// stageTasks builds the curriculum stages of cfg (train.curriculum: each
// stage the run's task with some settings overridden, or another task of
// the same sizes and dt), each checked against the run's task, task
// (checkStageTask), or returns the run's task alone.
func stageTasks(cfg runConfig, task tasks.Task) ([]tasks.Task, error) {
	if len(cfg.Train.Curriculum) == 0 {
		return []tasks.Task{task}, nil
	}
	stages := make([]tasks.Task, len(cfg.Train.Curriculum))
	for i, st := range cfg.Train.Curriculum {
		t, err := stageTask(&cfg, i, st)
		if err != nil {
			return nil, err
		}
		if err := checkStageTask(i, t, task); err != nil {
			return nil, err
		}
		stages[i] = t
	}
	return stages, nil
}

// checkEvalDt refuses a task.eval_settings of cfg whose dt_ms is not dt,
// the run's task's: the network's leak α = dt/τ (leaky, lowrank), its
// decays exp(−dt/τ) (lif, alif, the leaky readout) and model.dt_ms are
// set once from the run's dt, so the final evaluation would test other
// time constants than the run's. (stageTasks refuses a curriculum stage
// of another dt.) Training and sweep resolution check it; loading a
// checkpoint does not.
func checkEvalDt(cfg *runConfig, dt float64) error {
	if e := cfg.Task.EvalSettings; e != nil && e.DtMS != 0 && e.DtMS != dt {
		return configError("task.eval_settings", fmt.Errorf("dt_ms = %g, the run's task %s has %s; %s, so the final evaluation would test other ones: leave dt_ms out of task.eval_settings",
			e.DtMS, cfg.Task.Name, dtText(dt), oneDt))
	}
	return nil
}

// oneDt says why a run's tasks (its curriculum stages, its final
// evaluation's) step by the run's task's dt.
const oneDt = "the network's time constants (leak α = dt/τ, decays exp(−dt/τ)) are set once from the run's dt"

// dtText names a task's step for a message: "dt_ms = 20", or "no time
// step" for a dataset without one.
func dtText(dt float64) string {
	if dt == 0 {
		return "no time step"
	}
	return fmt.Sprintf("dt_ms = %g", dt)
}

// evalTask is the task of the final evaluation and the plots: the final
// task with task.eval_settings applied (evalTaskOf).
func (s *session) evalTask() (tasks.Task, error) { return evalTaskOf(&s.cfg, s.task) }

// evalTaskOf is the task of the final evaluation of cfg's run, whose final
// task (its last curriculum stage's, or its own) is final: final with
// task.eval_settings applied, or final itself without them.
func evalTaskOf(cfg *runConfig, final tasks.Task) (tasks.Task, error) {
	if cfg.Task.EvalSettings == nil {
		return final, nil
	}
	c, ok := final.(tasks.Configurable)
	if !ok {
		return nil, configError("task.eval_settings", fmt.Errorf("task %s has no settings to override", final.Name()))
	}
	tc := c.Config()
	tc.Settings = tc.Settings.Override(*cfg.Task.EvalSettings)
	// The final task's preset, or its task, may be a default no one
	// chose; an error says so.
	fc, defTask := runTaskConfig(cfg), cfg.Task.nameDefault
	if n := len(cfg.Train.Curriculum); n > 0 {
		last := cfg.Train.Curriculum[n-1]
		if c, err := train.StageConfig(fc, last); err == nil {
			fc = c
		}
		defTask = defTask && last.Task == ""
	}
	if fc.Preset == tasks.Default {
		tc.Preset = tasks.Default
	}
	t, err := tasks.NewFromConfig(tc)
	if err != nil {
		markDefaultTask(err, defTask)
		if ue := (*tasks.UnusedSettingsError)(nil); errors.As(err, &ue) {
			return nil, unusedSettingsError(ue, "task.eval_settings")
		}
		return nil, configError("task.eval_settings", err)
	}
	return t, nil
}

// paramCount is the number of scalar parameters of the network.
func (s *session) paramCount() int {
	n := 0
	for _, p := range s.net.params() {
		n += p.Value.Len()
	}
	return n
}

// checkpoint assembles the checkpoint of the session's parameters and the
// loop's state st (optimizer moments, random streams, step and metrics).
func (s *session) checkpoint(st train.State) (*checkpoints.Checkpoint, error) {
	meta, err := s.meta()
	if err != nil {
		return nil, err
	}
	return train.NewCheckpoint(meta, s.net.net, st)
}

// meta is the metadata of the session's checkpoints: model, task, run
// config and the sums of the files the run is built from.
func (s *session) meta() (checkpoints.Meta, error) {
	cfgJSON, err := json.Marshal(s.cfg)
	if err != nil {
		return checkpoints.Meta{}, fmt.Errorf("encode config: %w", err)
	}
	return checkpoints.Meta{Model: s.cfg.Model.Kind(), Task: s.cfg.Task.Name, Config: cfgJSON, Files: s.files}, nil
}

// openCheckpoint loads the checkpoint at path: a .safetensors file, or a
// run directory holding checkpoint.safetensors.
func openCheckpoint(path string) (*checkpoints.Checkpoint, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("checkpoint %s: no such file or directory", path)
	case err != nil:
		return nil, fmt.Errorf("checkpoint %s: %w", path, err)
	case st.IsDir():
		dir := path
		path = checkpoints.LatestPath(dir)
		if _, err := os.Stat(path); err != nil {
			if _, cerr := os.Stat(filepath.Join(dir, "config.json")); cerr == nil {
				// A run still before its first checkpoint, or one
				// stopped there.
				return nil, fmt.Errorf("checkpoint %s: no such file: the run in %s has saved no checkpoint yet (train saves one every -save-every steps and when it stops)", path, dir)
			}
			return nil, fmt.Errorf("checkpoint %s: no such file (is the directory a run directory?)", path)
		}
	}
	return checkpoints.Load(path)
}

// checkpointArgs is the usage check of a command that reads one
// -checkpoint: no positional arguments, and -checkpoint given.
func checkpointArgs(args []string, ckpt string) error {
	switch {
	case len(args) > 0:
		return usagef("unexpected arguments %q", args)
	case ckpt == "":
		return usagef("-checkpoint PATH is required")
	}
	return nil
}

// loadSession reads a checkpoint, rebuilds its task and network from the
// config it carries and restores the parameters. A parameter holding a NaN
// or an infinity (a diverged run) is a failure naming the tensor and the
// entry: the analyses would otherwise fail later with messages about
// singular matrices or PCA. eval, which reports such a network's metrics,
// uses openSession.
func loadSession(path string) (*session, *checkpoints.Checkpoint, error) {
	s, c, err := openSession(path)
	if err != nil {
		return nil, nil, err
	}
	if err := checkFiniteParams(c); err != nil {
		return nil, nil, err
	}
	return s, c, nil
}

// checkFiniteParams is c.CheckFinite with what it means for a run.
func checkFiniteParams(c *checkpoints.Checkpoint) error {
	if err := c.CheckFinite(); err != nil {
		return fmt.Errorf("%w: the run diverged (rnntrain inspect shows its metrics)", err)
	}
	return nil
}

// finiteCheckTrials is the number of trials checkFiniteOutputs runs: a
// network whose dynamics overflow does so on any trial.
const finiteCheckTrials = 16

// checkFiniteOutputs runs finiteCheckTrials trials of task (fresh ones of
// seed, a dataset's spread over it) through s's network, read from the
// checkpoint path, without noise, and returns an error when an output
// before a trial's end is not finite: the dynamics of finite weights too
// large overflow float32, and the accuracies a command would print score
// outputs that are not numbers.
func checkFiniteOutputs(s *session, path string, task tasks.Task, seed uint64) error {
	r := analysis.Record(s.net, task, newStream(seed, streamFiniteCheck), nil, finiteCheckTrials)
	i, v, ok := firstNonFinite(r, r.Outputs, r.NOut)
	if !ok {
		return nil
	}
	name, largest := largestParam(s.net.params())
	return fmt.Errorf("checkpoint %s: the network's output is %v at %s (of %d trials, run without noise): its dynamics overflow (the largest weight, in %s, has |w| = %.3g), and its accuracies would score outputs that are not numbers",
		path, v, cell(i, []int{r.Trials, r.T, r.NOut}), r.Trials, name, largest)
}

// firstNonFinite returns the index into x, a [trials, T, size] array of r,
// of its first value before a trial's end that is NaN or ±Inf, and that
// value; ok is false when there is none.
func firstNonFinite(r *analysis.Recording, x []float32, size int) (i int, v float32, ok bool) {
	for n := range r.Trials {
		steps := r.T
		if n < len(r.Lengths) {
			steps = r.Lengths[n]
		}
		for k := n * r.T * size; k < (n*r.T+steps)*size; k++ {
			if f := float64(x[k]); math.IsNaN(f) || math.IsInf(f, 0) {
				return k, x[k], true
			}
		}
	}
	return 0, 0, false
}

// largestParam returns the name of the parameter of params holding the
// value of largest magnitude, and that magnitude.
func largestParam[T autodiff.Float](params []*autodiff.Param[T]) (name string, largest float64) {
	for _, p := range params {
		for _, w := range p.Value.Data {
			if a := math.Abs(float64(w)); a > largest {
				name, largest = p.Name, a
			}
		}
	}
	return name, largest
}

// openSession is loadSession accepting parameters that are not finite.
func openSession(path string) (*session, *checkpoints.Checkpoint, error) {
	c, err := openCheckpoint(path)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := checkpointConfig(c)
	if err != nil {
		return nil, nil, err
	}
	if _, err := relocateData(c, &cfg, nil); err != nil {
		return nil, nil, err
	}
	heldFrom := fitHoldout(c, &cfg)
	s, err := newSession(cfg)
	if err != nil {
		// A bad config inside a file is a broken file, not a usage error,
		// and its settings are the stored config's keys, not flags.
		eachSettingError(err, func(se *settingError) { se.specName = se.key })
		return nil, nil, fmt.Errorf("checkpoint %s: rebuild network: %s", c.Path, err)
	}
	s.heldFrom = heldFrom
	// The task is rebuilt from its data file, which may have changed since
	// training: say so rather than list mismatched weight shapes, or the
	// checksums of the files (next), which say less.
	if in, out := cfg.Model.Inputs, cfg.Model.Outputs; in > 0 && out > 0 {
		if nIn, _, nOut := s.net.Dims(); nIn != in || nOut != out {
			what := "task " + s.task.Name()
			if p := s.cfg.Task.Settings.Path; p != "" {
				what = "data file " + p + " (task.settings.path)"
			}
			return nil, nil, fmt.Errorf("checkpoint %s: the network was trained with %s and %s; its %s now gives %d and %d (was it changed since training?)",
				c.Path, count(in, "input"), count(out, "output"), what, nIn, nOut)
		}
	}
	if d := changedFiles(c.Meta.Files, s.files, s.cfg); d != "" {
		return nil, nil, fmt.Errorf("checkpoint %s: the run is rebuilt from files that changed since it was written: %s; restore them, or train a new run on them", c.Path, d)
	}
	if err := checkpoints.RestoreParams(c, s.net.params()); err != nil {
		return nil, nil, err
	}
	return s, c, nil
}

// checkpointConfig decodes the run config a checkpoint carries.
func checkpointConfig(c *checkpoints.Checkpoint) (runConfig, error) {
	cfg := defaultConfig()
	if len(c.Meta.Config) == 0 {
		return cfg, fmt.Errorf("checkpoint %s: no run config in its metadata (not written by rnntrain train?)", c.Path)
	}
	if c.Meta.FormatVersion <= 1 {
		if err := legacyConfig(c.Meta.Config, &cfg); err != nil {
			return cfg, fmt.Errorf("checkpoint %s: run config (format 1): %w", c.Path, err)
		}
		return cfg, nil
	}
	if err := decodeConfig(c.Meta.Config, &cfg); err != nil {
		return cfg, fmt.Errorf("checkpoint %s: run config: %w", c.Path, err)
	}
	// The model and task labels are for people and tools, the config is
	// what the commands build from: labels that say otherwise were
	// edited since, and the file is refused rather than shown as one run
	// and loaded as another. A file without labels claims nothing.
	for _, l := range []labelError{{c.Path, "model", c.Meta.Model, cfg.Model.Kind()}, {c.Path, "task", c.Meta.Task, cfg.Task.Name}} {
		if l.label != "" && l.label != l.config {
			return cfg, &l
		}
	}
	return cfg, nil
}

// labelError is a checkpoint whose model or task label (key) is not that
// of the run config it stores.
type labelError struct{ path, key, label, config string }

func (e *labelError) Error() string {
	return fmt.Sprintf("checkpoint %s: its %s label %q is not the %s of the run config it stores, %q: the file was edited since it was written; restore it, or take an earlier step file", e.path, e.key, e.label, e.key, e.config)
}
