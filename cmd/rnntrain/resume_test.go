package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/train"
)

// editJSON decodes the JSON object in path, lets edit change it and writes
// it back.
func editJSON(t *testing.T, path string, edit func(obj map[string]any)) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	edit(obj)
	if b, err = json.MarshalIndent(obj, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustRead returns the contents of the file path.
func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantUnchanged reports an error if the file path no longer holds want
// after what.
func wantUnchanged(t *testing.T, what, path string, want []byte) {
	t.Helper()
	if now, err := os.ReadFile(path); err != nil || !bytes.Equal(now, want) {
		t.Errorf("%s rewrote %s (%v)", what, path, err)
	}
}

// TestCLIResumeChecksStoredConfig: a resumed run's config.json must agree
// with the config stored in the checkpoint resumed, except in the keys a
// resume may change; -force accepts config.json's settings.
func TestCLIResumeChecksStoredConfig(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-seed", "2", "-steps", "4", "-hidden", "8", "-batch", "4", "-eval-trials", "16",
		"-log-every", "1", "-quiet", "-out", run).want(t, 0, "stopped at step 4")
	jsonPath, ckpt := filepath.Join(run, "config.json"), checkpoints.LatestPath(run)
	orig, origCkpt := mustRead(t, jsonPath), mustRead(t, ckpt)
	section := func(obj map[string]any, name string) map[string]any { return obj[name].(map[string]any) }

	for _, tc := range []struct {
		name string
		edit func(obj map[string]any)
		want string
	}{
		{"hidden size", func(obj map[string]any) { section(obj, "model")["hidden"] = 12.0 }, "model.hidden (8 → 12)"},
		{"learning rate", func(obj map[string]any) { section(obj, "train")["lr"] = 0.5 }, "train.lr (0.003 → 0.5)"},
		{"seed", func(obj map[string]any) { obj["seed"] = 9.0 }, "seed (2 → 9)"},
	} {
		if err := os.WriteFile(jsonPath, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		editJSON(t, jsonPath, tc.edit)
		edited, _ := os.ReadFile(jsonPath)
		rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").
			want(t, 2, jsonPath+" differs from the config stored in "+ckpt, tc.want, "-force")
		// Refused before anything is written.
		wantUnchanged(t, tc.name+": a refused resume", jsonPath, edited)
		wantUnchanged(t, tc.name+": a refused resume", ckpt, origCkpt)
	}

	// -force resumes with config.json's settings, which the new
	// checkpoint then stores.
	rnntrain(t, work, "train", "-resume", run, "-out", filepath.Join(work, "forced"), "-steps", "6", "-force", "-quiet").
		want(t, 0, "stopped at step 6")
	c, err := checkpoints.Load(checkpoints.LatestPath(filepath.Join(work, "forced")))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := checkpointConfig(c); err != nil || cfg.Seed != 9 {
		t.Errorf("resumed with -force: checkpoint's seed %d (%v), want config.json's 9", cfg.Seed, err)
	}

	// A key a resume may change: more steps in config.json, then more by
	// -steps.
	if err := os.WriteFile(jsonPath, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	editJSON(t, jsonPath, func(obj map[string]any) { section(obj, "train")["steps"] = 6.0 })
	rnntrain(t, work, "train", "-resume", run, "-quiet").want(t, 0, "stopped at step 6")
	rnntrain(t, work, "train", "-resume", run, "-steps", "8", "-quiet").want(t, 0, "stopped at step 8")
}

// TestCLIResumeUntouched: a run whose config.json is as training wrote it
// resumes, in place and into another directory.
func TestCLIResumeUntouched(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "3", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-out", run).
		want(t, 0, "stopped at step 3")
	rnntrain(t, work, "train", "-resume", run, "-out", filepath.Join(work, "branch"), "-steps", "4", "-quiet").want(t, 0, "stopped at step 4")
	rnntrain(t, work, "train", "-resume", run, "-steps", "5", "-quiet").want(t, 0, "stopped at step 5")
}

// TestCheckStoredConfigOlderFormats: a checkpoint with no stored config,
// or one of format 1, is not compared with config.json.
func TestCheckStoredConfigOlderFormats(t *testing.T) {
	t.Parallel()
	saved := defaultConfig()
	for _, m := range []checkpoints.Meta{
		{FormatVersion: checkpoints.FormatVersion},
		{FormatVersion: 1, Config: json.RawMessage(`{"seed": 5}`)},
	} {
		c := &checkpoints.Checkpoint{Path: "x.safetensors", Meta: m}
		if err := checkStoredConfig(saved, "config.json", c, false); err != nil {
			t.Errorf("format %d, config %s: %v; want no check", m.FormatVersion, m.Config, err)
		}
	}
	other := defaultConfig()
	other.Model.Hidden++
	b, err := json.Marshal(other)
	if err != nil {
		t.Fatal(err)
	}
	c := &checkpoints.Checkpoint{Path: "x.safetensors", Meta: checkpoints.Meta{FormatVersion: checkpoints.FormatVersion, Config: b}}
	if err := checkStoredConfig(saved, "config.json", c, false); err == nil {
		t.Error("a checkpoint storing another hidden size: no error")
	}
	if err := checkStoredConfig(saved, "config.json", c, true); err != nil {
		t.Errorf("-force: %v", err)
	}
}

// TestCLIResumePlotFormat checks that a resumed run may draw its figures
// in other formats: they cannot change the training, and -plot-format was
// refused on resume without -force.
func TestCLIResumePlotFormat(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "2", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-plot-format", "png",
		"-quiet", "-out", run).want(t, 0)
	if _, err := os.Stat(filepath.Join(run, "plots", "curves.svg")); err == nil {
		t.Fatal("a png-only run drew curves.svg")
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "3", "-plot-format", "svg", "-quiet").want(t, 0, "stopped at step 3")
	if _, err := os.Stat(filepath.Join(run, "plots", "curves.svg")); err != nil {
		t.Errorf("the resumed run drew no svg: %v", err)
	}
}

// TestCLIResumeComparesBeforeBuilding: an edit of config.json that no
// network can be built from (a negative size, an unknown activation, a
// missing mask file, a value of the wrong type, an unknown key) is refused
// as an edit, naming both files and the key, before the config is
// validated or the network built; with -force the run reports what is
// wrong with config.json's settings. Nothing is written either way.
func TestCLIResumeComparesBeforeBuilding(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-seed", "2", "-steps", "3", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg", "-out", run).
		want(t, 0, "stopped at step 3")
	jsonPath, ckpt := filepath.Join(run, "config.json"), checkpoints.LatestPath(run)
	orig, origCkpt := mustRead(t, jsonPath), mustRead(t, ckpt)
	model := func(obj map[string]any) map[string]any { return obj["model"].(map[string]any) }
	for _, tc := range []struct {
		name   string
		edit   func(obj map[string]any)
		want   string
		forced string // what -force reports
		code   int    // -force's exit status: 1 for a file that cannot be read
	}{
		{"negative size", func(obj map[string]any) { model(obj)["hidden"] = -3.0 }, "model.hidden (8 → -3)", "must be positive", 2},
		{"unknown activation", func(obj map[string]any) { model(obj)["activation"] = "bogus" }, `model.activation ("relu" → "bogus")`, `unknown activation "bogus"`, 2},
		{"missing mask", func(obj map[string]any) { model(obj)["rec_mask"] = "nofile.npy" }, `model.rec_mask ("" → "nofile.npy")`, "nofile.npy", 1},
		{"wrong type", func(obj map[string]any) { model(obj)["hidden"] = "eight" }, `model.hidden (8 → "eight")`, "model.hidden", 2},
		{"unknown key", func(obj map[string]any) { model(obj)["hiden"] = 8.0 }, "model.hiden ((unset) → 8)", "hiden", 2},
	} {
		if err := os.WriteFile(jsonPath, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		editJSON(t, jsonPath, tc.edit)
		edited, _ := os.ReadFile(jsonPath)
		r := rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet", "-plot-format", "svg")
		r.want(t, 2, jsonPath+" differs from the config stored in "+ckpt, tc.want, "-force")
		if t.Failed() {
			t.Fatalf("%s: refused as above", tc.name)
		}
		rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-force", "-quiet", "-plot-format", "svg").want(t, tc.code, tc.forced)
		wantUnchanged(t, tc.name+": a refused resume", jsonPath, edited)
		wantUnchanged(t, tc.name+": a refused resume", ckpt, origCkpt)
	}
}

// TestCLIResumeAtItsEnd: a run resumed with a -steps below its
// checkpoint's step is a usage error, whether or not its final evaluation
// was written; without -steps the message names the run's train.steps, not
// a flag that was not given. A run stopped after its last checkpoint but
// before its final evaluation resumes to write it, also when it still holds the
// eval.json of an earlier step (it was resumed with a larger -steps),
// instead of calling itself finished.
func TestCLIResumeAtItsEnd(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "3", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg", "-out", run).want(t, 0)
	eval := filepath.Join(run, "eval.json")
	early := mustRead(t, eval)
	rnntrain(t, work, "train", "-resume", run, "-steps", "5", "-quiet", "-plot-format", "svg").want(t, 0, "stopped at step 5")
	rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet", "-plot-format", "svg").want(t, 2, "already at step 5 of -steps 4")
	// A branch refused so leaves no -out directory.
	branch := filepath.Join(work, "branches", "b")
	rnntrain(t, work, "train", "-resume", run, "-out", branch, "-steps", "4", "-quiet", "-plot-format", "svg").want(t, 2, "already at step 5 of -steps 4")
	if _, err := os.Stat(filepath.Join(work, "branches")); err == nil {
		t.Errorf("a refused branch -resume %s -out %s left %s", run, branch, filepath.Join(work, "branches"))
	}
	// As if stopped after the checkpoint of step 5, before eval.json.
	if err := os.WriteFile(eval, early, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet", "-plot-format", "svg").want(t, 2, "already at step 5 of -steps 4")
	rnntrain(t, work, "train", "-resume", run, "-steps", "5", "-quiet", "-plot-format", "svg").want(t, 0, "stopped at step 5")
	if got := evaluatedAt(run); got != 5 {
		t.Errorf("eval.json of step %d, want 5", got)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "5", "-quiet", "-plot-format", "svg").want(t, 2, "already at step 5 of -steps 5")
	// Without -steps the run's own train.steps is the end, named as such.
	rnntrain(t, work, "train", "-resume", run, "-quiet").want(t, 2, "already at step 5 of its 5 steps (train.steps in "+filepath.Join(run, "config.json")+"); give a larger -steps")
	if err := os.Remove(eval); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet", "-plot-format", "svg").want(t, 2, "already at step 5 of -steps 4")
}

// TestCLIOutKeepsStepFiles: a directory whose latest checkpoint is gone
// but whose step files remain still holds a run: a new run there (or a
// branch into it) is refused instead of overwriting and rotating away
// those step files.
func TestCLIOutKeepsStepFiles(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	args := []string{"train", "-steps", "4", "-save-every", "2", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg", "-out", run}
	rnntrain(t, work, args...).want(t, 0)
	if err := os.Remove(checkpoints.LatestPath(run)); err != nil {
		t.Fatal(err)
	}
	step2 := mustRead(t, checkpoints.StepPath(run, 2))
	rnntrain(t, work, append(args, "-seed", "5", "-save-every", "1")...).want(t, 2, "-out "+run+" already holds a run")
	other := filepath.Join(work, "other")
	rnntrain(t, work, "train", "-steps", "3", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg", "-out", other).want(t, 0)
	rnntrain(t, work, "train", "-resume", other, "-out", run, "-steps", "5", "-quiet", "-plot-format", "svg").want(t, 2, "-out "+run+" already holds a run")
	wantUnchanged(t, "a refused run", checkpoints.StepPath(run, 2), step2)
	if steps, err := checkpoints.Steps(run); err != nil || fmt.Sprint(steps) != "[2 4]" {
		t.Errorf("step files %v (%v) after refused runs, want [2 4]", steps, err)
	}
}

// TestCLIResumeCheckpointOfAnotherRun: a checkpoint of another model kind
// or size copied into a run is refused as a config that differs (status
// 2, naming the key first, even when the kinds differ in more keys than
// the message lists, as egru's and leaky's do); with -force, which builds
// config.json's network, as a checkpoint that does not fit it (status 1,
// naming the file).
func TestCLIResumeCheckpointOfAnotherRun(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	base := []string{"train", "-steps", "2", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg"}
	run, lif, big := filepath.Join(work, "run"), filepath.Join(work, "lif"), filepath.Join(work, "big")
	egru := filepath.Join(work, "egru")
	rnntrain(t, work, append(base, "-out", run)...).want(t, 0)
	rnntrain(t, work, append(base, "-out", lif, "-model", "lif")...).want(t, 0)
	rnntrain(t, work, append(base, "-out", egru, "-model", "egru")...).want(t, 0)
	rnntrain(t, work, append(base, "-out", big, "-hidden", "12")...).want(t, 0)
	latest := checkpoints.LatestPath(run)
	for _, c := range []struct {
		from, key, fit string
	}{
		{lif, `model.kind ("lif" → "leaky")`, "missing from the checkpoint"},
		{egru, `model.kind ("egru" → "leaky")`, "missing from the checkpoint"},
		{big, "model.hidden (12 → 8)", "checkpoint has shape [12 4], model expects [8 4]"},
	} {
		if err := os.WriteFile(latest, mustRead(t, checkpoints.LatestPath(c.from)), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet", "-plot-format", "svg").want(t, 2, latest, "'s): "+c.key)
		rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet", "-plot-format", "svg", "-force").want(t, 1, latest, c.fit)
	}
}

// TestCLIResumeContinuesElapsed resumes a run and checks that elapsed_s
// in metrics.jsonl continues from the checkpoint's instead of starting
// again from zero, and that a checkpoint without elapsed_s (written
// before it was stored) resumes from 0.
func TestCLIResumeContinuesElapsed(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	// The evaluation of 20 000 trials at step 4 makes the first part
	// last; the resumed step 5 evaluates 16.
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "4", "-save-every", "4", "-quiet"}, append(tiny, "-eval-trials", "20000")...)...).want(t, 0)
	ms := metricsOf(t, run)
	before := ms[len(ms)-1].ElapsedS
	c, err := checkpoints.Load(checkpoints.LatestPath(run))
	if err != nil {
		t.Fatal(err)
	}
	if c.Meta.ElapsedS < before {
		t.Errorf("checkpoint of step 4: elapsed_s %g, want ≥ %g, the last metrics line's", c.Meta.ElapsedS, before)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "5", "-eval-trials", "16", "-quiet").want(t, 0)
	ms = metricsOf(t, run)
	if got := ms[len(ms)-1]; got.Step != 5 || got.ElapsedS < before {
		t.Errorf("resumed step %d: elapsed_s %g, want ≥ %g, step 4's", got.Step, got.ElapsedS, before)
	}
}

// TestHelpTrainResumableKeys: the -resume paragraph of help train names
// every key a resume may change freely (resumableKeys), as README does.
func TestHelpTrainResumableKeys(t *testing.T) {
	t.Parallel()
	text := strings.Join(strings.Fields(trainLong), " ")
	_, list, _ := strings.Cut(text, "unless -force; only ")
	list, _, _ = strings.Cut(list, " may change freely")
	for _, k := range resumableKeys() {
		if !strings.Contains(list, k) {
			t.Errorf("help train's -resume paragraph does not name %s among the keys a resume may change: %q", k, list)
		}
	}
}

// TestCLIResumeLongerLogsAsInOneGo: a run of 3 steps resumed to 6 logs at
// steps 4 and 6 what a run of 6 steps in one go logs there, the
// train_accuracy batch and its figures included: the line the shorter run
// wrote at its last step, which the run in one go does not write, does not
// shift the stream of the train_accuracy batches the resume continues.
func TestCLIResumeLongerLogsAsInOneGo(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	args := []string{"-model", "lif", "-threshold", "0.05", "-seed", "3", "-hidden", "8", "-batch", "4", "-eval-every", "2",
		"-eval-trials", "8", "-log-every", "0", "-plot-format", "svg", "-quiet"}
	run, ref := filepath.Join(work, "run"), filepath.Join(work, "ref")
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "3"}, args...)...).want(t, 0)
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 0)
	rnntrain(t, work, append([]string{"train", "-out", ref, "-steps", "6"}, args...)...).want(t, 0)
	got := map[int]metricsLine{}
	for _, m := range metricsOf(t, run) {
		m.ElapsedS, m.StepsPerS = 0, 0
		got[m.Step] = m
	}
	for _, want := range metricsOf(t, ref) {
		want.ElapsedS, want.StepsPerS = 0, 0
		jw, _ := json.Marshal(want)
		jg, _ := json.Marshal(got[want.Step])
		if !bytes.Equal(jg, jw) {
			t.Errorf("step %d: resumed %s\nin one go %s", want.Step, jg, jw)
		}
	}
}

