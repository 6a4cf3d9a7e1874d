package tasks

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// FuzzParseConfig feeds ParseConfig arbitrary task configs, seeded with
// the resolved config of every task and preset and with settings at their
// bounds. A config it accepts must build a task whose trials fit its Info
// and whose scorer accepts them; none may panic. The dataset tasks, which
// read files, are left out.
func FuzzParseConfig(f *testing.F) {
	infos, err := Catalog()
	if err != nil {
		f.Fatal(err)
	}
	for _, info := range infos {
		if info.Preset == Dataset {
			continue
		}
		t, err := New(info.Name, info.Preset, Settings{})
		if err != nil {
			f.Fatal(err)
		}
		data, err := json.Marshal(t.(Configurable).Config())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"task":"match-to-sample","preset":"dubreuil","settings":{"delay_max_ms":4000}}`,
		`{"task":"match-to-sample","preset":"lowrank","settings":{"delay_min_ms":900,"delay_max_ms":700}}`,
		`{"task":"perceptual-dm","preset":"valente","settings":{"decision_ms":1e300}}`,
		`{"task":"perceptual-dm","preset":"neurogym","settings":{"dt_ms":1e-300}}`,
		`{"task":"context-dm","preset":"neurogym","settings":{"implicit_context":true,"context_modality":1,"fixation_cue":"fixation-period"}}`,
		`{"task":"multisensory","preset":"valente","settings":{"cue_span":"response"}}`,
		`{"task":"parametric-wm","preset":"psychrnn","settings":{"empty_trials":"exclude","loss_norm":"mask"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Config
		if json.Unmarshal(data, &c) == nil {
			if p, err := DefaultPreset(c.Task); err == nil && p == Dataset {
				return // reads files (MNIST, .npz; the npz reader has its own tests)
			}
		}
		task, err := ParseConfig(data)
		if err != nil {
			return
		}
		info := Describe(task)
		if info.MaxSteps > 20000 {
			return // valid, but too long to draw here
		}
		b := task.Batch(rand.New(rand.NewPCG(1, 2)), 2)
		for i, n := range b.Lengths {
			if n < info.MinSteps || n > info.MaxSteps {
				t.Fatalf("trial %d has %d steps, Info says %d…%d", i, n, info.MinSteps, info.MaxSteps)
			}
		}
		task.Score(make([]float32, b.T*b.B*b.NOut), &b)
	})
}
