package main

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/internal/files"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/internal/spell"
	"github.com/rnntrain/rnntrain/internal/tomldoc"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// runConfig is everything a training run is made of. config.json in the run
// directory holds it fully resolved (every default filled in), and each
// checkpoint carries the same JSON, so eval and resume rebuild the network
// and the task from the checkpoint alone.
type runConfig struct {
	// Seed seeds every random draw of the run: weights, trials, noise.
	Seed  uint64       `json:"seed"`
	Task  taskConfig   `json:"task"`
	Model rnn.Config   `json:"model"`
	Train train.Config `json:"train"`
	// PlotFormats are the formats every figure of the run is written in
	// (plots/NAME.png, .svg, .pdf); empty means plots.DefaultFormats.
	PlotFormats plots.Formats `json:"plot_formats,omitempty"`
	// PlotRasterUnits is the most units a spike raster draws, evenly
	// spaced (plots.Raster.MaxUnits); 0 draws every unit.
	PlotRasterUnits int `json:"plot_raster_units"`
}

// taskConfig selects a registered task, its timing preset and its
// settings (zero settings: the preset's; config.json holds them resolved).
type taskConfig struct {
	Name     string         `json:"name"`
	Preset   presetChoice   `json:"preset"`
	Settings tasks.Settings `json:"settings"`
	// EvalSettings override the settings of the task the run ends on for
	// the final evaluation (eval.json) and the plots, e.g. the
	// psychometric coherences of rdm.py's psychometric_curve_rdm
	// (including 0); nil = none.
	EvalSettings *tasks.Settings `json:"eval_settings,omitempty"`
	// nameDefault is whether Name is the default task (defaultConfig's),
	// which neither a flag nor a config file or sweep spec named: an
	// error about the task then says so. Only the command that read the
	// flags and files knows it; it is not part of the run's config.
	nameDefault bool
	// presetDefault is whether resolve set Preset to the task's default
	// preset, which no one gave; errors then say it is the default.
	presetDefault bool
	// activationOwn is whether the leaky network's activation is the
	// task's own (applyTaskActivation), which no one gave; the run header
	// then says so.
	activationOwn bool
}

// presetChoice is a task preset or, when unset, the task's default preset.
type presetChoice struct {
	Preset tasks.Preset
	Set    bool
}

// MarshalText implements encoding.TextMarshaler: "" when unset.
func (p presetChoice) MarshalText() ([]byte, error) {
	if !p.Set {
		return []byte{}, nil
	}
	return p.Preset.MarshalText()
}

// UnmarshalText implements encoding.TextUnmarshaler: "" or "default" is
// the task's default preset.
func (p *presetChoice) UnmarshalText(b []byte) error {
	if len(b) == 0 || string(b) == "default" {
		*p = presetChoice{}
		return nil
	}
	if err := p.Preset.UnmarshalText(b); err != nil {
		return err
	}
	p.Set = true
	return nil
}

func (p presetChoice) String() string {
	if !p.Set {
		return "default"
	}
	return p.Preset.String()
}

// defaultConfig is the default main job: a leaky RNN (N = 64, ReLU,
// α = dt/τ, σ = 0.05) on context-dm with the task's default preset, trained
// for a fixed budget of 1000 steps of 32 trials (about 15 s on two cores)
// so that the network is well past the 90 % mark (its held-out accuracy
// reaches 1.0 and its output error keeps falling) when the analysis starts.
// -target-accuracy stops earlier.
func defaultConfig() runConfig {
	t := train.DefaultConfig()
	t.Steps, t.BatchSize, t.LR = 1000, 32, 0 // 0: the model's (runLR)
	t.ClipNorm, t.EvalEvery, t.EvalTrials = 1, 50, 512
	t.LogEvery, t.CheckpointEvery, t.Keep = 10, 500, 3
	return runConfig{
		Seed: 1,
		Task: taskConfig{Name: "context-dm"},
		Model: rnn.Config{
			Hidden:   64,
			NoiseStd: 0.05,
			Model:    &rnn.LeakyConfig{Activation: layers.ReLU},
		},
		Train:           t,
		PlotFormats:     plots.DefaultFormats(),
		PlotRasterUnits: plots.DefaultRasterUnits,
	}
}

// applyTaskActivation gives c's leaky network the rate nonlinearity its
// task names (tasks.Info.Activation: tanh for match-to-sample under the
// low-rank presets, whose scripts train tanh networks and on which the
// default ReLU stays at chance) when the run leaves model.activation unset:
// given reports whether a flag, a config file or a sweep spec set it. The
// other models keep their own φ. A task that cannot be built here is left
// to the checks that report it.
func applyTaskActivation(c *runConfig, given bool) {
	lc, ok := c.Model.Model.(*rnn.LeakyConfig)
	if given || !ok {
		return
	}
	if a, ok := taskActivation(c); ok {
		m := *lc
		m.Activation = a
		c.Model.Model = &m
		c.Task.activationOwn = true
	}
}

// applyOptimizerDecay gives AdamW, when no one gave its weight decay,
// PyTorch's default 0.01 (train.DefaultOptimizerConfig); the other
// optimizers' default is 0.
func applyOptimizerDecay(c *runConfig, given bool) {
	if o := &c.Train.Optimizer; !given && o.Kind == train.OptAdamW {
		o.WeightDecay = train.DefaultOptimizerConfig(train.OptAdamW).WeightDecay
	}
}

// taskActivation returns the activation c's task names for a network that
// sets none (tasks.Info.Activation), and false when it names none or
// cannot be built from its preset's settings (a dataset task is not
// built: none names one).
func taskActivation(c *runConfig) (layers.Activation, bool) {
	if readsData(c.Task.Name) {
		return 0, false
	}
	p := c.Task.Preset.Preset
	if !c.Task.Preset.Set {
		d, err := tasks.DefaultPreset(c.Task.Name)
		if err != nil {
			return 0, false
		}
		p = d
	}
	t, err := tasks.New(c.Task.Name, p, tasks.Settings{})
	if err != nil {
		return 0, false
	}
	name := tasks.Describe(t).Activation
	if name == "" {
		return 0, false
	}
	a, err := layers.ParseActivation(name)
	return a, err == nil
}

// taskActivations lists the tasks that name an activation of their own
// (tasks.Info.Activation) for the help of model.activation: "tanh for
// match-to-sample (dubreuil, valente)".
func taskActivations() string {
	infos, _ := tasks.Catalog()
	var keys []string // "tanh for match-to-sample", in catalog order
	presets := map[string][]string{}
	for _, in := range infos {
		if in.Activation == "" {
			continue
		}
		k := in.Activation + " for " + in.Name
		if presets[k] == nil {
			keys = append(keys, k)
		}
		presets[k] = append(presets[k], in.Preset.String())
	}
	for i, k := range keys {
		keys[i] = fmt.Sprintf("%s (%s)", k, strings.Join(presets[k], ", "))
	}
	return strings.Join(keys, "; ")
}

// generalLR is the learning rate of a run that sets none, of a model
// whose registry entry names no default of its own (layers.Model.DefaultLR).
const generalLR = 3e-3

// runLR returns the learning rate c trains at: train.lr, or when that is
// 0 the model's default (layers.Model.DefaultLR, else generalLR).
func runLR(c *runConfig) float64 {
	if c.Train.LR != 0 {
		return c.Train.LR
	}
	if m := c.Model.Model; m != nil && m.Model().DefaultLR > 0 { // nil: the leaky model
		return m.Model().DefaultLR
	}
	return generalLR
}

// lrUsage is the help of train.lr: what 0 stands for, model by model.
func lrUsage() string {
	byLR := map[float64][]string{}
	var lrs []float64
	for _, m := range rnn.Models() {
		if m.DefaultLR > 0 {
			if byLR[m.DefaultLR] == nil {
				lrs = append(lrs, m.DefaultLR)
			}
			byLR[m.DefaultLR] = append(byLR[m.DefaultLR], m.Name)
		}
	}
	slices.Sort(lrs)
	var parts []string
	for i := len(lrs) - 1; i >= 0; i-- {
		names := byLR[lrs[i]]
		list := names[len(names)-1]
		if len(names) > 1 {
			list = strings.Join(names[:len(names)-1], ", ") + " and " + list
		}
		parts = append(parts, fmt.Sprintf("%g for %s", lrs[i], list))
	}
	parts = append(parts, fmt.Sprintf("%g for the others", generalLR))
	return "learning rate (0 = the model's default: " + strings.Join(parts, ", ") + ")"
}

// configError is an invalid setting, named by its config key (and flag,
// where one sets it); a configSource names the file that gave it.
func configError(key string, err error) error {
	return usageError{&settingError{key: key, err: err}}
}

// flagError is configError for a setting whose flag alone names it well
// ("-task: unknown task …") unless a config file gave it.
func flagError(key string, err error) error {
	return usageError{&settingError{key: key, err: err, short: true}}
}