// TestConfigChangesExactSeed: a resume that changes the seed in a digit
// float64 does not hold (seeds above 2^53) is refused like any other seed
// change, not resumed with the other seed.
func TestConfigChangesExactSeed(t *testing.T) {
	t.Parallel()
	a, b := defaultConfig(), defaultConfig()
	a.Seed, b.Seed = 1765100000123456789, 1765100000123456788
	changed, err := configChanges(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := "seed (1765100000123456789 → 1765100000123456788)"
	if len(changed) != 1 || changed[0] != want {
		t.Errorf("changes %q, want [%s]", changed, want)
	}
	if err := checkResume(a, b, false); err == nil {
		t.Error("resume with another seed accepted, want a usage error")
	}
	if changed, _ := configChanges(a, a); len(changed) > 0 {
		t.Errorf("changes of a config against itself: %q, want none", changed)
	}
}

// TestCLIResumeCheckpointFile: -resume given a checkpoint file rather than
// its run directory says that it wants the directory, and how to resume
// from that checkpoint (an earlier one, after a run went wrong).
func TestCLIResumeCheckpointFile(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "4", "-save-every", "2", "-quiet"}, tiny...)...).want(t, 0)
	step2 := filepath.Join(run, "checkpoints", "step-000000002.safetensors")
	rnntrain(t, work, "train", "-resume", step2, "-steps", "6", "-quiet").want(t, 1, "-resume "+step2+": ", "a checkpoint file, not a run directory",
		"copy it to "+checkpoints.LatestPath(run)+" and give -resume "+run)
	latest := checkpoints.LatestPath(run)
	rnntrain(t, work, "train", "-resume", latest, "-steps", "6", "-quiet").want(t, 1, "-resume "+latest+": ", "a checkpoint file, not a run directory", "give -resume "+run)
}

