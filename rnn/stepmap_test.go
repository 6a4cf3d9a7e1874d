package rnn_test

import (
	"testing"

	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/rnn/rnntest"
)

// TestStepMapVariants checks the one-step maps and Jacobians of the model
// options the table's defaults leave out: rate integration, Dale's law,
// ReLU and softplus, a rank-2 low-rank layer with a bias.
func TestStepMapVariants(t *testing.T) {
	for _, c := range []struct {
		name  string
		model layers.ModelConfig
	}{
		{"leaky rate softplus", &rnn.LeakyConfig{Alpha: 0.3, Activation: layers.Softplus, Integration: layers.IntegrateRate}},
		{"leaky state relu dale", &rnn.LeakyConfig{Alpha: 0.2, Activation: layers.ReLU, Dale: 0.5}},
		{"leaky rate tanh dale no autapses", &rnn.LeakyConfig{Alpha: 0.5, Integration: layers.IntegrateRate, Dale: 0.8, Connectivity: rnn.Connectivity{NoAutapses: true}}},
		{"lowrank rank 2 state", &lowrank.Config{Rank: 2, Alpha: 0.2, Rates: lowrank.RatesState}},
		{"lowrank rank 3 softplus phi", &lowrank.Config{Rank: 3, Alpha: 0.1, Activation: layers.Softplus, Rates: lowrank.RatesPhi}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rnntest.CheckStepMap(t, rnn.Config{Inputs: 3, Hidden: 6, Outputs: 2, Model: c.model})
		})
	}
}
