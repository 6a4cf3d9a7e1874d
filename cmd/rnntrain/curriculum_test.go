package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// TestCLICurriculum runs the match-to-sample shaping recipe's layout from
// one TOML file: three stages that override task.settings.delay_max_ms,
// advancing at a threshold every network passes, so each held-out
// evaluation moves to the next stage. The run directory records the
// curriculum, metrics.jsonl the stage of every line, and a stage with a
// setting its task does not take is a usage error naming the key.
func TestCLICurriculum(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cfg := `seed = 2
[task]
name = "match-to-sample"
preset = "dubreuil"
[model]
hidden = 8
[train]
steps = 7
batch_size = 4
eval_every = 2
eval_trials = 8
log_every = 1
advance_threshold = 0.01
[[train.curriculum]]
settings = { delay_max_ms = 700 }
[[train.curriculum]]
settings = { delay_max_ms = 1000 }
[[train.curriculum]]
settings = { delay_max_ms = 4000 }
`
	file := filepath.Join(work, "dms.toml")
	os.WriteFile(file, []byte(cfg), 0o644)
	run := filepath.Join(work, "run")
	// Stage lengths: 5 + 25 + 25…(34, 49, 199) + 25 + 50 steps (dms.py
	// floors U(500, max) ms, which excludes max, into 20 ms steps).
	r := rnntrain(t, work, "train", "-config", file, "-out", run)
	r.want(t, 0, "curriculum  3 stages of 130–139, 130–154, 130–304 steps", "stopped at step 7")
	// The step lines (at every evaluation) name the stage, as
	// metrics.jsonl does.
	for _, want := range []string{`step 2/7 .* validation \S+  stage 0  `, `step 4/7 .* validation \S+  stage 1  `, `step 6/7 .* validation \S+  stage 2  `} {
		if !regexp.MustCompile(want).MatchString(r.stderr) {
			t.Errorf("no step line matches %q:\n%s", want, r.stderr)
		}
	}
	var got runConfig
	b, _ := os.ReadFile(filepath.Join(run, "config.json"))
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Train.Curriculum) != 3 || *got.Train.Curriculum[2].Settings.DelayMaxMS != 4000 {
		t.Errorf("config.json curriculum: %s", b)
	}
	f, err := os.Open(filepath.Join(run, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stages []int
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var m metricsLine
		json.Unmarshal(sc.Bytes(), &m)
		stages = append(stages, m.Stage)
	}
	// Evaluations after steps 2 and 4 advance; the steps after them run
	// the next stage.
	if want := []int{0, 0, 1, 1, 2, 2, 2}; !slices.Equal(stages, want) {
		t.Errorf("stage per logged step %v, want %v", stages, want)
	}
	// Stages of one trial length give it once, not as a range.
	same := filepath.Join(work, "same.toml")
	os.WriteFile(same, []byte("[task]\nname = \"context-dm\"\n[model]\nhidden = 8\n[train]\nsteps = 2\neval_every = 1\neval_trials = 8\n"+
		"[[train.curriculum]]\ntask = \"multisensory\"\n[[train.curriculum]]\nsettings = {}\n"), 0o644)
	rnntrain(t, work, "train", "-config", same, "-out", filepath.Join(work, "same")).want(t, 0, "curriculum  2 stages of 68, 68 steps per trial")
	bad := filepath.Join(work, "bad.toml")
	os.WriteFile(bad, []byte(cfg+"[[train.curriculum]]\nsettings = { bits = 3 }\n"), 0o644)
	rnntrain(t, work, "train", "-config", bad).want(t, 2, "train.curriculum[3]", "bits")
}

// TestCLIEvalSettings trains perceptual-dm with the valente preset and
// evaluates it on rdm.py's psychometric coherences, which include 0.
func TestCLIEvalSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	file := filepath.Join(work, "rdm.toml")
	os.WriteFile(file, []byte(`[task.eval_settings]
coherences = [-4, -1, -0.2, 0, 0.2, 1, 4]
`), 0o644)
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-preset", "valente", "-config", file, "-steps", "2", "-hidden", "8", "-eval-trials", "16", "-out", run).want(t, 0, "coh=+0 ", "coh=-0.2")
	if _, err := os.Stat(filepath.Join(run, "plots", "psychometric.png")); err != nil {
		t.Errorf("no psychometric curve: %v", err)
	}
	os.WriteFile(file, []byte("[task.eval_settings]\nnoise = -1\n"), 0o644)
	rnntrain(t, work, "train", "-task", "perceptual-dm", "-config", file).want(t, 2, "task.eval_settings", "noise")
}