// TestCheckResumeCosineSteps: under a cosine schedule train.steps sets the
// learning rate of every step, so a resume that changes it is refused
// unless -force (the rate would jump where the run stopped); under the
// other schedules it may change freely.
func TestCheckResumeCosineSteps(t *testing.T) {
	t.Parallel()
	saved := defaultConfig()
	saved.Train.Steps = 30
	longer := saved
	longer.Train.Steps = 50
	if err := checkResume(saved, longer, false); err != nil {
		t.Errorf("constant schedule, -steps 30 → 50: %v, want no error", err)
	}
	saved.Train.Schedule.Kind = train.Cosine
	longer.Train.Schedule.Kind = train.Cosine
	err := checkResume(saved, longer, false)
	if err == nil || !errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "train.steps (30 → 50)") || !strings.Contains(err.Error(), "cosine") {
		t.Errorf("cosine schedule, -steps 30 → 50: %v, want a usage error naming train.steps and the cosine schedule", err)
	}
	if err := checkResume(saved, longer, true); err != nil {
		t.Errorf("cosine schedule, -steps 30 → 50 with -force: %v, want no error", err)
	}
	if err := checkResume(saved, saved, false); err != nil {
		t.Errorf("cosine schedule, same -steps: %v, want no error", err)
	}
}

