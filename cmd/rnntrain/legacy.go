package main

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/train"
)

// configV1 is the run config of format-1 checkpoints: a model section of
// six keys and a train section with the command's own names.
type configV1 struct {
	Seed  uint64     `json:"seed"`
	Task  taskConfig `json:"task"`
	Model struct {
		Kind       string            `json:"kind"`
		Hidden     int               `json:"hidden"`
		Rank       int               `json:"rank"`
		Alpha      float64           `json:"alpha"`
		Activation layers.Activation `json:"activation"`
		Noise      float64           `json:"noise"`
	} `json:"model"`
	Train struct {
		Steps          int                 `json:"steps"`
		Batch          int                 `json:"batch"`
		LR             float64             `json:"lr"`
		Optimizer      train.OptimizerKind `json:"optimizer"`
		ClipNorm       float64             `json:"clip_norm"`
		TBPTT          int                 `json:"tbptt"`
		TargetAccuracy float64             `json:"target_accuracy"`
		EvalEvery      int                 `json:"eval_every"`
		EvalTrials     int                 `json:"eval_trials"`
		LogEvery       int                 `json:"log_every"`
		SaveEvery      int                 `json:"save_every"`
		Keep           int                 `json:"keep"`
	} `json:"train"`
}

// legacyConfig converts the run config of a format-1 checkpoint into c.
func legacyConfig(b []byte, c *runConfig) error {
	var v configV1
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return explainJSON(err)
	}
	c.Seed, c.Task = v.Seed, v.Task
	m := v.Model
	var mc layers.ModelConfig
	switch m.Kind {
	case "rnn":
		mc = &rnn.VanillaConfig{}
	case "leaky":
		mc = &rnn.LeakyConfig{Alpha: m.Alpha, Activation: m.Activation}
	case "gru":
		mc = &rnn.GRUConfig{}
	case "lowrank":
		// Format 1 built low-rank layers with the library readout.
		mc = &lowrank.Config{Rank: m.Rank, Alpha: m.Alpha, Activation: m.Activation}
	default:
		return fmt.Errorf("model.kind %q is not a format-1 model", m.Kind)
	}
	c.Model = rnn.Config{Hidden: m.Hidden, NoiseStd: m.Noise, Model: mc}
	t := v.Train
	tc := train.DefaultConfig()
	tc.Steps, tc.BatchSize, tc.LR = t.Steps, t.Batch, t.LR
	tc.Optimizer = train.DefaultOptimizerConfig(t.Optimizer)
	tc.ClipNorm, tc.TBPTT, tc.TargetAccuracy = t.ClipNorm, t.TBPTT, t.TargetAccuracy
	tc.EvalEvery, tc.EvalTrials, tc.LogEvery = t.EvalEvery, t.EvalTrials, t.LogEvery
	tc.CheckpointEvery, tc.Keep, tc.Seed = t.SaveEvery, t.Keep, v.Seed
	c.Train = tc
	return nil
}