// TestCLICurriculumDt: the network's leak α = dt/τ and its decays
// exp(−dt/τ) come from the run's task's dt, so a curriculum stage whose
// task steps by another dt (a setting, or another task of the same sizes)
// and a task.eval_settings dt_ms other than the run's are usage errors
// naming the config file, the key and both steps, before a run directory
// is made; so is a stage whose task has other inputs or outputs.
func TestCLICurriculumDt(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		name, toml string
		args       []string
		want       []string
	}{
		{"setting", "[task]\nname = \"match-to-sample\"\n[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = { dt_ms = 10 }\n",
			nil, []string{"setting.toml: train.curriculum[1]: its task match-to-sample has dt_ms = 10, the run's task match-to-sample has dt_ms = 20", "give the stage's settings dt_ms = 20"}},
		{"task", "[task]\nname = \"go-nogo\"\n[[train.curriculum]]\ntask = \"ready-set-go\"\n",
			[]string{"-model", "lif"}, []string{"task.toml: train.curriculum[0]: its task ready-set-go has dt_ms = 80, the run's task go-nogo has dt_ms = 100"}},
		// A stage of other sizes is refused the same way, with all that
		// differs, not only the first.
		{"sizes", "[task]\nname = \"context-dm\"\n[[train.curriculum]]\ntask = \"multisensory\"\npreset = \"valente\"\n",
			nil, []string{"sizes.toml: train.curriculum[0]: its task multisensory has 2 inputs, the run's task context-dm has 4 inputs", "give the stage a task of the run's task's sizes"}},
		{"sizes and dt", "[task]\nname = \"context-dm\"\n[[train.curriculum]]\n[[train.curriculum]]\ntask = \"flip-flop\"\n",
			nil, []string{"sizes and dt.toml: train.curriculum[1]: its task flip-flop has 3 inputs, 3 outputs and dt_ms = 100, the run's task context-dm has 4 inputs, 1 output and dt_ms = 20"}},
		{"eval", "[task]\nname = \"context-dm\"\n[task.eval_settings]\ndt_ms = 10\n",
			nil, []string{"eval.toml: task.eval_settings: dt_ms = 10", "run's task context-dm has dt_ms = 20"}},
		// So is a task.eval_settings the final task cannot be built
		// with, before the run directory is made, not after.
		{"eval task", "[task]\nname = \"context-dm\"\n[task.eval_settings]\nstimulus_ms = 5\n",
			nil, []string{"eval task.toml: task.eval_settings: tasks: context-dm (default preset dubreuil): stimulus_ms = 5 is shorter than one step of dt_ms = 20"}},
	} {
		file := filepath.Join(work, c.name+".toml")
		os.WriteFile(file, []byte(c.toml+"[model]\nhidden = 8\n[train]\nsteps = 1\nbatch_size = 2\neval_trials = 4\n"), 0o644)
		out := filepath.Join(work, c.name)
		args := append([]string{"train", "-config", file, "-out", out}, c.args...)
		rnntrain(t, work, args...).want(t, 2, c.want...)
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: refused run left %s", c.name, out)
		}
	}
	// A stage that gives the run's dt explicitly trains.
	same := filepath.Join(work, "same.toml")
	os.WriteFile(same, []byte("[task]\nname = \"context-dm\"\n[model]\nhidden = 8\n[train]\nsteps = 1\nbatch_size = 2\neval_trials = 4\n"+
		"[[train.curriculum]]\nsettings = { dt_ms = 20 }\n"), 0o644)
	rnntrain(t, work, "train", "-config", same, "-out", filepath.Join(work, "same")).want(t, 0, "stopped at step 1")
}