// TestCLIResumeCosineSteps: a cosine run resumed with another -steps, or
// with train.steps edited in its config.json, is refused naming
// train.steps; -force resumes it, and the next resume needs none.
func TestCLIResumeCosineSteps(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, append([]string{"train", "-out", run, "-steps", "4", "-schedule", "cosine", "-quiet"}, tiny...)...).want(t, 0)
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 2, "train.steps (4 → 6) under the cosine schedule", "-force")
	jsonPath := filepath.Join(run, "config.json")
	orig := mustRead(t, jsonPath)
	editJSON(t, jsonPath, func(obj map[string]any) { obj["train"].(map[string]any)["steps"] = 6.0 })
	rnntrain(t, work, "train", "-resume", run, "-quiet").want(t, 2, jsonPath+" differs from the config stored in", "train.steps (4 → 6) under the cosine schedule")
	if err := os.WriteFile(jsonPath, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-force", "-quiet").want(t, 0, "stopped at step 6")
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 2, "already at step 6")
}

// TestCLIResumeMissingConfig: a run whose config.json is gone resumes
// from the config stored in its checkpoint, writing config.json back and
// saying so, bit for bit as with its config.json; a branch restores it
// too. A run with no checkpoint to take it from is an error naming both.
func TestCLIResumeMissingConfig(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run, ref := filepath.Join(work, "run"), filepath.Join(work, "ref")
	for _, d := range []string{run, ref} {
		rnntrain(t, work, append([]string{"train", "-out", d, "-steps", "4", "-quiet"}, tiny...)...).want(t, 0)
	}
	want := mustRead(t, filepath.Join(run, "config.json"))
	if err := os.Remove(filepath.Join(run, "config.json")); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet")
	r.want(t, 0, filepath.Join(run, "config.json")+" was missing: wrote it from the config stored in "+checkpoints.LatestPath(run)+" (step 4)")
	rnntrain(t, work, "train", "-resume", ref, "-steps", "6", "-quiet").want(t, 0)
	_, a := loadTensors(t, run)
	_, b := loadTensors(t, ref)
	if err := sameBits(a, b); err != nil {
		t.Errorf("resumed without config.json, against with it: %v", err)
	}
	wantUnchanged(t, "a resume without config.json", filepath.Join(run, "config.json"), bytes.Replace(want, []byte(`"steps": 4`), []byte(`"steps": 6`), 1))

	// A branch of a run without config.json.
	if err := os.Remove(filepath.Join(run, "config.json")); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-out", filepath.Join(work, "branch"), "-steps", "8", "-quiet").want(t, 0, "was missing: wrote it from the config stored in")
	if _, err := os.Stat(filepath.Join(work, "branch", "eval.json")); err != nil {
		t.Errorf("branch: %v", err)
	}

	// Nothing to take the config from.
	bare := filepath.Join(work, "bare")
	if err := os.MkdirAll(filepath.Join(bare, checkpoints.StepsDir), 0o755); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", bare, "-quiet").want(t, 1, "-resume "+bare+": no run to resume: "+filepath.Join(bare, "config.json")+": no such file", "no checkpoint")
}

