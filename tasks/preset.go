package tasks

import (
	"fmt"
	"strings"

	"github.com/rnntrain/rnntrain/internal/enum"
)

// Preset selects a published timing and encoding convention for a task.
type Preset int

const (
	// Default stands for the task's default preset (the first of
	// Presets(name)); New resolves it, so a Config or flag that names no
	// preset gets the documented default. Task.Config always records the
	// resolved preset.
	Default Preset = iota
	// NeuroGym: the NeuroGym 2.2.0 environments (neurogym/neurogym @
	// 8136bc7, neurogym/envs/native/*.py): dt = 100 ms (80 ms for
	// ready-set-go), fixation input plus ring or channel stimuli with
	// Gaussian noise of std σ/√dt per step, one output per action
	// (0 = fixate, 1… = choices) trained with cross-entropy on one-hot
	// targets, scored by the decision-period action.
	NeuroGym
	// Dubreuil: the tasks of Dubreuil et al. 2022 as their code defines
	// them (adrian-valente/populations_paper_code @ 1bb6256,
	// src/low_rank_rnns/{rdm,mante,raposo,dms,romo}.py): dt = 20 ms, the
	// scripts' period constants, scalar inputs (coherences × 0.1), a
	// scalar output with ±1 targets (graded for parametric-wm) in the
	// response window, mask-weighted MSE, scored by the sign of the mean
	// output over the response window, catch trials excluded. The default
	// of the five tasks it covers; "lowrank" is its alias (LowRank).
	Dubreuil
	// PsychRNN: the PsychRNN 1.0.0 tasks (murraylab/PsychRNN @ aff98e1,
	// psychrnn/tasks/*.py) with the documentation's example settings
	// dt = 10 ms, T = 2000 ms: two noisy input channels, two outputs with
	// one-hot targets (hi 1.0, lo 0.2) after the stimulus, MSE, scored by
	// the masked-mean argmax.
	PsychRNN
	// SussilloBarak: the dynamical-systems tasks of Sussillo & Barak 2013
	// (flip-flop as in FixedPointFinder's FlipFlopData, sine-wave
	// generation): continuous targets, MSE, no trial structure beyond a
	// fixed number of steps.
	SussilloBarak
	// Dataset: trials read from a file (user .npz data, sequential MNIST).
	Dataset
	// LongHorizon: the long-time-lag benchmarks of Hochreiter &
	// Schmidhuber 1997 in the form FPTT trains them (Kag & Saligrama 2021,
	// anilkagak2/FPTT): adding and copy-memory, abstract steps, one answer
	// after hundreds or thousands of steps.
	LongHorizon
	// Valente: the same tasks as Valente et al. 2022's code defines them
	// (adrian-valente/lowrank_inference @ 14bef71,
	// low_rank_rnns/{rdm,mante,raposo,dms,romo}.py), where they differ
	// from Dubreuil's: rdm.py's delay 300 and decision 300 ms, coherences
	// ±{1, 2, 4, 8, 16} × 0.032 and noise 0.03; raposo.py's two-input
	// variant; romo.py's delay up to 2000 ms.
	Valente
)

// LowRank is the alias of the default low-rank preset, Dubreuil: the
// text form "lowrank" parses to it.
const LowRank = Dubreuil

// lowRank reports whether p is one of the low-rank library presets.
func (p Preset) lowRank() bool { return p == Dubreuil || p == Valente }

// presetNames are the text forms, indexed by Preset.
func presetNames() []string {
	return []string{"default", "neurogym", "dubreuil", "psychrnn", "sussillo-barak", "dataset", "long-horizon", "valente"}
}

// String returns the preset's text form ("neurogym", "dubreuil", …).
func (p Preset) String() string { return enum.Name(presetNames(), int(p), "Preset") }

// MarshalText implements encoding.TextMarshaler.
func (p Preset) MarshalText() ([]byte, error) {
	return enum.Text("tasks", presetNames(), int(p), "preset")
}

// UnmarshalText implements encoding.TextUnmarshaler; see ParsePreset.
func (p *Preset) UnmarshalText(b []byte) error {
	v, err := ParsePreset(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// ParsePreset parses a preset's text form; "lowrank" is an alias of
// "dubreuil". The error lists the valid forms.
func ParsePreset(s string) (Preset, error) {
	if s == "lowrank" {
		return LowRank, nil
	}
	for i, n := range presetNames() {
		if s == n {
			return Preset(i), nil
		}
	}
	n := presetNames()
	return 0, fmt.Errorf("unknown preset %q; valid presets: %s, lowrank (= dubreuil)%s", s, strings.Join(n, ", "), enum.Hint(s, append(n, "lowrank")))
}

// OptionalPreset is a preset that may be left unset, for a setting that
// falls back to another when it names none (a curriculum stage's preset,
// train.Stage). Its zero value is unset. Its text form is "" when unset
// and the preset's otherwise, so "default" is set, to the task's default
// preset (Default), unlike "".
type OptionalPreset struct {
	Preset Preset
	Set    bool
}

// MarshalText implements encoding.TextMarshaler: "" when unset, else
// Preset.MarshalText.
func (p OptionalPreset) MarshalText() ([]byte, error) {
	if !p.Set {
		return []byte{}, nil
	}
	return p.Preset.MarshalText()
}

// UnmarshalText implements encoding.TextUnmarshaler: "" is unset, any
// other text a preset as ParsePreset reads it. On error p is unchanged.
func (p *OptionalPreset) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = OptionalPreset{}
		return nil
	}
	v, err := ParsePreset(string(b))
	if err != nil {
		return err
	}
	*p = OptionalPreset{Preset: v, Set: true}
	return nil
}

