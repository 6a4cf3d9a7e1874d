package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

// This file binds the commands to the tasks, rnn and train packages.

// tauMS is the membrane time constant used to derive α = dt/τ when the
// config leaves α at 0 (100 ms, as PsychRNN, NeuroGym and the low-rank
// scripts use).
const tauMS = 100

// resolve fills every default of cfg that depends on the task: the preset,
// the task's settings, α from the task's dt, and the fixed α and φ of the
// rnn and gru models. It returns the built task. Unknown task or preset
// names are usage errors listing the valid names.
func resolve(cfg *runConfig) (tasks.Task, error) {
	if !cfg.Task.Preset.Set {
		p, err := tasks.DefaultPreset(cfg.Task.Name)
		if err != nil {
			return nil, usagef("-task: %v", err)
		}
		cfg.Task.Preset = presetChoice{Preset: p, Set: true}
	}
	task, err := tasks.New(cfg.Task.Name, cfg.Task.Preset.Preset, cfg.Task.Settings)
	if err != nil && cfg.Task.Settings.Path != "" {
		// A missing or broken data file is a failure (exit 1), not a
		// usage error; the message names the file.
		return nil, fmt.Errorf("-data %s: %w", cfg.Task.Settings.Path, err)
	}
	if err != nil {
		return nil, usagef("-task %s -preset %s: %v", cfg.Task.Name, cfg.Task.Preset, err)
	}
	if c, ok := task.(tasks.Configurable); ok {
		cfg.Task.Settings = c.Config().Settings
	}
	m := &cfg.Model
	switch m.Kind {
	case rnn.Vanilla, rnn.GRU:
		m.Alpha, m.Activation = 1, layers.Tanh
	default:
		if m.Alpha == 0 {
			m.Alpha = tasks.Describe(task).DtMS / tauMS
			if m.Alpha <= 0 || m.Alpha > 1 {
				m.Alpha = 0.2
			}
		}
		if m.Kind == rnn.LowRank && m.Rank == 0 {
			m.Rank = 1
		}
	}
	return task, nil
}

// networkConfig is the rnn.Config of cfg for nIn inputs and nOut outputs.
func networkConfig(cfg runConfig, nIn, nOut int) rnn.Config {
	m := cfg.Model
	return rnn.Config{
		Kind: m.Kind, Inputs: nIn, Hidden: m.Hidden, Outputs: nOut, Rank: m.Rank,
		Alpha: m.Alpha, Activation: m.Activation, NoiseStd: m.Noise,
	}
}

// loopConfig is the train.Config of cfg.
func loopConfig(cfg runConfig) train.Config {
	t := cfg.Train
	c := train.DefaultConfig()
	c.Steps, c.BatchSize, c.LR = t.Steps, t.Batch, t.LR
	c.Optimizer = train.DefaultOptimizerConfig(t.Optimizer)
	c.ClipNorm, c.TBPTT = t.ClipNorm, t.TBPTT
	c.EvalEvery, c.EvalTrials, c.TargetAccuracy = t.EvalEvery, t.EvalTrials, t.TargetAccuracy
	c.CheckpointEvery, c.Keep, c.LogEvery = t.SaveEvery, t.Keep, t.LogEvery
	c.Seed = cfg.Seed
	return c
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
	net, err := rnn.New[float32](networkConfig(cfg, nIn, nOut), rng)
	if err != nil {
		return nil, usagef("-model %s: %v", cfg.Model.Kind, err)
	}
	return &rnnNet{net: net, nIn: nIn, nOut: nOut, hidden: cfg.Model.Hidden, evalTape: autodiff.NewTape[float32]()}, nil
}

func (n *rnnNet) params() []*autodiff.Param[float32] { return n.net.Params() }
