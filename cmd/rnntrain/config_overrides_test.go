package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCheckOverrides: a key of task.eval_settings or of a curriculum
// stage's settings whose value is the zero one, which
// tasks.Settings.Override cannot tell from the key left out, is refused,
// naming the key; any other value, and a stage without settings, is
// taken.
func TestCheckOverrides(t *testing.T) {
	for _, c := range []struct {
		toml string
		want []string // the keys refused, in order
	}{
		{"[task.eval_settings]\ncoherences = [0]\nnoise = 0\nstimulus_ms = 0\nvalidation_fraction = 0\ncatch_fraction = 0.5\n", nil},
		{"[task.eval_settings]\ncatch_fraction = 0\n", nil},
		// An unknown key is the strict decoder's to name, with its hint.
		{"[task.eval_settings]\ncoherence = [2]\nimplicit_contxt = false\n", nil},
		{"[task.eval_settings]\nimplicit_context = false\ncontext_modality = 0\n", []string{
			"task.eval_settings.context_modality: 0 has no effect", "task.eval_settings.implicit_context: false has no effect"}},
		{"[task.eval_settings]\ncue_span = \"default\"\nsplit = \"train\"\nloss = \"mse\"\npath = \"\"\n", []string{
			`task.eval_settings.cue_span: "default" has no effect`, `task.eval_settings.loss: "mse" has no effect`,
			`task.eval_settings.path: "" has no effect`, `task.eval_settings.split: "train" has no effect`}},
		{"[[train.curriculum]]\n[[train.curriculum]]\nsettings = { steps = 0, bits = 2 }\n", []string{
			"train.curriculum[1].settings.steps: 0 has no effect: an override applies only the values it can tell from the key left out"}},
		{"[train]\ncurriculum = [{ settings = { fixation_cue = \"default\" } }]\n", []string{`train.curriculum[0].settings.fixation_cue: "default" has no effect`}},
		// Values the strict decoder refuses are left to it.
		{"[task.eval_settings]\ncue_span = \"sometimes\"\nsteps = \"x\"\n", nil},
	} {
		obj, err := decodeTOML([]byte(c.toml))
		if err != nil {
			t.Fatalf("%q: %v", c.toml, err)
		}
		err = checkOverrides(obj)
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%q: %v, want no error", c.toml, err)
			}
			continue
		}
		if _, ok := err.(usageError); !ok {
			t.Errorf("%q: error %v (%T), want a usage error", c.toml, err, err)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(c.want) {
			t.Errorf("%q: %d errors, want %d:\n%v", c.toml, len(lines), len(c.want), err)
			continue
		}
		for i, w := range c.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%q: error %q, want one beginning %q", c.toml, lines[i], w)
			}
		}
	}
}

// TestCLIOverrideZero: a task.eval_settings catch_fraction = 0 under a
// run's 0.5 gives a final evaluation without catch trials (every one of
// its trials scored), while the evaluation during training, of the run's
// task, names the trials it scored, fewer than it drew; a context_modality = 0 under a run's 1, which the
// evaluation could not apply, is refused, naming the file and the key,
// before anything is trained.
func TestCLIOverrideZero(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeSpec(t, dir, "catch.toml", "[task]\nname = \"perceptual-dm\"\n[task.settings]\ncatch_fraction = 0.5\n[task.eval_settings]\ncatch_fraction = 0\n")
	r := rnntrain(t, dir, "train", "-config", "catch.toml", "-steps", "1", "-hidden", "4", "-batch", "2", "-eval-trials", "40", "-out", "catch")
	r.want(t, 0, "on 1000 fresh trials (task perceptual-dm")
	if !regexp.MustCompile(`last evaluation during training: accuracy \S+ on (1\d|2\d) fresh trials`).MatchString(r.stdout) {
		t.Errorf("the evaluation during training of a task with half catch trials does not name some 10–29 scored trials of its 40:\n%s", r.stdout)
	}
	writeSpec(t, dir, "ctx.toml", "[task]\nname = \"context-dm\"\npreset = \"neurogym\"\n[task.settings]\nimplicit_context = true\ncontext_modality = 1\n[task.eval_settings]\ncontext_modality = 0\n")
	rnntrain(t, dir, "train", "-config", "ctx.toml", "-steps", "1", "-out", "run").want(t, 2,
		"config ctx.toml: task.eval_settings.context_modality: 0 has no effect", "the final evaluation would keep the run's context_modality")
	if _, err := os.Stat(filepath.Join(dir, "run")); err == nil {
		t.Error("a refused run left its directory")
	}
}

