package train

import (
	"context"
	"slices"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
)

// FuzzRestoreState feeds RestoreState a checkpoint of a trained network
// whose optimizer state (the JSON of the metadata) is any bytes: it must
// never panic, a state it refuses leaves the network's parameters as they
// were, and a state it takes names a known optimizer. (Its step count is
// checked when the optimizer takes the state, in Resume.)
func FuzzRestoreState(f *testing.F) {
	task, err := tasks.NewDefault("perceptual-dm")
	if err != nil {
		f.Fatal(err)
	}
	in, out := task.Dims()
	network := func(seed uint64) *rnn.Network[float32] {
		m, err := rnn.New[float32](rnn.Config{Inputs: in, Outputs: out, Hidden: 4}, NewRNG(seed, StreamInit))
		if err != nil {
			f.Fatal(err)
		}
		return m
	}
	var base *checkpoints.Checkpoint
	for _, kind := range []OptimizerKind{OptAdam, OptSGD} {
		cfg := DefaultConfig()
		cfg.Steps, cfg.BatchSize, cfg.EvalTrials = 2, 2, 2
		cfg.Optimizer = DefaultOptimizerConfig(kind)
		m := network(1)
		sum, err := Run(context.Background(), cfg, m, []tasks.Task{task})
		if err != nil {
			f.Fatal(err)
		}
		c, err := NewCheckpoint(checkpoints.Meta{}, m, sum.State)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(c.Meta.Optimizer))
		base = c
	}
	for _, s := range []string{`{"kind":"adam","steps":2}`, `{"kind":"sgd","steps":-1}`, `{"kind":"adamw","steps":0}`, `{"kind":7}`,
		`{"kind":"sgd","steps":2,"fptt":{"alpha":0.5}}`, `{"kind":"sgd","fptt":{}}`, `null`, `[]`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, opt []byte) {
		c := *base
		c.Meta.Optimizer = opt
		m := network(2)
		before := paramsBits(m)
		st, err := RestoreState(&c, m)
		if err != nil {
			for i, b := range paramsBits(m) {
				if !slices.Equal(b, before[i]) {
					t.Fatalf("optimizer state %q: refused (%v) but %s changed", opt, err, m.Params()[i].Name)
				}
			}
			return
		}
		if _, err := st.Optimizer.Kind.MarshalText(); err != nil {
			t.Fatalf("optimizer state %q taken as kind %v", opt, st.Optimizer.Kind)
		}
		if st.Optimizer.Steps < 0 {
			t.Fatalf("optimizer state %q taken with %d steps", opt, st.Optimizer.Steps)
		}
	})
}
