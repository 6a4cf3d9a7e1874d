package main

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// This file binds the commands to the tasks, rnn and train packages.

// checkTask refuses, without building a task or reading its data, a
// task name of cfg that no task has or a preset the task does not define,
// as resolve would: the run's (task.name, task.preset) and each curriculum
// stage's (train.curriculum[i].task, .preset), as stageTasks would.
func checkTask(cfg *runConfig) error {
	if err := checkPreset("task.name", "task.preset", cfg.Task.Name, cfg.Task.nameDefault, cfg.Task.Preset.Preset, cfg.Task.Preset.Set, flagError); err != nil {
		return err
	}
	for i, st := range cfg.Train.Curriculum {
		// A stage without a task of its own, or naming the run's, takes
		// the run's preset unless it sets one: only one it sets is new.
		name := cmp.Or(st.Task, cfg.Task.Name)
		key := fmt.Sprintf("train.curriculum[%d].", i)
		if err := checkPreset(key+"task", key+"preset", name, cfg.Task.nameDefault && st.Task == "", st.Preset.Preset, st.Preset.Set, configError); err != nil {
			return err
		}
	}
	return nil
}

// checkTaskBuild refuses, before anything is trained, a run of cfg whose
// tasks its own process would refuse: a task that cannot be built from
// its settings (as resolve would report it), a curriculum stage that
// cannot be built or whose inputs, outputs or dt differ from the run's
// task (checkStageTask), or a task.eval_settings of another dt or that
// the final task cannot be built with (checkEvalDt, evalTaskOf). It
// builds only tasks that read no data file, which is cheap: a dataset
// task (npz, mnist-*), the run's or a stage's, is left to the run's own
// process, which reads its files when it builds it, so that a sweep does
// not read them for every point.
func checkTaskBuild(cfg *runConfig) error {
	if readsData(cfg.Task.Name) {
		return nil
	}
	base := runTaskConfig(cfg)
	run, err := tasks.NewFromConfig(base)
	if err != nil {
		return settingsError(cfg, err)
	}
	final := run // the run's last task, nil if it reads a data file
	for i, st := range cfg.Train.Curriculum {
		if readsData(cmp.Or(st.Task, cfg.Task.Name)) {
			final = nil
			continue
		}
		t, err := stageTask(cfg, i, st)
		if err != nil {
			return err
		}
		if err := checkStageTask(i, t, run); err != nil {
			return err
		}
		final = t
	}
	if err := checkEvalDt(cfg, tasks.Describe(run).DtMS); err != nil {
		return err
	}
	if final != nil {
		if _, err := evalTaskOf(cfg, final); err != nil {
			return err
		}
	}
	return nil
}

// readsData reports whether the task named name reads its trials from data
// files (its preset is tasks.Dataset); an unknown name reads none.
func readsData(name string) bool {
	presets, err := tasks.Presets(name)
	return err == nil && slices.Contains(presets, tasks.Dataset)
}

// runTaskConfig is the task config of cfg's run: its task, its preset
// (tasks.Default when none was given, also once resolve has recorded the
// task's default) and its settings.
func runTaskConfig(cfg *runConfig) tasks.Config {
	p := cfg.Task.Preset.Preset
	if cfg.Task.presetDefault {
		p = tasks.Default
	}
	return tasks.Config{Task: cfg.Task.Name, Preset: p, Settings: cfg.Task.Settings}
}

// stageTask builds curriculum stage i, st, of the run of cfg
// (train.StageConfig over the run's task config). A stage's missing or
// broken data file is a failure, as the run's own is (resolve); every
// other error is a usage error naming train.curriculum[i].
func stageTask(cfg *runConfig, i int, st train.Stage) (tasks.Task, error) {
	key := fmt.Sprintf("train.curriculum[%d]", i)
	c, err := train.StageConfig(runTaskConfig(cfg), st)
	if err != nil {
		k, msg := splitKey(err.Error())
		return nil, configError(key+"."+k, errors.New(msg))
	}
	t, err := tasks.NewFromConfig(c)
	if de := (*tasks.DataError)(nil); errors.As(err, &de) {
		return nil, &settingError{key: key, err: err}
	}
	if err != nil {
		// A stage that names no task has the run's, which may be the
		// default task.
		markDefaultTask(err, cfg.Task.nameDefault && st.Task == "")
		if ue := (*tasks.UnusedSettingsError)(nil); errors.As(err, &ue) {
			return nil, unusedSettingsError(ue, key+".settings")
		}
		return nil, configError(key, err)
	}
	return t, nil
}

// markDefaultTask, when def, marks err, an error of tasks.New, as about
// the default task (tasks.UnusedSettingsError.DefaultTask,
// tasks.SettingsError.DefaultTask), so that its message says no one chose
// the task.
func markDefaultTask(err error, def bool) {
	if !def {
		return
	}
	if ue := (*tasks.UnusedSettingsError)(nil); errors.As(err, &ue) {
		ue.DefaultTask = true
	}
	if se := (*tasks.SettingsError)(nil); errors.As(err, &se) {
		se.DefaultTask = true
	}
}

