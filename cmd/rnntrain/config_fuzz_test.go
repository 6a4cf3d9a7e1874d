package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// seedConfigs returns config files of the layout users write, for the
// fuzzers' corpora.
func seedConfigs(t interface{ Fatal(...any) }) (tomls, jsons []string) {
	def := defaultConfig()
	b, err := json.Marshal(&def)
	if err != nil {
		t.Fatal(err)
	}
	tomls = []string{
		"seed = 3\n[task]\nname = \"perceptual-dm\"\n[model]\nkind = \"leaky\"\nhidden = 16\ndale = 0.8\nnoise_convention = \"yang\"\n[train]\nsteps = 4\n[train.schedule]\nkind = \"cosine\"\n[train.regularization]\nl2_rec = 1e-3\n",
		"[model]\nkind = \"lowrank\"\nrank = 2\n[train]\nlr = inf\n",
		"[model]\nkind = \"gru\"\n[[train.curriculum]]\ntask = \"context-dm\"\n",
		"seed = -3\n",
	}
	jsons = []string{string(b), `{"model": {"kind": "rnn", "hidden": 8}}`, `{"train": {"batch_size": 8}} {"x": 1}`, `{"model": {"kind": "leaky", "rec_mask": 3}}`}
	return tomls, jsons
}

// FuzzConfigTOML: no TOML config makes the parser or validation panic.
func FuzzConfigTOML(f *testing.F) {
	tomls, _ := seedConfigs(f)
	for _, s := range tomls {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := defaultConfig()
		if parseConfig([]byte(s), true, &c) == nil {
			_ = c.validate()
		}
	})
}

// FuzzConfigJSON: no JSON config (a file, a run's config.json or the
// config a checkpoint carries) makes the parser or validation panic.
func FuzzConfigJSON(f *testing.F) {
	_, jsons := seedConfigs(f)
	for _, s := range jsons {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := defaultConfig()
		if parseConfig([]byte(s), false, &c) == nil {
			_ = c.validate()
		}
		var l runConfig
		_ = legacyConfig([]byte(s), &l)
	})
}

// TestConfigErrors: the hostile configs of the seed corpus are errors that
// name the key.
func TestConfigErrors(t *testing.T) {
	cases := []struct {
		isTOML bool
		in     string
		want   string
	}{
		{true, "[train]\nlr = inf\n", "train.lr = +Inf"},
		{true, "[train]\nlr = nan\n", "train.lr = NaN"},
		{true, "seed = -3\n", "seed"},
		{false, `{"train": {"batch_size": 8}} {"x": 1}`, "trailing data"},
		{false, `{"model": {"kind": "leaky", "rec_mask": 3}}`, "rec_mask"},
		{true, "[task.settings]\ndt_ms = 10\n", ""},
	}
	for _, c := range cases {
		cfg := defaultConfig()
		err := parseConfig([]byte(c.in), c.isTOML, &cfg)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want an error naming %q", c.in, err, c.want)
		}
	}
}