// String returns "" when p is unset, else the preset's text form.
func (p OptionalPreset) String() string {
	if !p.Set {
		return ""
	}
	return p.Preset.String()
}

// Scorer names the rule a task uses to turn outputs into per-trial
// verdicts. See the Score* functions for the exact rules.
type Scorer int

const (
	// DecisionAction is NeuroGym's rule (ScoreDecisionAction).
	DecisionAction Scorer = iota
	// SignMean is the low-rank library's rule (ScoreSignMean).
	SignMean
	// MaskedMeanArgmax is PsychRNN's rule (ScoreMaskedMeanArgmax).
	MaskedMeanArgmax
	// NormalizedMSE judges continuous outputs (ScoreNormalizedMSE).
	NormalizedMSE
	// ProductionTime is NeuroGym ReadySetGo's rule (ScoreProductionTime).
	ProductionTime
	// MSEThreshold judges continuous outputs by absolute error
	// (ScoreMSEThreshold).
	MSEThreshold
	// Recall judges sequence recall step by step (ScoreRecall).
	Recall
)

// scorerNames are the text forms, indexed by Scorer.
func scorerNames() []string {
	return []string{"decision-action", "sign-mean", "masked-mean-argmax", "normalized-mse", "production-time", "mse-threshold", "recall"}
}

// String returns the scorer's text form.
func (s Scorer) String() string { return enum.Name(scorerNames(), int(s), "Scorer") }

// MarshalText implements encoding.TextMarshaler.
func (s Scorer) MarshalText() ([]byte, error) {
	return enum.Text("tasks", scorerNames(), int(s), "scorer")
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Scorer) UnmarshalText(b []byte) error {
	for i, n := range scorerNames() {
		if string(b) == n {
			*s = Scorer(i)
			return nil
		}
	}
	n := scorerNames()
	return fmt.Errorf("unknown scorer %q; valid scorers: %s%s", b, strings.Join(n, ", "), enum.Hint(string(b), n))
}

// lossNames lists the losses' text forms, indexed by Loss.
func lossNames() []string { return []string{MSE: "mse", CrossEntropy: "cross-entropy"} }

// String returns "mse" or "cross-entropy", or Loss(i) for a value that is
// none of the constants.
func (l Loss) String() string { return enum.Name(lossNames(), int(l), "Loss") }

// MarshalText implements encoding.TextMarshaler. It returns an error for a
// value that is none of the constants.
func (l Loss) MarshalText() ([]byte, error) { return enum.Text("tasks", lossNames(), int(l), "loss") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Loss) UnmarshalText(b []byte) error {
	return enumUnmarshal(lossNames(), b, "loss", (*int)(l))
}

// Info describes a task instance: what `rnntrain tasks` prints and what
// a training loop needs besides the batches.
type Info struct {
	Name   string `json:"name"`
	Preset Preset `json:"preset"`
	// Default reports whether Preset is the task's default preset.
	Default bool `json:"default"`
	// Summary is one line on what the task is and where its numbers come
	// from.
	Summary string `json:"summary"`
	// DtMS is the duration of one step in ms; a leaky network's
	// α = DtMS/τ. Abstract-time tasks state a nominal value.
	DtMS     float64  `json:"dt_ms"`
	NIn      int      `json:"n_in"`
	NOut     int      `json:"n_out"`
	Inputs   []string `json:"inputs"`  // channel names, len NIn
	Outputs  []string `json:"outputs"` // channel names, len NOut
	MinSteps int      `json:"min_steps"`
	MaxSteps int      `json:"max_steps"`
	Loss     Loss     `json:"loss"`
	Scorer   Scorer   `json:"scorer"`
	// Chance is the accuracy of the best constant output under the
	// task's own scorer and trial distribution.
	Chance float64 `json:"chance"`
	// Activation, when not empty, names the rate nonlinearity φ
	// ("tanh"; layers.ParseActivation's names) that a network whose φ
	// the run leaves unset trains with on this task: the φ of the
	// preset's source, given where the usual default (ReLU) stays at
	// chance. Only the low-rank presets' match-to-sample has one
	// (dms.py's networks are r = tanh(h + b)).
	Activation string `json:"activation,omitempty"`
	// Settings lists the keys of Settings the task takes under Preset
	// (Accepts); Catalog fills it, a task's own Info leaves it nil.
	Settings []string `json:"settings,omitempty"`
}

// Describer is implemented by every task this package returns.
type Describer interface {
	Info() Info
}

// Configurable is implemented by every task this package returns: Config
// gives the fully resolved configuration, from which NewFromConfig
// rebuilds an identical task.
type Configurable interface {
	Config() Config
}