// dataError is err about the data file path of the run's task: named
// "-data path" unless a configSource attributes it to the config file
// that gave task.settings.path. Unlike configError it is no usage error:
// a missing or broken data file is a failure (exit 1).
func dataError(path string, err error) error {
	return &settingError{key: "task.settings.path", err: err, short: true, value: path}
}

// settingError is an invalid setting: its config key, what is wrong and,
// once a configSource has attributed it, the config file that gave the
// value.
type settingError struct {
	key  string
	err  error
	file string // "" unless the value came from this config file
	// specName, when set, names the setting as a sweep spec gave it
	// (attributeSpec), or by its key alone when a checkpoint's stored
	// config gave it, in place of its flag: neither is a run's flag.
	specName string
	// short names only the flag, not the key, when no file gave it.
	short bool
	// value, when set, is the setting's value (a file's path), said
	// before err: "-data d.npz: …", "config c.toml: task.settings.path:
	// d.npz: …".
	value string
	// keys, when set, are the keys under key whose values were at fault
	// together ("task.settings.test_fraction" and
	// "task.settings.validation_fraction" for task.settings). The error
	// names each by its flag ("-test-fraction -validation-fraction") or,
	// once a configSource has attributed it, the file's among them by
	// their keys (fileKeys): "config c.toml:
	// task.settings.validation_fraction and -test-fraction: …".
	keys     []string
	fileKeys []string
}

func (e *settingError) Error() string {
	msg := e.err.Error()
	if e.value != "" {
		msg = e.value + ": " + msg
	}
	if e.file != "" && len(e.fileKeys) > 0 {
		name := strings.Join(e.fileKeys, ", ")
		if f := keysFlags(e.keys, e.fileKeys); f != "" {
			name += " and " + f
		}
		return fmt.Sprintf("config %s: %s: %s", e.file, name, msg)
	}
	if e.file != "" {
		return fmt.Sprintf("config %s: %s: %s", e.file, e.key, msg)
	}
	if e.specName != "" {
		return fmt.Sprintf("%s: %s", e.specName, msg)
	}
	if f := keysFlags(e.keys, nil); f != "" {
		return fmt.Sprintf("%s: %s", f, msg)
	}
	if f := keyFlag(e.key); f != "" && e.short {
		if e.value != "" {
			return fmt.Sprintf("%s %s: %v", f, e.value, e.err)
		}
		return fmt.Sprintf("%s: %s", f, msg)
	}
	if f := keyFlag(e.key); f != "" {
		return fmt.Sprintf("%s (%s in a config file): %s", f, e.key, msg)
	}
	return fmt.Sprintf("%s: %s", e.key, msg)
}

func (e *settingError) Unwrap() error { return e.err }

// keysFlags names the keys not in except by their flags, or by their keys
// where they have none, separated by spaces: "-test-fraction
// -validation-fraction".
func keysFlags(keys, except []string) string {
	var names []string
	for _, k := range keys {
		if slices.Contains(except, k) {
			continue
		}
		names = append(names, cmp.Or(keyFlag(k), k))
	}
	return strings.Join(names, " ")
}

// configSource records which settings a config file gave: the keys it
// sets that no flag given overrides.
type configSource struct {
	file string
	keys map[string]bool
}

// newConfigSource returns the source of the keys the decoded config file
// obj sets, less the keys of the flags given (over).
func newConfigSource(file string, obj map[string]any, over []string) configSource {
	keys := map[string]bool{}
	for k := range flattenObject(obj) {
		keys[k] = true
	}
	for _, k := range over {
		delete(keys, k)
	}
	return configSource{file: file, keys: keys}
}

// gave reports whether the file set key: the key itself, a table or
// array holding it, or (for a table's error) a key inside it.
func (s configSource) gave(key string) bool {
	if s.keys[key] {
		return true
	}
	for k := key; ; {
		i := strings.LastIndexAny(k, ".[")
		if i <= 0 {
			break
		}
		if k = k[:i]; s.keys[k] {
			return true
		}
	}
	for k := range s.keys {
		if strings.HasPrefix(k, key+".") || strings.HasPrefix(k, key+"[") {
			return true
		}
	}
	return false
}

// attribute names the config file in each settingError of err (through
// wrapping and joined errors) whose key the file gave, and returns err.
func (s configSource) attribute(err error) error {
	if s.file == "" || err == nil {
		return err
	}
	eachSettingError(err, func(se *settingError) {
		if len(se.keys) > 0 {
			// Values at fault together: the file is named with the
			// keys it gave, the others by their flags.
			se.fileKeys = nil
			for _, k := range se.keys {
				if s.gave(k) {
					se.fileKeys = append(se.fileKeys, k)
				}
			}
			if len(se.fileKeys) > 0 {
				se.file = s.file
			}
			return
		}
		if s.gave(se.key) {
			se.file = s.file
		}
	})
	return err
}

// eachSettingError calls f with each settingError in err, through wrapping
// and joined errors.
func eachSettingError(err error, f func(*settingError)) {
	if se, ok := err.(*settingError); ok {
		f(se)
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if x := u.Unwrap(); x != nil {
			eachSettingError(x, f)
		}
	case interface{ Unwrap() []error }:
		for _, x := range u.Unwrap() {
			eachSettingError(x, f)
		}
	}
}

// validate checks every setting that can be checked without building the
// task; the errors name the config key and the flag.
func (c *runConfig) validate() error {
	if c.Task.Name == "" {
		return configError("task.name", errors.New("no task given"))
	}
	if c.Task.Settings.Path != "" && c.Task.Name != "npz" {
		// -data alone, without -task npz: the default task reads no file.
		return configError("task.settings.path", fmt.Errorf("is the data file of the npz task, and the task is %s; give -task npz (task.name = \"npz\") to train on it", c.Task.Name))
	}
	var errs []error
	if err := c.Task.Settings.Validate(); err != nil {
		errs = append(errs, settingsErrors("task.settings", err)...)
	}
	// Held out means never trained on: training draws a dataset's
	// trials from its train split alone.
	heldOut := func(key string, sp tasks.Split) {
		if sp != tasks.Train {
			errs = append(errs, configError(key, fmt.Errorf("%s: training draws its trials from the train split; the %s split is held out, for evaluations (eval -split %s)", sp, sp, sp)))
		}
	}
	heldOut("task.settings.split", c.Task.Settings.Split)
	// Nor may the final evaluation, or a stage on the run's data file,
	// assign the file's trials to its splits anew: its held-out trials
	// could be ones the run trained on.
	resplit := func(table string, s *tasks.Settings, why string) {
		for _, k := range []struct {
			key string
			set bool
		}{{"validation_fraction", s.ValidationFraction != nil}, {"validation_trials", len(s.ValidationTrials) > 0},
			{"test_fraction", s.TestFraction != 0}, {"split_seed", s.SplitSeed != 0}} {
			if k.set {
				errs = append(errs, configError(table+"."+k.key, fmt.Errorf("assigns the data file's trials to the splits anew, so %s could score trials the run trained on; leave it out", why)))
			}
		}
	}
	if e := c.Task.EvalSettings; e != nil && (e.Path == "" || e.Path == c.Task.Settings.Path) {
		resplit("task.eval_settings", e, "the final evaluation")
	}
	for i, st := range c.Train.Curriculum {
		if s := st.Settings; s != nil && (s.Path == "" || s.Path == c.Task.Settings.Path) && (st.Task == "" || st.Task == c.Task.Name) {
			resplit(fmt.Sprintf("train.curriculum[%d].settings", i), s, "a held-out evaluation")
		}
	}
	if e := c.Task.EvalSettings; e != nil && e.Split != tasks.Train {
		errs = append(errs, configError("task.eval_settings.split", fmt.Errorf("%s has no effect: the final evaluation scores the validation split (the training trials without one); eval -split %s scores the %s split", e.Split, e.Split, e.Split)))
	}
	for i, st := range c.Train.Curriculum {
		if st.Settings != nil {
			heldOut(fmt.Sprintf("train.curriculum[%d].settings.split", i), st.Settings.Split)
		}
	}
	if e := c.Task.EvalSettings; e != nil {
		if err := e.Validate(); err != nil {
			errs = append(errs, settingsErrors("task.eval_settings", err)...)
		}
	}
	m := c.Model
	if m.Inputs == 0 && m.Outputs == 0 {
		// Inputs and outputs come from the task; check the rest with
		// placeholders.
		m.Inputs, m.Outputs = 1, 1
	}
	if err := m.Validate(); err != nil {
		key, msg := splitKey(err.Error())
		errs = append(errs, configError(key, errors.New(msg)))
	}
	t := c.Train
	t.LR = runLR(c)
	if err := t.Validate(); err != nil {
		key, msg := splitKey(err.Error())
		if key == "schedule.step_size" && t.Schedule.StepSize == 0 {
			// step_size has no flag: name the flag or file that
			// chose the step schedule, which needs it.
			key, msg = "schedule.kind", "step needs train.schedule.step_size > 0 (updates between decays), got 0; it has no flag: set step_size in the [train.schedule] table of a -config file"
		}
		errs = append(errs, configError("train."+key, errors.New(msg)))
	}
	if err := checkSizes(c); err != nil {
		errs = append(errs, err)
	}
	if err := checkSpikeRate(c); err != nil {
		errs = append(errs, err)
	}
	if err := checkRasterUnits(c.PlotRasterUnits); err != nil {
		errs = append(errs, configError("plot_raster_units", err))
	}
	if len(errs) == 0 {
		return nil
	}
	return usageError{errors.Join(errs...)}
}