// checkStageTask refuses t, the task of curriculum stage i, unless it has
// the inputs, outputs and dt of the run's task run: the network's input
// and output weights are built for the run's task, and its time constants
// (leak α = dt/τ, decays exp(−dt/τ)) are set once from the run's dt. The
// error names train.curriculum[i], both tasks and what differs. It is the
// one check of train (stageTasks) and sweep (checkTaskBuild).
func checkStageTask(i int, t, run tasks.Task) error {
	var its, runs, why []string
	in, out := t.Dims()
	rin, rout := run.Dims()
	if in != rin {
		its, runs = append(its, count(in, "input")), append(runs, count(rin, "input"))
	}
	if out != rout {
		its, runs = append(its, count(out, "output")), append(runs, count(rout, "output"))
	}
	sizes := len(its) > 0
	if sizes {
		why = append(why, "the network's input and output weights are built for the run's task")
	}
	dt, rdt := tasks.Describe(t).DtMS, tasks.Describe(run).DtMS
	if dt != rdt {
		its, runs = append(its, dtText(dt)), append(runs, dtText(rdt))
		why = append(why, oneDt+", so the stage would train other ones")
	}
	if len(its) == 0 {
		return nil
	}
	fix := ""
	switch {
	case sizes:
		fix = ": give the stage a task of the run's task's sizes ('rnntrain tasks' lists each task's)"
	case dt != 0 && rdt != 0:
		fix = fmt.Sprintf(": give the stage's settings dt_ms = %g, or the run's task settings the stage's dt_ms", rdt)
	}
	return configError(fmt.Sprintf("train.curriculum[%d]", i), fmt.Errorf("its task %s has %s, the run's task %s has %s; %s%s",
		t.Name(), listText(its), run.Name(), listText(runs), strings.Join(why, "; "), fix))
}