// TestCLIResumeMovedData: a dataset run moved together with its .npz
// resumes, taking the file beside the run directory when its SHA-256 is
// the one the checkpoint recorded, says so on stderr, and records the new
// path so that the next resume needs no search. When the file is gone, or
// another file has its name, the error names the checkpoint,
// task.settings.path and the missing file, not a -data flag the user
// never gave.
func TestCLIResumeMovedData(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	proj := filepath.Join(work, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTinyNPZ(t, filepath.Join(proj, "d.npz"))
	rnntrain(t, work, "train", "-task", "npz", "-data", "proj/d.npz", "-hidden", "4", "-batch", "2", "-steps", "1", "-eval-trials", "2", "-out", "proj/run", "-quiet").want(t, 0)
	if err := os.Rename(proj, filepath.Join(work, "moved")); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, work, "train", "-resume", "moved/run", "-steps", "2", "-quiet")
	r.want(t, 0, "stopped at step 2", "task.settings.path", "moved/d.npz")
	cfg, err := os.ReadFile(filepath.Join(work, "moved", "run", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), filepath.Join(work, "moved", "d.npz")) {
		t.Errorf("config.json of the resumed run does not name the data file it was resumed on:\n%s", cfg)
	}
	rnntrain(t, work, "train", "-resume", "moved/run", "-steps", "3", "-quiet").want(t, 0, "stopped at step 3")

	// Moved again, and another file named d.npz beside it: not taken.
	if err := os.Rename(filepath.Join(work, "moved"), filepath.Join(work, "again")); err != nil {
		t.Fatal(err)
	}
	writeTinyNPZChoices(t, filepath.Join(work, "again", "d.npz"), 1)
	r = rnntrain(t, work, "train", "-resume", "again/run", "-steps", "4", "-quiet")
	r.want(t, 1, "again/run/checkpoint.safetensors", "moved/d.npz", "task.settings.path", "SHA-256")
	if err := os.Remove(filepath.Join(work, "again", "d.npz")); err != nil {
		t.Fatal(err)
	}
	r = rnntrain(t, work, "train", "-resume", "again/run", "-steps", "4", "-quiet")
	r.want(t, 1, "again/run/checkpoint.safetensors", "moved/d.npz", "task.settings.path", "missing")
	if strings.Contains(r.stderr, "-data") {
		t.Errorf("the error names -data, which the resume was not given:\n%s", r.stderr)
	}
}