// settingsErrors splits the error of a task settings table's Validate (one
// line per setting, each starting with the setting's key) into one usage
// error per setting, each naming its key under table and the flag that
// sets it, if any.
func settingsErrors(table string, err error) []error {
	inner := err
	if u := errors.Unwrap(err); u != nil {
		inner = u // without "tasks: invalid settings: "
	}
	parts := []error{inner}
	if j, ok := inner.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	}
	out := make([]error, 0, len(parts))
	for _, e := range parts {
		msg := e.Error()
		key := msg[:len(msg)-len(strings.TrimLeft(msg, "abcdefghijklmnopqrstuvwxyz0123456789_"))]
		if key == "" {
			out = append(out, configError(table, e))
			continue
		}
		out = append(out, configError(table+"."+key, e))
	}
	return out
}

// checkSpikeRate refuses a target rate a spiking model cannot reach: its
// rates are spikes, 0 or 1 per step, so a unit's mean rate is at most 1.
func checkSpikeRate(c *runConfig) error {
	m, r := c.Model.Model, c.Train.Regularization.RateTarget
	if m == nil || !m.Model().Surrogate || !(r > 1) {
		return nil
	}
	return configError("train.regularization.rate_target", fmt.Errorf("got %g spikes per step, but a unit of the %s model spikes at most once per step: need a value in [0, 1] (Hz = rate·1000/dt_ms)", r, m.Model().Name))
}

// checkRasterUnits refuses a negative number of units for a raster.
func checkRasterUnits(n int) error {
	if n < 0 {
		return fmt.Errorf("got %d, want the most units a raster draws (0 = every unit)", n)
	}
	return nil
}

// splitKey splits an error "key: message" or "key = value …" of the
// library's validators into the key and the message ("got value, need …"
// for "key = value, need …", else "value …"). A model's error, "model
// (kind): key …", gives the key model.key.
func splitKey(s string) (key, msg string) {
	s = strings.TrimPrefix(s, "train: ")
	if rest, ok := strings.CutPrefix(s, "model ("); ok {
		if _, inner, ok := strings.Cut(rest, "): "); ok {
			key, msg = splitKey(inner)
			return "model." + key, msg
		}
	}
	i := strings.IndexAny(s, " :")
	if i <= 0 {
		return s, s
	}
	key, msg = s[:i], strings.TrimLeft(s[i:], " ")
	if v, ok := strings.CutPrefix(msg, "= "); ok {
		if strings.Contains(v, ", need") {
			return key, "got " + v
		}
		return key, v
	}
	return key, strings.TrimLeft(msg, ": ")
}

// maxUnits bounds the sizes a config may ask for before memory is
// estimated (a [N, N] float32 matrix of 2¹⁶ units is 16 GiB).
const maxUnits = 1 << 16

// checkSizes refuses sizes no run can hold, with the key that sets them.
func checkSizes(c *runConfig) error {
	switch {
	case c.Model.Hidden > maxUnits:
		return configError("model.hidden", fmt.Errorf("got %d, more than %d units cannot fit in memory", c.Model.Hidden, maxUnits))
	case c.Train.BatchSize > 1<<20:
		return configError("train.batch_size", fmt.Errorf("got %d, at most %d", c.Train.BatchSize, 1<<20))
	case c.Train.EvalTrials > 1<<20:
		return configError("train.eval_trials", fmt.Errorf("got %d, at most %d", c.Train.EvalTrials, 1<<20))
	}
	return nil
}

// flagKeys maps the train command's flags to the config keys they set.
// Flags of the model section are applied through the same decoder as a
// config file, so a flag the chosen model does not have is an error naming
// it.
func flagKeys() map[string]string {
	return map[string]string{
		"seed": "seed", "task": "task.name", "preset": "task.preset", "data": "task.settings.path",
		"validation-fraction": "task.settings.validation_fraction", "test-fraction": "task.settings.test_fraction",
		"split-seed": "task.settings.split_seed",
		"model":      "model.kind", "hidden": "model.hidden", "noise": "model.noise",
		"rank": "model.rank", "alpha": "model.alpha", "activation": "model.activation",
		"integration": "model.integration", "noise-convention": "model.noise_convention",
		"dale": "model.dale", "init": "model.init", "spectral-radius": "model.spectral_radius",
		"no-autapses": "model.no_autapses", "rec-mask": "model.rec_mask", "in-mask": "model.in_mask",
		"rec-fixed": "model.rec_fixed", "in-fixed": "model.in_fixed", "rates": "model.rates",
		"init-from": "model.init_from",
		"train-h0":  "model.train_initial_state",
		"gamma":     "model.gamma", "eps": "model.eps", "trace": "model.trace", "zoneout": "model.zoneout",
		"drop-connect": "model.drop_connect", "activity-reg": "model.activity_reg",
		"activity-target": "model.activity_target", "kernels": "model.kernels",
		"tau-mem": "model.tau_mem_ms", "tau-syn": "model.tau_syn_ms", "tau-adapt": "model.tau_adapt_ms",
		"threshold": "model.threshold", "adapt": "model.adapt_strength", "reset": "model.reset",
		"surrogate": "model.surrogate", "input-gain": "model.input_gain", "train-tau": "model.train_tau",
		"beta": "model.beta", "reset-grad": "model.reset_grad",
		"refractory": "model.refractory_steps",
		"encoding":   "model.encoding", "encoding-gain": "model.encoding_gain", "encoding-threshold": "model.encoding_threshold",
		"readout": "model.readout", "readout-tau": "model.readout_tau_ms",
		"steps": "train.steps", "batch": "train.batch_size", "lr": "train.lr",
		"optimizer": "train.optimizer.kind", "weight-decay": "train.optimizer.weight_decay",
		"schedule": "train.schedule.kind", "warmup": "train.schedule.warmup_steps",
		"clip": "train.clip_norm", "clip-mode": "train.clip_mode", "tbptt": "train.tbptt",
		"trainer": "train.trainer", "parts": "train.fptt.parts", "fptt-k": "train.fptt.k",
		"l1-in": "train.regularization.l1_in", "l1-rec": "train.regularization.l1_rec", "l1-out": "train.regularization.l1_out",
		"l2-in": "train.regularization.l2_in", "l2-rec": "train.regularization.l2_rec", "l2-out": "train.regularization.l2_out",
		"rate-reg": "train.regularization.l2_rate", "rate-l1": "train.regularization.l1_rate",
		"rate-target": "train.regularization.rate_target", "rate-target-reg": "train.regularization.l2_rate_target",
		"target-accuracy": "train.target_accuracy", "eval-every": "train.eval_every", "eval-trials": "train.eval_trials",
		"log-every": "train.log_every", "save-every": "train.checkpoint_every", "keep": "train.keep",
		"keep-best": "train.keep_best",
		"max-param": "train.max_param", "plot-format": "plot_formats",
		"raster-units": "plot_raster_units",
	}
}

// keyFlag returns the flag that sets key, or "".
func keyFlag(key string) string {
	for f, k := range flagKeys() {
		if k == key {
			return "-" + f
		}
	}
	return ""
}

