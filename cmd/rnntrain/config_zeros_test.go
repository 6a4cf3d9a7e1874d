package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestCLIZeroSettings checks through the command that a 0 the model's
// defaults would replace is refused, from a flag, a config file and a
// sweep axis, naming the setting and the default, while a 0 whose meaning
// the help gives (tau_syn_ms: no synaptic current) runs, and a finished
// run's config.json, whose zeros are its own, trains again.
func TestCLIZeroSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	rnntrain(t, work, "train", "-model", "alif", "-adapt", "0", "-steps", "2").
		want(t, 2, "-adapt (model.adapt_strength in a config file): 0 would run as the default, 1.8")
	cfgFile := filepath.Join(work, "zero.toml")
	if err := os.WriteFile(cfgFile, []byte("[model]\nkind = \"lif\"\nthreshold = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", cfgFile, "-steps", "2").want(t, 2, "model.threshold", "default, 1")
	// A flag's value replaces the file's 0.
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-config", cfgFile, "-threshold", "0.5", "-tau-syn", "0", "-steps", "2", "-out", run}, small...)...).
		want(t, 0, "stopped at step 2")
	rnntrain(t, work, append([]string{"train", "-config", filepath.Join(run, "config.json"), "-steps", "2", "-out", filepath.Join(work, "again")}, small...)...).
		want(t, 0, "stopped at step 2")
	spec := filepath.Join(work, "sweep.toml")
	if err := os.WriteFile(spec, []byte("[base.model]\nkind = \"lif\"\n\n[base.train]\nsteps = 2\n\n[axes]\n\"model.threshold\" = [0, 0.5]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "sweep", spec, "-out", filepath.Join(work, "sweep")).want(t, 2, "model.threshold=0", "0 would run as the default, 1")
}

// TestCLIFitZeroSettings checks that fit refuses a 0 for steps, lr or seed,
// from a flag or its config file, which its defaults would replace.
func TestCLIFitZeroSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	rnntrain(t, work, "fit", "-data", "none.npz", "-steps", "0").
		want(t, 2, "-steps (steps in a config file): 0 would run as the default, 1000")
	cfgFile := filepath.Join(work, "fit.toml")
	if err := os.WriteFile(cfgFile, []byte("seed = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "fit", "-data", "none.npz", "-config", cfgFile).want(t, 2, "config "+cfgFile+": seed: 0 would run as the default, 1")
	// A flag replaces the file's 0; the missing data file is then the error.
	rnntrain(t, work, "fit", "-data", "none.npz", "-config", cfgFile, "-seed", "3").want(t, 1, "none.npz")
}