// count is n things: "1 output", "3 outputs".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// listText joins items as a list in prose: "a", "a and b", "a, b and c".
func listText(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// checkPreset refuses task name unless a task has it, under nameKey, and
// preset p, when set, unless it is tasks.Default or one of the task's,
// under presetKey; keyErr makes the error of a key. defTask says that name
// is the default task, which no one chose.
func checkPreset(nameKey, presetKey, name string, defTask bool, p tasks.Preset, set bool, keyErr func(string, error) error) error {
	presets, err := tasks.Presets(name)
	if err != nil {
		return keyErr(nameKey, err)
	}
	if set && p != tasks.Default && !slices.Contains(presets, p) {
		var v []string
		for _, q := range presets {
			v = append(v, q.String())
		}
		task := name
		if defTask {
			task += " (the default task)"
		}
		return keyErr(presetKey, fmt.Errorf("task %s has no preset %q; valid presets: %s", task, p, strings.Join(v, ", ")))
	}
	return nil
}

// resolve fills every default of cfg that depends on the task or the
// model: the preset, the task's settings, α from the task's dt, the fixed α
// and φ of the rnn and gru models, and the model's learning rate (runLR).
// It returns the built task. Unknown task or preset names are usage errors
// listing the valid names (checkTask). Every error about the task is a
// settingError, so that it names the flag or, once a configSource
// attributes it, the config file's key that gave the value.
func resolve(cfg *runConfig) (tasks.Task, error) {
	// The run's config (config.json, every checkpoint's) names the data
	// files wherever it is read, as AbsPaths below does for masks; the
	// curriculum stages' too.
	settings := []*tasks.Settings{&cfg.Task.Settings, cfg.Task.EvalSettings}
	for _, st := range cfg.Train.Curriculum {
		settings = append(settings, st.Settings)
	}
	for _, s := range settings {
		if err := absDataPaths(s); err != nil {
			return nil, err
		}
	}
	if err := checkTask(cfg); err != nil {
		return nil, err
	}
	// A preset not given is recorded (config.json names it) but built
	// as tasks.Default (runTaskConfig), so that an error, the run's or a
	// curriculum stage's, says it is the task's default rather than a
	// preset someone chose.
	if !cfg.Task.Preset.Set {
		p, err := tasks.DefaultPreset(cfg.Task.Name)
		if err != nil {
			return nil, flagError("task.name", err)
		}
		cfg.Task.Preset = presetChoice{Preset: p, Set: true}
		cfg.Task.presetDefault = true
	}
	task, err := tasks.NewFromConfig(runTaskConfig(cfg))
	if de := (*tasks.DataError)(nil); errors.As(err, &de) {
		// A missing or broken data file is a failure (exit 1), not a
		// usage error; the message names the file.
		if p := cfg.Task.Settings.Path; p != "" {
			return nil, dataError(p, err)
		}
		return nil, &settingError{key: "task.name", err: err, short: true, value: cfg.Task.Name}
	}
	if nd := (*tasks.NoDataError)(nil); errors.As(err, &nd) {
		return nil, usageError{&settingError{key: "task.name", short: true, value: nd.Task,
			err: errors.New("needs -data FILE (task.settings.path in a config file): the .npz file holding inputs [trials, T, n_in], targets [trials, T, n_out] and optionally mask")}}
	}
	if err != nil {
		// The task and preset exist (checkTask): the settings do not
		// suit them. The error names the settings given, by their flags
		// or config keys, not the task or preset (which may be defaults
		// no one gave).
		return nil, settingsError(cfg, err)
	}
	if c, ok := task.(tasks.Configurable); ok {
		cfg.Task.Settings = c.Config().Settings
	}
	cfg.Model.Inputs, cfg.Model.Outputs = task.Dims()
	cfg.Model.DtMS = tasks.Describe(task).DtMS
	cfg.Model = cfg.Model.Resolved()
	if a, ok := cfg.Model.Model.(interface{ AbsPaths() error }); ok {
		if err := a.AbsPaths(); err != nil {
			return nil, err
		}
	}
	cfg.Train.Seed = cfg.Seed
	cfg.Train.LR = runLR(cfg)
	return task, nil
}

// unusedSettingsError is the usage error of ue, settings a task does not
// take, naming each by its key under table ("task.settings",
// "task.eval_settings", "train.curriculum[1].settings"): the table that
// gave it, as a stage of another task or preset, and the final
// evaluation's task, take no other settings than their own over the
// run's accepted ones.
func unusedSettingsError(ue *tasks.UnusedSettingsError, table string) error {
	errs := make([]error, len(ue.Keys))
	for i, k := range ue.Keys {
		msg := fmt.Sprintf("task %s does not take this setting", ue.TaskPreset())
		if i == len(ue.Keys)-1 {
			msg += fmt.Sprintf(" ('rnntrain tasks %s' lists the settings each preset takes)", ue.Task)
		}
		errs[i] = &settingError{key: table + "." + k, short: true, err: errors.New(msg)}
	}
	return usageError{errors.Join(errs...)}
}

// settingsError is err, an error of tasks.New about the run's task
// settings, as usage errors naming the settings: one for each setting the
// task does not take, by its key under task.settings (and flag), or else
// one naming the settings set, which were at fault together (an npz split
// too large for the file): by their flags, or, once a configSource has
// attributed it, the config file's by their keys and the others by their
// flags (not the data file's path: an unusable data file is a DataError).
func settingsError(cfg *runConfig, err error) error {
	markDefaultTask(err, cfg.Task.nameDefault)
	if ue := (*tasks.UnusedSettingsError)(nil); errors.As(err, &ue) {
		return unusedSettingsError(ue, "task.settings")
	}
	var keys []string
	if flat, ferr := flatten(cfg); ferr == nil {
		for k := range flat {
			if strings.HasPrefix(k, "task.settings.") && k != "task.settings.path" {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return usageError{&settingError{key: "task.settings", err: err, keys: keys}}
}

// absDataPaths makes the data paths of s (path, mnist_dir) absolute,
// relative ones taken from the working directory; s may be nil.
func absDataPaths(s *tasks.Settings) error {
	if s == nil {
		return nil
	}
	return files.AbsPaths(&s.Path, &s.MNISTDir)
}

// rnnNet adapts an rnn.Network (which the training loop takes directly as
// its train.Model) to analysis.Runner (runner.go).
type rnnNet struct {
	net       *rnn.Network[float32]
	nIn, nOut int
	hidden    int
	// evalTape records run's forward passes; it is reset before and after
	// each, so it holds memory only between the two.
	evalTape *autodiff.Tape[float32]
}

// buildNetwork builds a network of cfg.Model for nIn inputs and nOut
// outputs, initialised from rng.
func buildNetwork(cfg runConfig, nIn, nOut int, rng *rand.Rand) (*rnnNet, error) {
	mc := cfg.Model
	mc.Inputs, mc.Outputs = nIn, nOut
	mc.EncodingSeed = cfg.Seed // Poisson inputs of passes without noise come from the run's seed
	net, err := rnn.New[float32](mc, rng)
	if err != nil {
		// A setting checked only here, such as a mask file's shape, is
		// named by its flag: "model (lif): rec_mask: …" is -rec-mask's.
		if key, msg := splitKey(err.Error()); keyFlag(key) != "" {
			if unreadable(err) {
				return nil, &settingError{key: key, err: errors.New(msg)} // a failure, not a bad value
			}
			return nil, configError(key, errors.New(msg))
		}
		return nil, usagef("-model %s: %v", cfg.Model.Kind(), err)
	}
	return &rnnNet{net: net, nIn: nIn, nOut: nOut, hidden: cfg.Model.Hidden, evalTape: autodiff.NewTape[float32]()}, nil
}

func (n *rnnNet) params() []*autodiff.Param[float32] { return n.net.Params() }