// keyFlagUsage is the help of each flag, with its default.
func keyFlagUsage() map[string]string {
	// Every surrogate as String writes it without parameters: with their
	// defaults.
	surrogates := strings.Join([]string{surrogate.ArcTan{}.String() + " (default)", surrogate.FastSigmoid{}.String(),
		surrogate.Sigmoid{}.String(), surrogate.Triangle{}.String(), surrogate.MultiGaussian{}.String()}, ", ")
	return map[string]string{
		"seed":                "seed for weights, trials and noise (printed in the run header)",
		"task":                "task to train on; 'rnntrain tasks' lists them",
		"preset":              "task preset (dubreuil = lowrank, valente, neurogym, psychrnn, ...; 'rnntrain tasks' lists each task's); default: the task's own",
		"validation-fraction": "share of a dataset's trials held out for validation, which training evaluates on: of an npz file's trials (counted from the whole file, as -test-fraction), of MNIST's 60 000 training images (npz, mnist-*; default 0.1, 0 = none)",
		"test-fraction":       "share of an npz file's trials held out as its test split, for 'eval -split test' (default 0)",
		"split-seed":          "seed of the assignment of a dataset's trials to train, validation and test (default 0)",
		"data":                "the .npz file of the npz task: inputs [trials, T, n_in], targets [trials, T, n_out], optional mask",
		"model":               "recurrent model: " + strings.Join(rnn.ModelNames(), ", ") + " (equations above)",
		"hidden":              "number of recurrent units N",
		"noise":               "standard deviation σ of the private recurrent noise during training",
		"rank":                "rank R of the connectivity (lowrank; default 1)",
		"alpha":               "leak α = dt/τ (leaky, lowrank; 0 = the task's dt over τ = 100 ms; required when dt > 100 ms)",
		"activation":          "rate nonlinearity φ: tanh, relu, softplus, identity (leaky, lowrank; leaky: relu, or the task's own: " + taskActivations() + ")",
		"integration":         "leaky: integrate the state (PsychRNN, default) or the rate (Yang, NeuroGym)",
		"noise-convention":    "leaky: how σ enters: psychrnn (default), yang, valente",
		"dale":                "Dale's law with this fraction of excitatory units (leaky, lif, alif, ltc; 0 = off)",
		"init":                "recurrent initialiser: gaussian (default), orthogonal, identity (rnn, leaky, lif, alif, ltc)",
		"spectral-radius":     "spectral radius ρ of the initial W_rec (identity: ρ·I; rnn, leaky: default 1.1; lif, alif, ltc: default 1)",
		"no-autapses":         "no self-connections (rnn, leaky, lif, alif, ltc)",
		"rec-mask":            ".npy [N, N] recurrent connectivity mask, non-zero = connected (rnn, leaky, lif, alif, ltc; default: all connected)",
		"in-mask":             ".npy [N, inputs] input connectivity mask, non-zero = connected (rnn, leaky, lif, alif, ltc; default: all connected)",
		"rec-fixed":           ".npy [N, N] mask of recurrent weights kept at their initial value (rnn, leaky, lif, alif, ltc; default: all trained)",
		"in-fixed":            ".npy [N, inputs] mask of input weights kept at their initial value (rnn, leaky, lif, alif, ltc; default: all trained)",
		"rates":               "lowrank output: tanh (the library's readout, default), phi, state",
		"init-from":           "lowrank: start from the rank-R truncation (SVD) of this trained full-rank leaky run (default: random weights)",
		"train-h0":            "train the initial state",
		"gamma":               "egru: height γ of the pseudo-derivative γ·max(0, 1 − ε|c̃ − ϑ|) (default 0.7)",
		"eps":                 "egru: inverse support ε of the pseudo-derivative (default 1)",
		"trace":               "egru: read out the output trace tr = 0.9 tr + 0.1 y instead of y",
		"zoneout":             "egru: probability that a unit keeps its c at a training step (default 0)",
		"drop-connect":        "egru: probability that a recurrent weight is dropped for a training sequence (default 0)",
		"activity-reg":        "egru: weight λ of the activity penalty λ(mean(o) − target)² (default 0)",
		"activity-target":     "egru: target activity of the penalty (default 0.05)",
		"kernels":             "egru: auto (sparse while activity is low, default), sparse or dense",
		"tau-mem":             "lif, alif: membrane time constant τ_mem in ms, β = exp(−dt/τ_mem) (default 20)",
		"tau-syn":             "lif, alif: synaptic time constant in ms, 0 = no synaptic current (default 0)",
		"tau-adapt":           "alif: adaptation time constant in ms (default 700)",
		"threshold":           "lif, alif: threshold ϑ = b_0 (default 1); ltc: b_0 (default 0.1)",
		"adapt":               "alif, ltc: adaptation strength β_a of θ = b_0 + β_a a (default 1.8; ltc also takes 0, a fixed threshold b_0)",
		"reset":               "lif, alif: subtract (default) or zero",
		"surrogate":           "lif, alif, ltc: surrogate gradient: " + surrogates + "; a parameter left out takes the value shown (names in any case; snnTorch's atan, fast_sigmoid, sigmoid, triangular)",
		"input-gain":          "lif, alif, ltc: initial W_in ~ N(0, gain²/inputs) (default 4 for lif and alif, 1 for ltc)",
		"train-tau":           "lif, alif: train every unit's decays (heterogeneous time constants)",
		"beta":                "lif, alif: the membrane decay β itself, in place of -tau-mem (0 = exp(−dt/τ_mem))",
		"reset-grad":          "lif, alif, ltc: let the gradient flow through the spike in the reset (false: detached, snnTorch's default)",
		"refractory":          "lif, alif: refractory period in steps (default 0)",
		"encoding":            "input encoding: none (default: the inputs enter as currents), poisson (rate coding: ±1 spikes with probability min(gain·|x|, 1) per step, drawn from the run's seed), delta (±1 where an input changed by the threshold)",
		"encoding-gain":       "poisson encoding: gain g, an input x spikes with probability min(g·|x|, 1) per step (default 1)",
		"encoding-threshold":  "delta encoding: change of an input that emits a spike (default 0.1)",
		"readout":             "output layer: linear (default) or leaky, the non-spiking leaky integrator o_t = β_o o_{t−1} + W_out r_t + b read out from its membrane (spiking nets)",
		"readout-tau":         "leaky readout: time constant τ_out in ms, β_o = exp(−dt/τ_out) (default 20)",
		"steps":               "maximum number of training steps (batches)",
		"batch":               "trials per training batch",
		"lr":                  lrUsage(),
		"optimizer":           "optimizer: adam, adamw, adamax, sgd",
		"weight-decay":        "optimizer weight decay λ (adamw: decoupled, θ ← θ − lr·λ·θ before the step, default 0.01 as PyTorch's; adam, adamax, sgd: L2, λθ added to the gradient, default 0)",
		"schedule":            "learning-rate schedule: constant (default), step (with train.schedule.step_size, and gamma, in a config file), cosine",
		"warmup":              "linear learning-rate warm-up: update t < warmup (from 0) at lr·(t+1)/warmup, then the schedule (default 0: none)",
		"clip":                "clip gradients to this norm (0 = no clipping)",
		"clip-mode":           "gradient clipping: global (torch's clip_grad_norm_, default: every gradient scaled together to norm at most -clip) or per-tensor (PsychRNN: each parameter's gradient to norm at most -clip)",
		"tbptt":               "truncated BPTT window in steps (0 = full BPTT)",
		"trainer":             "bptt (one update per batch) or fptt (an update after every window, FPTT's dynamic regularizer; [train.fptt] keys)",
		"parts":               "fptt: windows per trial: of ⌊T/parts⌋ steps (at least 1), the remainder in one more window",
		"fptt-k":              "fptt: optimizer steps per window",
		"l1-in":               "L1 penalty λ·mean|W_in| of the input weights, λ this value",
		"l1-rec":              "L1 penalty λ·mean|W_rec| of the recurrent weights, λ this value (lowrank: of m and of n, added)",
		"l1-out":              "L1 penalty λ·mean|W_out| of the output weights, λ this value",
		"l2-in":               "L2 penalty λ·mean(W_in²) of the input weights, λ this value",
		"l2-rec":              "L2 penalty λ·mean(W_rec²) of the recurrent weights, λ this value (lowrank: of m and of n, added)",
		"l2-out":              "L2 penalty λ·mean(W_out²) of the output weights, λ this value",
		"rate-reg":            "L2 penalty on the rates, mean(r²) over each trial's own steps",
		"rate-l1":             "L1 penalty on the rates, mean|r| over each trial's own steps (spiking nets: activity sparsity)",
		"rate-target":         "target rate of each unit, in spikes per step (Hz = rate·1000/dt_ms; at most 1 for lif, alif, ltc), for -rate-target-reg",
		"rate-target-reg":     "L2 penalty of each unit's mean rate r̄_j over each trial's own steps to -rate-target, mean_j (r̄_j − target)²",
		"target-accuracy":     "stop once validation accuracy reaches this (0 = run all steps)",
		"eval-every":          "evaluate on held-out trials every this many steps (0 = only at the end)",
		"eval-trials":         "held-out trials per evaluation",
		"log-every":           "write a metrics.jsonl line every this many steps (0 = at evaluations and the end only)",
		"save-every":          "save a checkpoint every this many steps (0 = only at the end)",
		"keep":                "number of step checkpoints kept under checkpoints/: the newest, the latest (a copy of checkpoint.safetensors) among them",
		"keep-best":           "keep the checkpoint of the best held-out evaluation (highest accuracy, then lowest loss: the task's MSE or cross-entropy) in best.safetensors, and evaluate its weights at the end instead of the last step's",
		"plot-format":         "formats of the run's figures, comma-separated: png, svg, pdf",
		"raster-units":        "the most units a raster of spikes (egru: events) draws: that many evenly spaced units (i·N/max, from unit 0), labelled with their indices; 0 = every unit",
		"max-param":           "stop with status 1 when a parameter exceeds this magnitude after an update, or a parameter or optimizer moment is NaN or infinite (0 = non-finite values only)",
	}
}