// trainMovedDataRuns trains, in work/proj, a run whose final evaluation
// reads its own data file (task.eval_settings.path, e.npz) and one whose
// curriculum stage does (train.curriculum[1].settings.path, s.npz), and
// moves proj, data files and runs together, to work/moved.
func trainMovedDataRuns(t *testing.T, work string) {
	t.Helper()
	proj := filepath.Join(work, "proj")
	if err := os.Mkdir(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"d.npz", "e.npz", "s.npz"} {
		writeTinyNPZ(t, filepath.Join(proj, f))
	}
	const base = `[task]
name = "npz"
settings = { path = "d.npz", validation_fraction = 0 }
[model]
hidden = 4
[train]
steps = 2
eval_every = 1
batch_size = 2
eval_trials = 2
`
	cfgs := map[string]string{
		"eval":  base + "\n[task.eval_settings]\npath = \"e.npz\"\n",
		"stage": base + "\n[[train.curriculum]]\n[[train.curriculum]]\nsettings = { path = \"s.npz\" }\n",
	}
	for name, cfg := range cfgs {
		if err := os.WriteFile(filepath.Join(proj, name+".toml"), []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, proj, "train", "-config", name+".toml", "-quiet", "-out", name).want(t, 0)
	}
	if err := os.Rename(proj, filepath.Join(work, "moved")); err != nil {
		t.Fatal(err)
	}
}

