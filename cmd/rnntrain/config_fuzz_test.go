package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
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
		"[model]\nkind = \"lif\"\nreset = \"Zero\"\nsurrogate = \"atan(alpha=1e39)\"\n",
		"seed = -3\n",
		"[task.eval_settings]\ncatch_fraction = 0\nimplicit_context = false\nCoherences = [1]\n[[train.curriculum]]\nsettings = { steps = 0, split = \"test\" }\n",
	}
	jsons = []string{string(b), `{"model": {"kind": "rnn", "hidden": 8}}`, `{"train": {"batch_size": 8}} {"x": 1}`, `{"model": {"kind": "leaky", "rec_mask": 3}}`,
		`{"seed": 2, "model": {"hidden": 8, "noise": 0.1, "Hidden": 9}, "seed": 3}`, `{"Model": {"kind": "lif", "tau_mem_ms": 30}}`, `{"model": {"kind": "ltc", "encoding": "morse"}, "train": {"clip_mode": 3}}`}
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
		if parseConfig([]byte(s), true, &c) == nil && c.validate() == nil {
			zeros := map[string]bool{} // the check of a 0 a default would replace
			if obj, err := decodeTOML([]byte(s)); err == nil {
				zeroSettings(zeros, "", obj)
				_ = checkOverrides(obj) // the zero overrides of eval_settings and stages
			}
			_ = checkZeros(&c, zeros)
		}
		var fc lowrank.FitConfig // fit -config goes through the same decoder
		_ = decodeStrict([]byte(s), true, &fc)
		// -model beside the file: its model keys read under the flag's kind.
		if b, ok := tomlWithKind([]byte(s), "alif"); ok {
			c := defaultConfig()
			if parseConfig(b, false, &c) == nil && c.Model.Kind() != "alif" {
				t.Errorf("tomlWithKind(%q) read as model %s, want alif", s, c.Model.Kind())
			}
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
		// -model beside the file: its model keys read under the flag's kind.
		if b, ok := jsonWithKind([]byte(s), "alif"); ok {
			c := defaultConfig()
			if parseConfig(b, false, &c) == nil && c.Model.Kind() != "alif" {
				t.Errorf("jsonWithKind(%q) read as model %s, want alif", s, c.Model.Kind())
			}
		}
	})
}

// TestConfigRepeatedKey: a key given twice in one object of a JSON config
// is an error naming it (encoding/json would keep the last silently), at
// any depth and in any case; the same name in different objects is not.
func TestConfigRepeatedKey(t *testing.T) {
	for text, want := range map[string]string{
		`{"seed": 2, "seed": 3}`:                                     "key seed appears twice",
		`{"model": {"hidden": 8, "noise": 0.1, "hidden": 9}}`:        "key model.hidden appears twice",
		`{"seed": 2, "Seed": 3}`:                                     "key Seed appears twice",
		`{"train": {"optimizer": {"beta1": 0.8, "beta1": 0.9}}}`:     "key train.optimizer.beta1 appears twice",
		`{"task": {"settings": {"coherences": [1, 2]}}, "task": {}}`: "key task appears twice",
	} {
		c := defaultConfig()
		if err := parseConfig([]byte(text), false, &c); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", text, err, want)
		}
	}
	c := defaultConfig()
	if err := parseConfig([]byte(`{"seed": 2, "task": {"name": "flip-flop"}, "model": {"kind": "gru"}, "train": {"optimizer": {"kind": "adam"}}}`), false, &c); err != nil {
		t.Errorf("kind and name in different objects: %v", err)
	}
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
		// An unknown key is named by its path in the file.
		{true, "[task.settings]\nbitz = 3\n", `unknown key "task.settings.bitz"`},
		{false, `{"train": {"schedule": {"minlr": 1}}}`, `unknown key "train.schedule.minlr"`},
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

// TestEveryKeyReadsBack generates the key list from the code: every key of
// the default config and of each model's config is accepted by the config
// decoder (flags and files share it), and the default config written as
// TOML reads back to the same config as its JSON.
func TestEveryKeyReadsBack(t *testing.T) {
	def := defaultConfig()
	flat, err := flatten(&def)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rnn.Models() {
		b, _ := json.Marshal(m.New())
		var obj map[string]any
		_ = json.Unmarshal(b, &obj)
		for k, v := range obj {
			c := defaultConfig()
			if err := setKey(&c, "model.kind", m.Name); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(v)
			if err := setKey(&c, "model."+k, string(raw)); err != nil {
				t.Errorf("model %s key %s: %v", m.Name, k, err)
			}
		}
	}
	for k, v := range flat {
		c := defaultConfig()
		raw, _ := json.Marshal(v)
		if v == nil {
			continue
		}
		if err := setKey(&c, k, string(raw)); err != nil {
			t.Errorf("key %s = %s: %v", k, raw, err)
		}
	}
	want, _ := json.Marshal(&def)
	var obj map[string]any
	_ = json.Unmarshal(want, &obj)
	var buf strings.Builder
	if err := toml.NewEncoder(&buf).Encode(obj); err != nil {
		t.Fatal(err)
	}
	c := defaultConfig()
	c.Model.Model = &rnn.GRUConfig{} // the TOML must set everything back
	if err := parseConfig([]byte(buf.String()), true, &c); err != nil {
		t.Fatalf("default config as TOML: %v\n%s", err, buf.String())
	}
	got, _ := json.Marshal(&c)
	if string(got) != string(want) {
		t.Errorf("TOML round trip:\n got %s\nwant %s", got, want)
	}
}

// FuzzSetFlag: no flag text makes setFlag panic, whatever the key; text
// that sets a string key sets it to the text as written (valid UTF-8: the
// JSON a config goes through holds no other, and applyConfig refuses
// other text, TestCLIFlagNotUTF8).
func FuzzSetFlag(f *testing.F) {
	for _, s := range []string{"8", "null", "2024", "1e400", "true", "\"x\"", "[1, 2]", "{}", "ArcTan(alpha=2)", "-0", "9007199254740993", ""} {
		f.Add("model.hidden", s)
		f.Add("model.surrogate", s)
		f.Add("task.settings.path", s)
	}
	f.Fuzz(func(t *testing.T, key, text string) {
		c := defaultConfig()
		if err := setFlag(&c, "model.kind", "lif"); err != nil {
			t.Fatal(err)
		}
		if setFlag(&c, key, text) != nil || key != "task.settings.path" || !utf8.ValidString(text) {
			return
		}
		if c.Task.Settings.Path != text {
			t.Fatalf("setFlag(task.settings.path, %q) set %v", text, c.Task.Settings.Path)
		}
	})
}