// keyFlag is a flag that sets one config key: its value is kept as text
// and applied through the config decoder (applyConfig), so flags and
// config files accept and check the same values.
type keyFlagValue struct {
	key  string
	val  string
	set  bool
	bool bool
}

func (f *keyFlagValue) String() string { return f.val }
func (f *keyFlagValue) Set(s string) error {
	f.val, f.set = s, true
	return nil
}
func (f *keyFlagValue) IsBoolFlag() bool { return f.bool }

// bindTrainFlags registers the train command's config flags on fs; their
// defaults are c's values. applyConfig applies the flags the user gave.
func bindTrainFlags(fs *flag.FlagSet, c *runConfig) map[string]*keyFlagValue {
	flat, _ := flatten(c)
	usage := keyFlagUsage()
	vals := map[string]*keyFlagValue{}
	names := make([]string, 0, len(flagKeys()))
	for f := range flagKeys() {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		key := flagKeys()[f]
		v := &keyFlagValue{key: key}
		if d, ok := flat[key]; ok {
			v.val = fmt.Sprint(d)
			_, v.bool = d.(bool)
			if d == 0.0 && strings.Contains(usage[f], "default") || d == false || marksDefault(usage[f], v.val) {
				// The help gives the default (the 0 stands for the one
				// it names), or it is a boolean's false, which the flag
				// package leaves out of its own: print none of ours.
				v.val = ""
			}
		}
		switch f {
		case "no-autapses", "train-h0", "trace", "train-tau", "reset-grad":
			v.bool = true
		}
		vals[f] = v
		fs.Var(v, f, usage[f])
	}
	return vals
}

// marksDefault reports whether the help text usage names val as the
// default: "gaussian (default)", "state (PsychRNN, default)", "none
// (default: ...)".
func marksDefault(usage, val string) bool {
	if val == "" {
		return false
	}
	return regexp.MustCompile(`(^|[\s(])` + regexp.QuoteMeta(val) + ` \(([^()]*, )?default\b`).MatchString(usage)
}

// flatten returns c as a map from dotted config keys to values.
func flatten(c *runConfig) (map[string]any, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	return flattenObject(obj), nil
}

// flattenObject maps the dotted key of every value of the decoded JSON
// object obj ("model.hidden") to the value.
func flattenObject(obj map[string]any) map[string]any {
	flat := map[string]any{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				walk(strings.TrimPrefix(prefix+"."+k, "."), x)
			}
			return
		}
		flat[prefix] = v
	}
	walk("", obj)
	return flat
}

// applyConfig loads base (a -config file or a resumed run's config.json)
// onto c and then applies the config flags the user gave, which override
// the file. fs must already be parsed. It refuses a 0 given by a flag or a
// TOML file that the defaults would replace (checkZeros), and a setting
// given so that it has no effect (checkUnused); a JSON file is a run's
// config.json or a sweep point's, which hold every key.
func applyConfig(fs *flag.FlagSet, c *runConfig, vals map[string]*keyFlagValue, base string) (configSource, error) {
	var obj map[string]any
	given := []string{}
	fs.Visit(func(f *flag.Flag) {
		if v, ok := vals[f.Name]; ok && v.set {
			given = append(given, f.Name)
		}
	})
	var over []string
	for _, f := range given {
		over = append(over, vals[f].key)
	}
	src := configSource{}
	err := applyConfigFrom(fs, c, vals, base, given, &obj)
	flat := flattenObject(obj)
	_, named := flat["task.name"]
	_, activation := flat["model.activation"]
	applyTaskActivation(c, activation || slices.Contains(over, "model.activation"))
	_, decay := flat["train.optimizer.weight_decay"]
	applyOptimizerDecay(c, decay || slices.Contains(over, "train.optimizer.weight_decay"))
	c.Task.nameDefault = !named && !slices.Contains(over, "task.name")
	if base != "" {
		src = newConfigSource(base, obj, over)
	}
	return src, src.attribute(err)
}

// applyConfigFrom is applyConfig with the flags given (given, by name),
// leaving the decoded file in *obj.
func applyConfigFrom(fs *flag.FlagSet, c *runConfig, vals map[string]*keyFlagValue, base string, given []string, obj *map[string]any) error {
	zeros := map[string]bool{}
	if base != "" {
		data, err := readConfigFile("-config", base)
		if err != nil {
			return err
		}
		*obj = decodedConfig(data, strings.EqualFold(filepath.Ext(base), ".toml"))
		isTOML := strings.EqualFold(filepath.Ext(base), ".toml")
		parsed, parsedTOML := data, isTOML
		if kind := vals["model"]; kind != nil && kind.set {
			withKind := jsonWithKind
			if isTOML {
				withKind = tomlWithKind
			}
			if b, ok := withKind(data, kind.val); ok {
				parsed, parsedTOML = b, false
			}
		}
		if err := parseConfig(parsed, parsedTOML, c); err != nil {
			return usagef("config %s: %v", base, err)
		}
		if isTOML { // a JSON config is a run's or a sweep point's, every key written
			if obj, err := decodeTOML(data); err == nil {
				zeroSettings(zeros, "", obj)
				if err := checkOverrides(obj); err != nil {
					return err
				}
			}
		}
	}
	// model.kind first: the model's own keys depend on it.
	sort.SliceStable(given, func(i, j int) bool { return given[i] == "model" && given[j] != "model" })
	for _, f := range given {
		v := vals[f]
		if err := checkUTF8Flag(f, v.val); err != nil {
			return err
		}
		kind := c.Model.Kind()
		if err := setFlag(c, v.key, v.val); err != nil {
			return usagef("-%s %s: %v", f, v.val, err)
		}
		if d := defaultConfig().Model; f == "model" && c.Model.Kind() != kind && c.Model.Kind() == d.Kind() {
			// -model leaky over another kind's config.json: the default
			// run's leaky model (relu), as over a TOML file.
			c.Model.Model = d.Model
		}
		x, err := strconv.ParseFloat(v.val, 64)
		zeros[v.key] = err == nil && x == 0
	}
	if err := checkZeros(c, zeros); err != nil {
		return err
	}
	// zeros holds every key a flag or the TOML file gave a value (true
	// for a 0).
	return checkUnused(c, zeros)
}

// decodedConfig decodes a config file's data, TOML or JSON, into an
// object; nil if it does not decode (the strict decoder reports why).
func decodedConfig(data []byte, isTOML bool) map[string]any {
	var obj map[string]any
	if isTOML {
		obj, _ = decodeTOML(data)
	} else if json.Unmarshal(data, &obj) != nil {
		return nil
	}
	return obj
}

// tomlWithKind returns the TOML config data as JSON with its model kind set
// to kind (the -model flag's), so that the file's model keys are read as
// keys of that model, not dropped with the file's own kind or refused as
// keys of the default model; false if data does not decode or kind is not
// a model (the decoder and the flag then report them).
func tomlWithKind(data []byte, kind string) ([]byte, bool) {
	obj, err := decodeTOML(data)
	if err != nil || finiteValues("", obj) != nil {
		return nil, false
	}
	return configWithKind(obj, kind, false)
}

// jsonWithKind is tomlWithKind for a JSON config. A run's config.json
// writes out every key of its own model, defaults included: a key of the
// file's model that holds that model's default (as Resolve fills it in
// for the file's network) is left out, so that it gives way to kind's
// default instead of being applied to kind or refused; every other model
// key is read as kind's, as a TOML file's is. Numbers keep their text (a
// 64-bit seed stays exact). False if data does not decode to one object,
// holds a repeated key (the decoder then reports them) or kind is not a
// model.
func jsonWithKind(data []byte, kind string) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF || repeatedKey(data) != nil {
		return nil, false
	}
	if key, m, ok := modelTable(obj); ok && m != nil {
		if from, _ := m["kind"].(string); from != kind {
			m = maps.Clone(m)
			for k, v := range modelDefaults(m) {
				if sameJSON(m[k], v) {
					delete(m, k)
				}
			}
			obj = maps.Clone(obj)
			obj[key] = m
		}
	}
	return configWithKind(obj, kind, false)
}

// modelDefaults returns the model-own keys of the model table m's kind
// (the default config's without one) with the defaults a run gives them:
// the default config's for its model, Resolve's on m's network keys; nil
// if those do not decode (the decoder then reports them).
func modelDefaults(m map[string]any) map[string]any {
	c := defaultConfig().Model
	from, _ := m["kind"].(string)
	if from == "" {
		from = c.Kind()
	}
	own, err := rnn.ModelKeys(from)
	if err != nil {
		return nil
	}
	net := map[string]any{"kind": from}
	for k, v := range m {
		if k != "kind" && !slices.Contains(own, k) {
			net[k] = v
		}
	}
	b, err := json.Marshal(net)
	if err != nil || json.Unmarshal(b, &c) != nil {
		return nil
	}
	var all map[string]any
	if b, err = json.Marshal(c.Resolved()); err != nil || json.Unmarshal(b, &all) != nil {
		return nil
	}
	defaults := map[string]any{}
	for _, k := range own {
		defaults[k] = all[k]
	}
	return defaults
}