// A movedDataCase is a run of trainMovedDataRuns, the data file it alone
// reads and that file's config key.
type movedDataCase struct{ run, file, key string }

func movedDataCases() []movedDataCase {
	return []movedDataCase{
		{"eval", "e.npz", "task.eval_settings.path"},
		{"stage", "s.npz", "train.curriculum[1].settings.path"},
	}
}

// replaceData puts another dataset of the same shape at path, keeping the
// file there as path.orig for restoreData.
func replaceData(t *testing.T, path string) {
	t.Helper()
	if err := os.Rename(path, path+".orig"); err != nil {
		t.Fatal(err)
	}
	writeTinyNPZChoices(t, path, 1)
}

// restoreData puts back the file replaceData kept.
func restoreData(t *testing.T, path string) {
	t.Helper()
	if err := os.Rename(path+".orig", path); err != nil {
		t.Fatal(err)
	}
}

// TestCLIOpenMovedEvalAndStageData: a run moved together with the data
// files of its final evaluation (task.eval_settings.path) or of a
// curriculum stage (train.curriculum[i].settings.path) opens, as one
// moved with its task.settings.path does, taking each file beside the run
// directory when its SHA-256 is the one the checkpoint recorded. Another
// file of that name, or none, is an error naming the checkpoint, the key
// and the missing file.
func TestCLIOpenMovedEvalAndStageData(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	trainMovedDataRuns(t, work)
	for _, c := range movedDataCases() {
		run := filepath.Join("moved", c.run)
		rnntrain(t, work, "eval", "-checkpoint", run).want(t, 0)
		data := filepath.Join(work, "moved", c.file)
		replaceData(t, data)
		rnntrain(t, work, "eval", "-checkpoint", run).want(t, 1, run+"/checkpoint.safetensors", "proj/"+c.file, c.key, "SHA-256")
		if err := os.Remove(data); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, work, "eval", "-checkpoint", run).want(t, 1, run+"/checkpoint.safetensors", "proj/"+c.file, c.key, "missing")
		restoreData(t, data)
	}
}