// TestCLIUnusedOverrideSettings: a setting of task.eval_settings or of a
// curriculum stage that the task does not take is named by its own key,
// and a stage of another preset is refused only for its own settings.
func TestCLIUnusedOverrideSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ name, toml, want string }{
		{"eval", "[task]\nname = \"go-nogo\"\n[task.eval_settings]\ncatch_fraction = 0\n",
			"task.eval_settings.catch_fraction: task go-nogo (default preset neurogym) does not take this setting ('rnntrain tasks go-nogo' lists"},
		{"stage", "[task]\nname = \"perceptual-dm\"\n[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\ntask = \"go-nogo\"\nsettings = { catch_fraction = 0.2 }\n",
			"train.curriculum[1].settings.catch_fraction: task go-nogo (default preset neurogym) does not take this setting"},
		// A stage of another preset starts from that preset's settings,
		// not the run's (whose periods and scales the run's preset filled in).
		{"preset", "[task]\nname = \"perceptual-dm\"\n[task.settings]\nfixation_ms = 200\n[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\npreset = \"psychrnn\"\nsettings = { catch_fraction = 0.2 }\n",
			"train.curriculum[1].settings.catch_fraction: task perceptual-dm (preset psychrnn) does not take this setting"},
	} {
		refusedConfig(t, dir, c.name, c.toml, c.want)
	}
}

// TestCLIStageOfAnotherPreset: a curriculum stage naming another preset of
// the run's task trains that preset's trials (valente's 75 steps after
// dubreuil's 51), not the run's preset's with the stage's name.
func TestCLIStageOfAnotherPreset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeSpec(t, dir, "stages.toml", "[task]\nname = \"perceptual-dm\"\n[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\npreset = \"valente\"\n")
	rnntrain(t, dir, "train", "-config", "stages.toml", "-steps", "2", "-hidden", "4", "-batch", "2", "-eval-trials", "4", "-out", "run").
		want(t, 0, "curriculum  2 stages of 51, 75 steps per trial")
}

// TestCLISplitHeldOut: held out means never trained on. A run's task
// settings, or a curriculum stage's, that name a held-out split are
// refused, and so is a task.eval_settings split, which the final
// evaluation (always the validation split) would not apply, and a new
// assignment of the data file's trials to the splits by either; eval
// -split scores the others.
func TestCLISplitHeldOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyNPZ(t, filepath.Join(dir, "d.npz"))
	const task = "[task]\nname = \"npz\"\n[task.settings]\npath = \"d.npz\"\ntest_fraction = 0.2\n"
	for _, c := range []struct{ name, toml, want string }{
		{"settings", task + "split = \"test\"\n", "task.settings.split: test: training draws its trials from the train split; the test split is held out"},
		{"stage", task + "[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\nsettings = { split = \"validation\" }\n",
			"train.curriculum[1].settings.split: validation: training draws its trials from the train split"},
		{"eval", task + "[task.eval_settings]\nsplit = \"test\"\n", "task.eval_settings.split: test has no effect: the final evaluation scores the validation split"},
		// Nor may they assign the file's trials to the splits anew.
		{"resplit", task + "[task.eval_settings]\nvalidation_fraction = 0.5\n",
			"task.eval_settings.validation_fraction: assigns the data file's trials to the splits anew, so the final evaluation could score trials the run trained on"},
		{"stage-seed", task + "[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\nsettings = { split_seed = 4 }\n",
			"train.curriculum[1].settings.split_seed: assigns the data file's trials to the splits anew"},
	} {
		refusedConfig(t, dir, c.name, c.toml, c.want)
	}
}

// TestCLIKeysExactCase: a config key in another case than its name, which
// encoding/json would take, is refused naming the key and the name, in
// every table.
func TestCLIKeysExactCase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, c := range map[string]struct{ toml, want string }{
		"settings": {"[task.settings]\nCatch_Fraction = 0.5\n", `unknown key "task.settings.Catch_Fraction"; did you mean "task.settings.catch_fraction"?`},
		"train":    {"[train]\nSteps = 3\n", `unknown key "train.Steps"; did you mean "train.steps"?`},
		"stage":    {"[train]\neval_every = 1\n[[train.curriculum]]\n[[train.curriculum]]\nsettings = { Noise = 0.1 }\n", `unknown key "train.curriculum[1].settings.Noise"; did you mean "train.curriculum[1].settings.noise"?`},
	} {
		refusedConfig(t, dir, name, c.toml, c.want)
	}
}

// refusedConfig writes toml to dir/name.toml and checks that train refuses
// it as a usage error whose message, after the file's name, begins with
// want, before training into dir/name.
func refusedConfig(t *testing.T, dir, name, toml, want string) {
	t.Helper()
	writeSpec(t, dir, name+".toml", toml)
	rnntrain(t, dir, "train", "-config", name+".toml", "-steps", "2", "-out", name).want(t, 2, "config "+name+".toml: "+want)
}