// sameJSON reports whether a and b are the same JSON value (a number
// written 20 or 20.0 alike).
func sameJSON(a, b any) bool {
	var x, y any
	ab, err1 := json.Marshal(a)
	bb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil || json.Unmarshal(ab, &x) != nil || json.Unmarshal(bb, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// modelTable returns the key of the config obj's model table, found as the
// decoder finds it, in any case (Model), and the table (nil if obj has
// none); false if the model is not a table.
func modelTable(obj map[string]any) (string, map[string]any, bool) {
	key := "model"
	if _, ok := obj[key]; !ok {
		for k := range obj {
			if strings.EqualFold(k, key) {
				key = k
			}
		}
	}
	m, ok := obj[key].(map[string]any)
	return key, m, ok || obj[key] == nil
}

// configWithKind returns the config obj (decoded tables, left unchanged) as
// JSON with its model kind set to kind. With only, the keys of other
// models that kind's model does not have are left out (a sweep's base for
// a point of another kind); without, they stay, for the decoder to refuse,
// as a key of no model always does. False if kind is not a model or obj's
// model is not a table.
func configWithKind(obj map[string]any, kind string, only bool) ([]byte, bool) {
	mc, err := rnn.NewModelConfig(kind)
	if err != nil {
		return nil, false
	}
	key, m, ok := modelTable(obj)
	if !ok {
		return nil, false
	}
	m = maps.Clone(m)
	if m == nil {
		m = map[string]any{}
	}
	m["kind"] = kind
	if only {
		b, err := json.Marshal(rnn.Config{Model: mc})
		var keys map[string]any
		if err != nil || json.Unmarshal(b, &keys) != nil {
			return nil, false
		}
		for k := range m {
			if _, has := keys[k]; !has && isModelKey(k) {
				delete(m, k)
			}
		}
	}
	c := maps.Clone(obj)
	delete(c, key)
	c["model"] = m
	b, err := json.Marshal(c)
	return b, err == nil
}

// isModelKey reports whether key is a key of some model's config.
func isModelKey(key string) bool {
	for _, name := range rnn.ModelNames() {
		if keys, err := rnn.ModelKeys(name); err == nil && slices.Contains(keys, key) {
			return true
		}
	}
	return false
}

// setKey sets the dotted config key to the text val, decoded as the key's
// JSON value (a number, true/false, or a string). NaN and the infinities,
// which JSON cannot hold, are refused for a numeric key as a config file's
// are.
func setKey(c *runConfig, key, val string) error {
	if x, err := strconv.ParseFloat(val, 64); err == nil && (math.IsNaN(x) || math.IsInf(x, 0)) {
		if flat, err := flatten(c); err == nil {
			if _, isNum := flat[key].(float64); isNum {
				return fmt.Errorf("%s = %s: want a finite number", key, val)
			}
		}
	}
	var lit any = val
	if json.Valid([]byte(val)) {
		dec := json.NewDecoder(strings.NewReader(val))
		dec.UseNumber()
		var x any
		if err := dec.Decode(&x); err == nil {
			if _, isObj := x.(map[string]any); !isObj {
				lit = exactIntegers(x)
			}
		}
	}
	parts := strings.Split(key, ".")
	var obj any = lit
	for i := len(parts) - 1; i >= 0; i-- {
		obj = map[string]any{parts[i]: obj}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	return decodeConfig(b, c)
}

// setFlag sets key to val, a flag's text: as written where the key takes
// a string (-data 2024 names the file 2024, -surrogate 3 is the surrogate
// "3"), else read as a JSON value (a number, true or false: -hidden 8,
// -lr 1e-3); null is never JSON's null, which would leave the key as it
// was (-hidden null is refused).
func setFlag(c *runConfig, key, val string) error {
	text, err := json.Marshal(val)
	if err != nil {
		return err
	}
	err = setKey(c, key, string(text))
	var te *json.UnmarshalTypeError
	if val == "null" || !errors.As(err, &te) || jsonKindOf(te.Type) == "a string" {
		return err // a string key, or null for another
	}
	err = setKey(c, key, val)
	if errors.As(err, &te) && te.Value == "string" {
		// val is no JSON number or boolean.
		if want := flagWants(val, te.Type); want != "" {
			return fmt.Errorf("%s: %s", configKeyOf(te.Field), want)
		}
	}
	return err
}

// flagWants says what a key of type t wants of a flag's text val that is
// no JSON value of it: a number without leading zeros (which TOML refuses
// and Go's own integer flags read as octal, 010 as 8), written so, or a
// number or true or false at all. "" for a key of another type.
func flagWants(val string, t reflect.Type) string {
	what := ""
	switch jsonKindOf(t) {
	case "an integer", "an integer ≥ 0":
		what = "a whole number"
	case "a number":
		what = "a number"
	case "true or false":
		return "want true or false"
	default:
		return ""
	}
	sign, digits := "", val
	if len(val) > 0 && (val[0] == '-' || val[0] == '+') {
		sign, digits = val[:1], val[1:]
	}
	if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
		trimmed := strings.TrimLeft(digits, "0")
		if trimmed == "" || trimmed[0] < '0' || trimmed[0] > '9' {
			trimmed = "0" + trimmed
		}
		if json.Valid([]byte(strings.TrimPrefix(sign, "+") + trimmed)) {
			return fmt.Sprintf("%s is written without leading zeros: %s%s", what, strings.TrimPrefix(sign, "+"), trimmed)
		}
	}
	if sign == "+" && json.Valid([]byte(digits)) {
		return fmt.Sprintf("%s is written without a + sign: %s", what, digits)
	}
	if what == "a whole number" {
		return "want a whole number in decimal digits"
	}
	return "want a number"
}

// exactIntegers returns the decoded JSON value x (numbers as json.Number)
// with every number written as a whole number kept as written, so that a
// flag's seed of 2⁵³ + 1 is not rounded through a float64 to 2⁵³, and
// every other number (2.0, 1e3) as its float64, which an integer key
// takes when it is whole.
func exactIntegers(x any) any {
	switch v := x.(type) {
	case json.Number:
		s := strings.TrimPrefix(string(v), "-")
		if strings.Trim(s, "0123456789") == "" {
			return v
		}
		f, err := v.Float64()
		if err != nil {
			return v // out of float64's range: the decoder names it
		}
		return f
	case []any:
		for i := range v {
			v[i] = exactIntegers(v[i])
		}
	}
	return x
}

// decodeConfig decodes the JSON object b onto c, refusing unknown keys and
// trailing data.
func decodeConfig(b []byte, c *runConfig) error {
	if err := decodeStrict(b, false, c); err != nil {
		return err
	}
	c.Train.Seed = c.Seed
	return nil
}

// decodeStrict decodes the TOML (isTOML) or JSON object data onto v with
// the json names as keys, refusing unknown keys, non-finite numbers and
// trailing data. Every config file of the commands goes through it.
func decodeStrict(data []byte, isTOML bool, v any) error {
	if isTOML {
		obj, err := decodeTOML(data)
		if err != nil {
			return err
		}
		if err := finiteValues("", obj); err != nil {
			return err
		}
		if data, err = json.Marshal(obj); err != nil {
			return err
		}
	}
	switch t := bytes.TrimSpace(data); {
	case isTOML:
	case len(t) == 0:
		return errors.New("empty; want a JSON object ({} for the defaults)")
	case t[0] != '{': // most likely TOML in a file not named *.toml
		return fmt.Errorf("not a JSON object (it starts with %q); a TOML config file's name must end in .toml", firstLine(t))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			// Name the key by its path in the file: task.settings.bitz.
			if k, err := strconv.Unquote(name); err == nil {
				var obj map[string]any
				if json.Unmarshal(data, &obj) == nil {
					if paths := keyPaths(obj, k, ""); len(paths) == 1 {
						return fmt.Errorf("unknown key %q%s", paths[0], keyHint(reflect.TypeOf(v), paths[0]))
					}
				}
			}
		}
		return explainJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the config object")
	}
	if !isTOML { // TOML refuses a repeated key itself
		if err := repeatedKey(data); err != nil {
			return err
		}
	}
	// encoding/json matches a key to a field whatever its case; the keys
	// of a config are written as help config lists them.
	var obj any
	if json.Unmarshal(data, &obj) == nil {
		return exactKeys(reflect.TypeOf(v), obj, "")
	}
	return nil
}

// repeatedKey reports the first key that appears twice in one object of
// the JSON document data, which encoding/json would take silently, the
// last one winning. data must have decoded without error (so its nesting
// is at most encoding/json's limit).
func repeatedKey(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		d, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		seen := map[string]bool{}
		for i := 0; dec.More(); i++ {
			elem := fmt.Sprintf("%s[%d]", path, i)
			if d == '{' {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				k, _ := tok.(string)
				// encoding/json matches names case-insensitively.
				if elem = strings.TrimPrefix(path+"."+k, "."); seen[strings.ToLower(k)] {
					return fmt.Errorf("key %s appears twice", elem)
				}
				seen[strings.ToLower(k)] = true
			}
			if err := walk(elem); err != nil {
				return err
			}
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	return walk("")
}

// decodeTOML decodes the TOML document data into its tables and values as
// written, refusing one nested deeper than tomldoc.MaxDepth.
func decodeTOML(data []byte) (map[string]any, error) {
	var obj map[string]any
	_, err := tomldoc.Decode(data, &obj)
	return obj, err
}

// maxConfigBytes bounds a config file: no config is near it.
const maxConfigBytes = 16 << 20

// loadFile reads the TOML (.toml) or JSON config file path onto v (see
// decodeStrict), reading at most maxConfigBytes. Every error names the
// file; all but a file that cannot be read are usage errors.
func loadFile(path string, v any) error {
	data, err := readConfigFile("-config", path)
	if err != nil {
		return err
	}
	isTOML := strings.EqualFold(filepath.Ext(path), ".toml")
	if err := decodeStrict(data, isTOML, v); err != nil {
		if _, ok := v.(*runConfig); ok {
			err = withValueKey(data, isTOML, err)
		}
		return usagef("config %s: %v", path, err)
	}
	return nil
}

// maxValueKeyTries bounds the values withValueKey tries, one decode each.
const maxValueKeyTries = 1000

// withValueKey names the key of a run config file (data) whose value err,
// the file's decoding error, is about, when err does not: a value that a
// key's type refuses (an unknown reset, surrogate or encoding) comes from
// the decoder without its key. It tries each value of the file alone, on
// a default config of the file's model kind, and names the first key
// whose value gives the same error; err unchanged when none does.
func withValueKey(data []byte, isTOML bool, err error) error {
	var obj map[string]any
	if isTOML {
		o, e := decodeTOML(data)
		if e != nil {
			return err
		}
		obj = o
	} else if json.Unmarshal(data, &obj) != nil {
		return err
	}
	var kind []byte
	if m, ok := obj["model"].(map[string]any); ok {
		kind, _ = json.Marshal(m["kind"])
		// The model's decoder names its kind "kind".
		if _, has := m["kind"]; has && strings.HasPrefix(err.Error(), "kind: ") {
			return fmt.Errorf("model.%w", err)
		}
	}
	vals := flattenObject(obj)
	keys := slices.Sorted(maps.Keys(vals))
	if len(keys) > maxValueKeyTries {
		return err // no run config has so many keys; the file is not one
	}
	for _, k := range keys {
		if k == "model.kind" {
			continue
		}
		ok, e := valueError(kind, k, vals[k])
		if !ok {
			return err
		}
		if e != nil && e.Error() == err.Error() {
			switch list := vals[k].(type) {
			case []any:
				return withElementKey(k, list, kind, err)
			case []map[string]any: // TOML's array of tables
				return withElementKey(k, list, kind, err)
			}
			if namesKey(err, k) {
				return err
			}
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	return err
}

// withElementKey names the element of the list of tables under key k
// (train.curriculum) and the key inside it that err is about, as
// withElementIndex does; when err names no key at all (a value its key's
// type refuses: an unknown preset), it tries each value of each element
// alone, in a list of one table that holds only it, and names the first
// that gives the same error: "train.curriculum[1].preset: …". err
// unchanged when none does.
func withElementKey[E any](k string, list []E, kind []byte, err error) error {
	if e := withElementIndex(k, list, kind, err); e != err {
		return e
	}
	if namesKey(err, k) {
		return err
	}
	for i, el := range list {
		m, ok := any(el).(map[string]any)
		if !ok {
			continue
		}
		vals := flattenObject(m)
		keys := slices.Sorted(maps.Keys(vals))
		if len(keys) > maxValueKeyTries {
			return err
		}
		for _, f := range keys {
			var one any = vals[f]
			path := strings.Split(f, ".")
			for j := len(path) - 1; j >= 0; j-- {
				one = map[string]any{path[j]: one}
			}
			ok, e := valueError(kind, k, []any{one})
			if !ok {
				return err
			}
			if e != nil && e.Error() == err.Error() {
				return fmt.Errorf("%s[%d].%s: %w", k, i, f, err)
			}
		}
	}
	return err
}

// withElementIndex names the element of the list of tables under key k
// (train.curriculum) that err, a decoding error of the list that names the
// path through it without an index ("train.curriculum.settings.x: ..."),
// is about: the first element that gives the same error alone, on a
// default config of the model kind (JSON, or empty). err unchanged when
// it does not start with k's path or no element does.
func withElementIndex[E any](k string, list []E, kind []byte, err error) error {
	rest, ok := strings.CutPrefix(err.Error(), k)
	if !ok || !strings.HasPrefix(rest, ".") && !strings.HasPrefix(rest, ":") {
		return err
	}
	for i, el := range list {
		ok, e := valueError(kind, k, []E{el})
		if !ok {
			return err
		}
		if e != nil && e.Error() == err.Error() {
			return fmt.Errorf("%s[%d]%s", k, i, rest)
		}
	}
	return err
}

// valueError returns the error of setting key k to v alone on a default
// config of the model kind (JSON, or empty for the default's), and false
// if kind is not a model. A v that does not encode is no error.
func valueError(kind []byte, k string, v any) (bool, error) {
	c := defaultConfig()
	if len(kind) > 0 && string(kind) != "null" && setKey(&c, "model.kind", string(kind)) != nil {
		return false, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return true, nil
	}
	return true, setKey(&c, k, string(b))
}

// namesKey reports whether err names the dotted key k or, for a value
// found inside a table where a key takes a value (seed = { a = 1 }), one of
// the tables above k ("seed: cannot use object here").
func namesKey(err error, k string) bool {
	msg := err.Error()
	if strings.Contains(msg, k) {
		return true
	}
	for p := k; strings.Contains(p, "."); {
		p = p[:strings.LastIndex(p, ".")]
		if strings.HasPrefix(msg, p+":") {
			return true
		}
	}
	return false
}

// readConfigFile reads the config file path (given by what: a flag or an
// argument), at most maxConfigBytes. Every error names the file: one that
// cannot be read is a failure (unreadable), one over the limit a usage
// error; a FIFO or a device is refused before it is opened (a FIFO's open
// would wait for a writer).
func readConfigFile(what, path string) ([]byte, error) {
	f, _, err := files.OpenRegular(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if len(data) > maxConfigBytes {
		return nil, usagef("config %s: more than %d bytes, a config is at most 16 MiB", path, maxConfigBytes)
	}
	if !utf8.Valid(data) {
		// A JSON decoder reads each bad byte as U+FFFD: another path.
		line := 1 + bytes.Count(data[:invalidUTF8(data)], []byte("\n"))
		return nil, usagef("config %s: line %d: not valid UTF-8; a config is UTF-8 text (a path of other bytes cannot be given in one)", path, line)
	}
	return data, nil
}

// invalidUTF8 returns the offset of the first byte of b that is not valid
// UTF-8, len(b) if none.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// keyPaths returns the dotted paths of the keys named name in the decoded
// JSON object obj (below prefix), in lists of tables with the element's
// index (train.curriculum[1].settings.bitz).
func keyPaths(obj map[string]any, name, prefix string) []string {
	var paths []string
	for k, v := range obj {
		p := strings.TrimPrefix(prefix+"."+k, ".")
		if k == name {
			paths = append(paths, p)
		}
		switch x := v.(type) {
		case map[string]any:
			paths = append(paths, keyPaths(x, name, p)...)
		case []any: // a list of tables: train.curriculum[i]
			for i, e := range x {
				if m, ok := e.(map[string]any); ok {
					paths = append(paths, keyPaths(m, name, fmt.Sprintf("%s[%d]", p, i))...)
				}
			}
		}
	}
	return paths
}

// keyHint returns "; did you mean "KEY"?" when the unknown dotted key is
// close to a key its table takes in a config decoded onto a value of type
// t (spell.Suggest), or "".
func keyHint(t reflect.Type, key string) string {
	path := strings.Split(key, ".")
	parent, name := path[:len(path)-1], path[len(path)-1]
	prefix := strings.TrimPrefix(strings.Join(parent, ".")+".", ".")
	if h := spell.Hint(name, jsonKeys(t, parent), func(n string) string { return strconv.Quote(prefix + n) }); h != "" {
		return "; " + h
	}
	return ""
}

// jsonKeys returns the JSON names of the fields of the struct that path
// (JSON names from the top; NAME[i] is an element of the list NAME) leads
// to in a value of type t, the fields of embedded structs among them, or
// nil if path leads to no struct.
func jsonKeys(t reflect.Type, path []string) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for _, f := range jsonFields(t) {
		name := f.name
		if len(path) > 0 {
			if elem, indexed := strings.CutSuffix(path[0], "]"); indexed && strings.EqualFold(name, elem[:max(strings.LastIndex(elem, "["), 0)]) {
				ft := f.typ // an element of a list: train.curriculum[1]
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if ft.Kind() != reflect.Slice {
					return nil
				}
				return jsonKeys(ft.Elem(), path[1:])
			}
		}
		if len(path) > 0 && strings.EqualFold(name, path[0]) {
			return jsonKeys(f.typ, path[1:])
		}
		keys = append(keys, name)
	}
	if len(path) > 0 {
		return nil
	}
	return keys
}

// jsonField is a field of a struct as encoding/json names it.
type jsonField struct {
	name string
	typ  reflect.Type
}

// jsonFields returns the fields of the struct type t that encoding/json
// decodes, by their JSON names (the Go name where the tag gives none),
// the fields of embedded structs among them.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for _, f := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" || (f.Anonymous && name == "") {
			continue
		}
		out = append(out, jsonField{cmp.Or(name, f.Name), f.Type})
	}
	return out
}

// exactKeys refuses a key of the decoded JSON value v, at path, that
// names a field of the struct of type t in another case than its JSON
// name ("Catch_Fraction" for catch_fraction), which encoding/json takes. A
// type that decodes itself (json.Unmarshaler) checks its own keys.
func exactKeys(t reflect.Type, v any, path string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		list, _ := v.([]any)
		for i, e := range list {
			if err := exactKeys(t.Elem(), e, fmt.Sprintf("%s[%d]", strings.TrimSuffix(path, "."), i)+"."); err != nil {
				return err
			}
		}
	case reflect.Struct:
		obj, _ := v.(map[string]any)
		fields := map[string]reflect.Type{}
		for _, f := range jsonFields(t) {
			fields[f.name] = f.typ
		}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if ft, ok := fields[k]; ok {
				if err := exactKeys(ft, obj[k], path+k+"."); err != nil {
					return err
				}
				continue
			}
			for name := range fields {
				if strings.EqualFold(name, k) {
					return fmt.Errorf("unknown key %q; did you mean %q? (keys are lower case, as 'rnntrain help config' lists them)", path+k, path+name)
				}
			}
		}
	}
	return nil
}