// TestCLIResumeMovedEvalAndStageData: a run moved together with the data
// file of its final evaluation (task.eval_settings.path) or of a
// curriculum stage (train.curriculum[i].settings.path) resumes, as one
// moved with its task.settings.path does: each file beside the run
// directory is taken when its SHA-256 is the one the checkpoint recorded,
// stderr says so, and config.json then names it. Another file of that
// name is an error naming the checkpoint, the key and the missing file.
func TestCLIResumeMovedEvalAndStageData(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	trainMovedDataRuns(t, work)
	for _, c := range movedDataCases() {
		run := filepath.Join("moved", c.run)
		data := filepath.Join(work, "moved", c.file)
		replaceData(t, data)
		r := rnntrain(t, work, "train", "-resume", run, "-steps", "3", "-quiet")
		r.want(t, 1, run+"/checkpoint.safetensors", "proj/"+c.file, c.key, "SHA-256")
		if strings.Contains(r.stderr, "-data") {
			t.Errorf("the error names -data, which the resume was not given:\n%s", r.stderr)
		}
		restoreData(t, data)
		rnntrain(t, work, "train", "-resume", run, "-steps", "3", "-quiet").want(t, 0, "stopped at step 3", c.key, "moved/"+c.file)
		cfg, err := os.ReadFile(filepath.Join(work, run, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(cfg), strconv.Quote(data)) {
			t.Errorf("config.json of the resumed run does not name the data file it was resumed on, %s:\n%s", data, cfg)
		}
		rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet").want(t, 0, "stopped at step 4")
		rnntrain(t, work, "eval", "-checkpoint", run).want(t, 0)
	}
}

// TestCLIResumeKeepsDamagedHistory: a resume of a run whose metrics.jsonl
// has a line damaged amid its history keeps the records after that line;
// it cut the file there, and with it every later step of the history.
func TestCLIResumeKeepsDamagedHistory(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "4", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-log-every", "1",
		"-quiet", "-plot-format", "svg", "-out", run).want(t, 0)
	path := filepath.Join(run, "metrics.jsonl")
	lines := bytes.SplitAfter(mustRead(t, path), []byte("\n"))
	damaged := slices.Concat(lines[0], []byte("\x00\x00\x00\n"), bytes.Join(lines[1:], nil))
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-resume", run, "-steps", "6", "-quiet").want(t, 0, "stopped at step 6")
	got := mustRead(t, path)
	if !bytes.HasPrefix(got, damaged) {
		t.Errorf("the resume changed the history up to its checkpoint:\n%s\nwant it to start with\n%s", got, damaged)
	}
	var steps []int
	for line := range bytes.Lines(got) {
		var m metricsLine
		if json.Unmarshal(line, &m) == nil {
			steps = append(steps, m.Step)
		}
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(steps, want) {
		t.Errorf("steps logged %v, want %v", steps, want)
	}
}

// TestCLIResumeNonFinite: a resume from a checkpoint holding a NaN, which
// training never saves, is refused before anything is written, naming the
// file and the tensor; it ran a step, failed it with a NaN loss and
// called that checkpoint the last good one.
func TestCLIResumeNonFinite(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-steps", "2", "-hidden", "8", "-batch", "4", "-eval-trials", "16", "-quiet", "-plot-format", "svg", "-out", run).want(t, 0)
	latest := checkpoints.LatestPath(run)
	c, err := checkpoints.Load(latest)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := c.Tensor("optimizer/leaky.weight_hh.exp_avg_sq")
	if !ok {
		t.Fatalf("%s has no optimizer/leaky.weight_hh.exp_avg_sq", latest)
	}
	w.F32[3] = float32(math.NaN())
	if err := checkpoints.Save(latest, c); err != nil {
		t.Fatal(err)
	}
	metrics := mustRead(t, filepath.Join(run, "metrics.jsonl"))
	rnntrain(t, work, "train", "-resume", run, "-steps", "4", "-quiet").
		want(t, 1, "resume: "+latest, "tensor optimizer/leaky.weight_hh.exp_avg_sq has NaN at [0 3]", "copy an earlier step file of "+filepath.Join(run, "checkpoints"))
	if got := mustRead(t, filepath.Join(run, "metrics.jsonl")); !bytes.Equal(got, metrics) {
		t.Errorf("the refused resume changed metrics.jsonl")
	}
}
