package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIConfigNesting: a TOML file nested far deeper than any config (a
// few hundred kilobytes of "[" or of "a.") is refused at once as a usage
// error naming the file and the line; the decoder's time, and the memory
// of the walks that name each value by its path, grow with the square of
// the depth (a 200 KB file of nested arrays had train use 24 GiB).
func TestCLIConfigNesting(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const n = 100000
	for _, c := range []struct{ name, text, want string }{
		{"arrays.toml", "seed = 1\n[task.settings]\ncoherences = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n", "config arrays.toml: line 3: arrays and inline tables nested more than 32 deep"},
		{"tables.toml", "a = " + strings.Repeat("{b = ", n) + "1" + strings.Repeat("}", n) + "\n", "config tables.toml: line 1: arrays and inline tables nested more than 32 deep"},
		{"keys.toml", "[task]\n" + strings.Repeat("a.", n) + "b = 1\n", "config keys.toml: line 2: a key of more than 32 dotted parts"},
	} {
		if err := os.WriteFile(filepath.Join(work, c.name), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-config", c.name, "-steps", "1", "-out", filepath.Join(work, "run")).want(t, 2, c.want)
		rnntrain(t, work, "fit", "-data", "data.npz", "-config", c.name, "-out", "fit").want(t, 2, c.want)
		spec := "sweep-" + c.name
		if err := os.WriteFile(filepath.Join(work, spec), []byte("[base]\n"+c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "sweep", spec, "-out", "sweep").want(t, 2, "spec "+spec+": line")
	}
}

// TestCLIAlphaFloat32: an α that float32 rounds to 0 would train a network
// whose state never moves (and with the yang noise, √(2/α)σ, one that
// overflows at the first step); it is refused as a usage error, from a
// flag and from a file, for both models that take it.
func TestCLIAlphaFloat32(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	rnntrain(t, work, "train", "-alpha", "1e-300", "-steps", "1", "-out", "run").
		want(t, 2, "-alpha (model.alpha in a config file): 1e-300 is 0 in float32", "need 1.4e-45 ≤ α ≤ 1")
	if err := os.WriteFile(filepath.Join(work, "c.toml"), []byte("[model]\nkind = \"lowrank\"\nalpha = 1e-50\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", "c.toml", "-steps", "1", "-out", "run").
		want(t, 2, "config c.toml: model.alpha: 1e-50 is 0 in float32")
	if _, err := os.Stat(filepath.Join(work, "run")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused run left its directory: %v", err)
	}
}

// TestCLIEmptyListSetting: a task setting's list given empty ran as the
// key left out (the preset's coherences), even for a task that takes no
// such setting; it is refused, naming the file and the key, from a TOML
// or a JSON file.
func TestCLIEmptyListSetting(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct{ name, text, want string }{
		{"cohs.toml", "[task]\nname = \"perceptual-dm\"\n[task.settings]\ncoherences = []\n", "config cohs.toml: task.settings.coherences: coherences = []: an empty list; leave the key out for the preset's coherences"},
		{"adding.toml", "[task]\nname = \"adding\"\n[task.settings]\ncoherences = []\n", "config adding.toml: task.settings.coherences: coherences = []"},
		{"cohs.json", `{"task": {"name": "perceptual-dm", "settings": {"coherences": []}}}`, "config cohs.json: task.settings.coherences: coherences = []"},
		{"trials.toml", "[task.settings]\nvalidation_trials = []\n", "config trials.toml: task.settings.validation_trials: validation_trials = []: an empty list"},
	} {
		if err := os.WriteFile(filepath.Join(work, c.name), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-config", c.name, "-steps", "1", "-out", "run").want(t, 2, c.want)
	}
}

// TestCLIJSONWholeNumberText: a JSON file's whole number written with an
// exponent or a fraction (1e3, 2.0), which encoding/json refuses for an
// integer key, was called out of range; the error now gives the number
// in the digits the key takes, and keeps "out of range" for what is.
func TestCLIJSONWholeNumberText(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{`{"train": {"steps": 1e3}}`, "config c.json: train.steps: 1e3 is not written in digits alone, as a JSON file's whole number must be: 1000"},
		{`{"seed": 2.0}`, "config c.json: seed: 2.0 is not written in digits alone, as a JSON file's whole number must be: 2"},
		{`{"train": {"steps": 1e30}}`, "config c.json: train.steps: 1e30 is out of range (want a whole number from -9223372036854775808 to 9223372036854775807)"},
		{`{"train": {"steps": -9223372036854775809}}`, "config c.json: train.steps: -9223372036854775809 is out of range"},
		{`{"seed": -1}`, "config c.json: seed: -1 is out of range (want a whole number from 0 to 18446744073709551615)"},
		{`{"train": {"steps": 1.5}}`, "config c.json: train.steps: cannot use number 1.5 here (want an integer)"},
	} {
		if err := os.WriteFile(filepath.Join(work, "c.json"), []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-config", "c.json", "-out", "run").want(t, 2, c.want)
	}
}