// firstLine returns the first line of b, at most 40 bytes of it.
func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line[:min(len(line), 40)])
}

// explainJSON rewords the decoder's errors with config keys.
func explainJSON(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if msg := outOfRange(te); msg != "" {
			return typeError{configKeyOf(te.Field) + ": " + msg, te}
		}
		return typeError{fmt.Sprintf("%s: cannot use %s here (want %s)", configKeyOf(te.Field), te.Value, jsonKindOf(te.Type)), te}
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("unknown key %s", strings.TrimPrefix(s, "json: unknown field "))
	}
	return err
}

// outOfRange says why the decoder refused a number for a numeric key
// (te): it is beyond the range of the key's type (1e400 for a float64,
// 1e30 for an int); "" for a number of the wrong kind (1.5 for an int)
// or another value.
func outOfRange(te *json.UnmarshalTypeError) string {
	num, ok := strings.CutPrefix(te.Value, "number ")
	if !ok || te.Type == nil {
		return ""
	}
	// The decoder takes a whole number in digits alone unless it is out
	// of range; another (1e3, 2.0) it refuses whatever its value.
	digits := strings.Trim(strings.TrimPrefix(num, "-"), "0123456789") == ""
	switch k := te.Type.Kind(); k {
	case reflect.Float32, reflect.Float64:
		limit := math.MaxFloat64
		if k == reflect.Float32 {
			limit = math.MaxFloat32
		}
		return fmt.Sprintf("%s is out of %s's range (magnitude at most %.2g)", num, k, limit)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := te.Type.Bits() // the bounds wrap round as two's complement does
		lo, hi := -1<<(bits-1), 1<<(bits-1)-1
		if f, ok := wholeValue(num); ok && !digits && f >= float64(lo) && f < -float64(lo) {
			return fmt.Sprintf("%s is not written in digits alone, as a JSON file's whole number must be: %d", num, int64(f))
		} else if ok {
			return fmt.Sprintf("%s is out of range (want a whole number from %d to %d)", num, lo, hi)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		hi := uint64(1)<<te.Type.Bits() - 1
		if f, ok := wholeValue(num); ok && !digits && f >= 0 && f < float64(hi)+1 {
			return fmt.Sprintf("%s is not written in digits alone, as a JSON file's whole number must be: %d", num, uint64(f))
		} else if ok {
			return fmt.Sprintf("%s is out of range (want a whole number from 0 to %d)", num, hi)
		}
	}
	return ""
}

// wholeValue returns the JSON number num as a float64 and whether it is a
// whole number, however large (±Inf beyond float64's range).
func wholeValue(num string) (float64, bool) {
	f, err := strconv.ParseFloat(num, 64)
	return f, (err == nil || errors.Is(err, strconv.ErrRange)) && f == math.Trunc(f)
}

// typeError is a decoder's type error reworded by explainJSON; it unwraps
// to the decoder's, so that setFlag sees which type the key wanted.
type typeError struct {
	msg string
	te  *json.UnmarshalTypeError
}

func (e typeError) Error() string { return e.msg }
func (e typeError) Unwrap() error { return e.te }

// configKeyOf returns the config key of a decoder's field path: the path
// without the Go names of embedded structs (model.LIFConfig.Spiking.dale
// is model.dale), which config keys, all lower case, never are.
func configKeyOf(field string) string {
	var keys []string
	for k := range strings.SplitSeq(field, ".") {
		if k != "" && !unicode.IsUpper([]rune(k)[0]) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "the config"
	}
	return strings.Join(keys, ".")
}

// jsonKindOf says what a config value of Go type t is written as.
func jsonKindOf(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer ≥ 0"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "a table"
	}
	return t.String()
}

// loadConfigFile decodes a TOML (.toml) or JSON (anything else) run config
// onto c; keys the file leaves out keep their values in c. TOML and JSON
// use the same snake_case keys. Every error is a usage error naming the
// file and the key.
func loadConfigFile(path string, c *runConfig) error {
	if err := loadFile(path, c); err != nil {
		return err
	}
	c.Train.Seed = c.Seed
	return nil
}

// parseConfig decodes a TOML (isTOML) or JSON run config onto c.
func parseConfig(data []byte, isTOML bool, c *runConfig) error {
	if err := decodeStrict(data, isTOML, c); err != nil {
		return withValueKey(data, isTOML, err)
	}
	c.Train.Seed = c.Seed
	return nil
}

// finiteValues reports the first key of v (a decoded TOML table) whose
// value is NaN or infinite; no setting accepts one.
func finiteValues(prefix string, v any) error {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s = %v: want a finite number", prefix, x)
		}
	case map[string]any:
		for k, e := range x {
			if err := finiteValues(strings.TrimPrefix(prefix+"."+k, "."), e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := finiteValues(fmt.Sprintf("%s[%d]", prefix, i), e); err != nil {
				return err
			}
		}
	case []map[string]any:
		for i, e := range x {
			if err := finiteValues(fmt.Sprintf("%s[%d]", prefix, i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeJSONFile writes v as indented JSON to path, atomically and
// durably (writeFileDurable).
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	b = append(b, '\n')
	return writeFileDurable(path, b)
}

// writeFileAtomic writes data to path through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error { return writeFile(path, data, false) }

// writeFileDurable is writeFileAtomic syncing the file before the rename
// and the directory after it: path then holds its old contents or data
// also after a crash of the machine, and a file written after it (a
// checkpoint) cannot survive a crash that it does not. A run's config.json,
// eval.json and rewritten metrics.jsonl are written so.
func writeFileDurable(path string, data []byte) error { return writeFile(path, data, true) }

// writeFile is writeFileAtomic, and writeFileDurable if durable.
func writeFile(path string, data []byte, durable bool) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	_, werr := tmp.Write(data)
	if werr == nil && durable {
		werr = tmp.Sync()
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", path, werr)
	}
	if durable {
		if err := files.SyncDir(filepath.Dir(path)); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// checkUTF8Flag refuses, as a usage error naming the flag -name and the
// value, a value v that is not valid UTF-8: JSON, in which config.json,
// the checkpoints and fit.json record it, would store each bad byte as
// U+FFFD, another path.
func checkUTF8Flag(name, v string) error {
	if utf8.ValidString(v) {
		return nil
	}
	return usagef("-%s %q: not valid UTF-8: the run's config (config.json, the checkpoint) is JSON, which holds only UTF-8 text, and would store another value; give one of UTF-8 text (for a file, rename it or link to it under such a name)", name, v)
}
