package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rnntrain/rnntrain/autodiff/surrogate"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
)

// TestCLISpikingModels trains each spiking model for a few steps through
// the command, with its flags and the firing-rate penalties, and checks
// that every flag reached the run's config.json.
func TestCLISpikingModels(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		model string
		flags []string
		want  map[string]any // model keys in config.json
	}{
		{"lif", []string{"-tau-mem", "50", "-tau-syn", "10", "-threshold", "0.8", "-reset", "zero", "-refractory", "2", "-train-tau", "-surrogate", "FastSigmoid(k=25)",
			"-encoding", "poisson", "-encoding-gain", "0.5", "-readout", "leaky", "-readout-tau", "30"},
			map[string]any{"tau_mem_ms": 50.0, "tau_syn_ms": 10.0, "threshold": 0.8, "reset": "zero", "refractory_steps": 2.0, "train_tau": true, "surrogate": "FastSigmoid(k=25)",
				"encoding": "poisson", "encoding_gain": 0.5, "readout": "leaky", "readout_tau_ms": 30.0}},
		{"alif", []string{"-tau-adapt", "300", "-adapt", "0.5", "-input-gain", "2", "-encoding", "delta", "-encoding-threshold", "0.05", "-beta", "0.95", "-reset-grad"},
			map[string]any{"tau_adapt_ms": 300.0, "adapt_strength": 0.5, "input_gain": 2.0, "surrogate": "ArcTan(alpha=2)",
				"encoding": "delta", "encoding_threshold": 0.05, "readout": "linear", "beta": 0.95, "reset_grad": true}},
		{"ltc", []string{"-threshold", "0.2", "-surrogate", "MultiGaussian", "-reset-grad"},
			map[string]any{"threshold": 0.2, "surrogate": "MultiGaussian(width=0.3, height=0.15, scale=6, gamma=0.5)", "encoding": "none", "readout_tau_ms": 20.0, "reset_grad": true}},
	} {
		run := filepath.Join(work, c.model)
		args := append([]string{"train", "-model", c.model, "-steps", "4", "-out", run,
			"-rate-l1", "0.01", "-rate-target", "0.05", "-rate-target-reg", "0.1"}, small...)
		rnntrain(t, work, append(args, c.flags...)...).want(t, 0, "model  "+c.model, "stopped at step 4")
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Model map[string]any `json:"model"`
			Train struct {
				Regularization map[string]float64 `json:"regularization"`
			} `json:"train"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			t.Fatal(err)
		}
		for k, v := range c.want {
			if cfg.Model[k] != v {
				t.Errorf("%s: model.%s = %v, want %v", c.model, k, cfg.Model[k], v)
			}
		}
		if _, err := os.Stat(filepath.Join(run, "plots", "raster.png")); err != nil {
			t.Errorf("%s: no spike raster: %v", c.model, err)
		}
		m, err := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{`"rate_hz"`, `"silent_units"`, `"activity_sparsity"`} {
			if !strings.Contains(string(m), f) {
				t.Errorf("%s: metrics.jsonl lacks the figure %s", c.model, f)
			}
		}
		// Evaluation draws the Poisson inputs from the run's seed: the same
		// outputs twice.
		ev := func() string {
			r := rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "8", "-json")
			r.want(t, 0)
			return r.stdout
		}
		if a, b := ev(), ev(); a != b {
			t.Errorf("%s: two evaluations differ:\n%s\n%s", c.model, a, b)
		}
		r := cfg.Train.Regularization
		if r["l1_rate"] != 0.01 || r["rate_target"] != 0.05 || r["l2_rate_target"] != 0.1 {
			t.Errorf("%s: regularization %v lacks the rate penalties", c.model, r)
		}
	}
	rnntrain(t, work, "train", "-model", "lif", "-surrogate", "Bogus", "-steps", "1", "-out", filepath.Join(work, "bad")).
		want(t, 2, "Bogus")
	rnntrain(t, work, "train", "-model", "lif", "-surrogate", "Triangle(gamma=Inf)", "-steps", "1", "-out", filepath.Join(work, "bad")).
		want(t, 2, "-surrogate", "gamma", "finite")
	rnntrain(t, work, "train", "-model", "gru", "-tau-mem", "5", "-steps", "1", "-out", filepath.Join(work, "bad")).
		want(t, 2, "tau_mem_ms")
	rnntrain(t, work, "train", "-model", "lif", "-encoding", "morse", "-steps", "1", "-out", filepath.Join(work, "bad")).
		want(t, 2, "morse")
	rnntrain(t, work, "train", "-model", "lif", "-readout-tau", "-1", "-steps", "1", "-out", filepath.Join(work, "bad")).
		want(t, 2, "readout_tau_ms")
}

// TestCLISpikingDefaultsFire: lif and alif with their defaults on the
// default task fire at a few Hz in the first batch, with few units silent
// (with input_gain 1, the earlier default, lif started at 0.07 Hz with
// 77 % of its units silent). The run is one step of seed 1: no timing and
// no accuracy is checked.
func TestCLISpikingDefaultsFire(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, model := range []string{"lif", "alif"} {
		run := filepath.Join(work, model)
		rnntrain(t, work, "train", "-model", model, "-steps", "1", "-eval-every", "0", "-eval-trials", "100", "-out", run).
			want(t, 0, "input_gain=4", "stopped at step 1")
		b, err := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(b), "\n")
		var m struct {
			Step    int                `json:"step"`
			Figures map[string]float64 `json:"figures"`
		}
		if err := json.Unmarshal([]byte(first), &m); err != nil {
			t.Fatalf("%s: metrics.jsonl's first line %q: %v", model, first, err)
		}
		// At dt = 20 ms a unit fires at most 50 Hz; 1–30 Hz is a sane start.
		if r := m.Figures["rate_hz"]; !(r >= 1 && r <= 30) {
			t.Errorf("%s: initial rate_hz = %g (step %d), want 1 … 30", model, r, m.Step)
		}
		if s := m.Figures["silent_units"]; !(s <= 0.2) {
			t.Errorf("%s: initial silent_units = %g (step %d), want ≤ 0.2", model, s, m.Step)
		}
	}
}

// TestCLISpikingRecordingSnippet trains an alif net for a few steps,
// records it with eval -record and runs the README's numpy example on the
// recording (with Debian's python3 and numpy), checking the shapes and
// values it documents.
func TestCLISpikingRecordingSnippet(t *testing.T) {
	t.Parallel()
	const py = "/usr/bin/python3"
	if out, err := exec.Command(py, "-c", "import numpy").CombinedOutput(); err != nil {
		t.Skipf("skipping: %s cannot import numpy (apt-get install python3-numpy): %v %s", py, err, out)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	snippet := regexp.MustCompile("(?s)```python\n(import numpy as np\nd = np\\.load\\(\"rec\\.npz\"\\)\nz, v, a = .*?)```").FindSubmatch(readme)
	if snippet == nil {
		t.Fatal("README has no numpy example opening a spiking recording (z, v, a = ...)")
	}
	work := t.TempDir()
	run := filepath.Join(work, "alif")
	rnntrain(t, work, append([]string{"train", "-model", "alif", "-steps", "3", "-out", run}, small...)...).want(t, 0, "stopped at step 3")
	if _, err := os.Stat(filepath.Join(run, "plots", "raster.png")); err != nil {
		t.Errorf("no spike raster: %v", err)
	}
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "20", "-record", filepath.Join(work, "rec.npz")).want(t, 0, "recorded 20")
	check := `
T = z.shape[1]
assert z.shape == v.shape == a.shape and z.shape[0] == 20 and z.shape[2] == 24, z.shape
assert set(np.unique(z)) <= {0.0, 1.0}
assert rate_hz.shape == (24,) and np.all(np.isfinite(rate_hz)) and np.all(rate_hz >= 0)
assert len(unit) == len(step) == int(z[0].sum()) and np.all(step < T) and np.all(unit < 24)
print("ok", len(unit), "spikes in trial 0")
`
	cmd := exec.Command(py, "-c", string(snippet[1])+check)
	cmd.Dir = work
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "ok ") {
		t.Errorf("README spiking recording example: %v\n%s", err, out)
	}
}

// TestCLIUnusedSettings checks that a setting given by a flag or a TOML
// file that the rest of the config leaves without effect is refused,
// naming it and what it needs, rather than ignored.
func TestCLIUnusedSettings(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	out := filepath.Join(work, "run")
	for _, c := range []struct {
		args []string
		toml string
		want string
	}{
		{[]string{"-model", "lif", "-encoding-gain", "0.5"}, "", "-encoding-gain (model.encoding_gain in a config file): has no effect without model.encoding = poisson"},
		{[]string{"-model", "lif", "-encoding", "poisson", "-encoding-threshold", "0.2"}, "", "-encoding-threshold (model.encoding_threshold in a config file): has no effect without model.encoding = delta"},
		{[]string{"-model", "alif", "-readout-tau", "30"}, "", "-readout-tau (model.readout_tau_ms in a config file): has no effect without model.readout = leaky"},
		{[]string{"-model", "ltc", "-rate-target", "0.1"}, "", "-rate-target (train.regularization.rate_target in a config file): has no effect without train.regularization.l2_rate_target > 0"},
		{[]string{"-model", "egru", "-activity-target", "0.1"}, "", "-activity-target (model.activity_target in a config file): has no effect without model.activity_reg > 0"},
		{[]string{"-clip", "0", "-clip-mode", "per-tensor"}, "", "-clip-mode (train.clip_mode in a config file): has no effect without train.clip_norm > 0"},
		{nil, "[train]\nclip_norm = 0\nclip_mode = \"per-tensor\"\n", "c.toml: train.clip_mode: has no effect without train.clip_norm > 0"},
		// A negative value of the setting that turns another on is refused
		// as negative, not as leaving the other without effect.
		{[]string{"-clip", "-1", "-clip-mode", "per-tensor"}, "", "-clip (train.clip_norm in a config file): must be ≥ 0 and finite"},
		{[]string{"-rate-target-reg", "-1", "-rate-target", "0.1"}, "", "-rate-target-reg (train.regularization.l2_rate_target in a config file): -1 must be finite and non-negative"},
		{[]string{"-model", "egru", "-activity-reg", "-1", "-activity-target", "0.1"}, "", "-activity-reg (model.activity_reg in a config file): -1 must be finite and non-negative"},
		{nil, "[model]\nkind = \"alif\"\nbeta = 0.9\ntau_mem_ms = 30\n", "c.toml: model.tau_mem_ms: has no effect with model.beta > 0"},
		{nil, "[model]\nkind = \"lif\"\nencoding_threshold = 0.3\n", "c.toml: model.encoding_threshold: has no effect without model.encoding = delta"},
		// Sizes and step come from the task: a lif net's decays use its dt.
		{nil, "[model]\nkind = \"lif\"\ndt_ms = 5\n", "model.dt_ms: has no effect in a config file (the network takes the task's step, task.settings.dt_ms)"},
		{nil, "[model]\ninputs = 7\noutputs = 3\n", "model.inputs: has no effect in a config file (the network takes its inputs from the task)"},
		{nil, "[task.settings]\ndt_ms = 10\n[model]\nkind = \"alif\"\n", ""},
		// The file's setting takes effect with the flag that turns it on.
		{[]string{"-encoding", "delta"}, "[model]\nkind = \"lif\"\nencoding_threshold = 0.3\n", ""},
		{[]string{"-model", "lif", "-encoding", "poisson", "-encoding-gain", "0.5", "-readout", "leaky", "-readout-tau", "30",
			"-rate-target", "0.1", "-rate-target-reg", "0.1"}, "", ""},
		{[]string{"-model", "egru", "-activity-target", "0.1", "-activity-reg", "0.5"}, "", ""},
		// Training keys of another schedule, optimizer or trainer.
		{nil, "[train.schedule]\nkind = \"cosine\"\ngamma = 0.5\n", "train.schedule.gamma: has no effect without train.schedule.kind = step"},
		{nil, "[train.schedule]\nmin_lr = 1e-5\n", "train.schedule.min_lr: has no effect without train.schedule.kind = cosine"},
		{nil, "[train.optimizer]\nmomentum = 0.9\n", "train.optimizer.momentum: has no effect without train.optimizer.kind = sgd"},
		{nil, "[train.optimizer]\nnesterov = true\n", "train.optimizer.nesterov: has no effect without train.optimizer.kind = sgd"},
		{[]string{"-optimizer", "sgd"}, "[train.optimizer]\nbeta2 = 0.99\n", "train.optimizer.beta2: has no effect with train.optimizer.kind = sgd"},
		{[]string{"-parts", "4"}, "", "-parts (train.fptt.parts in a config file): has no effect without train.trainer = fptt"},
		{nil, "[train.fptt]\nrho = 0.5\n", "train.fptt.rho: has no effect without train.trainer = fptt"},
		{[]string{"-trainer", "fptt"}, "[train.fptt]\nprior_after = 5\n", "c.toml: train.fptt.prior_after: has no effect without train.fptt.loss = progressive"},
		{[]string{"-trainer", "fptt"}, "[train.fptt]\nprior_after = 5\nloss = \"progressive\"\n", ""},
		{nil, "[train]\nadvance_threshold = 0.5\n", "c.toml: train.advance_threshold: has no effect without a train.curriculum of two stages or more"},
		{[]string{"-steps", "2", "-eval-every", "1"}, "[train]\nadvance_threshold = 0.5\n[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = {}\n", ""},
		// A curriculum that no evaluation before the last step can advance.
		{nil, "[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = {}\n", "-steps (train.steps in a config file): a run of 1 step cannot evaluate before its last step"},
		{[]string{"-steps", "3", "-eval-every", "3"}, "[[train.curriculum]]\nsettings = {}\n[[train.curriculum]]\nsettings = {}\n", "-eval-every (train.eval_every in a config file): 3 leaves the 2 curriculum stages (train.curriculum) without a held-out evaluation before the last of the 3 steps"},
		{[]string{"-schedule", "step", "-steps", "2"}, "[train.schedule]\nstep_size = 1\ngamma = 0.5\n", ""},
		{[]string{"-optimizer", "sgd"}, "[train.optimizer]\nmomentum = 0.9\n", ""},
		{[]string{"-trainer", "fptt", "-parts", "4"}, "", ""},
		// keep_best without an evaluation before the last step.
		{[]string{"-keep-best", "-eval-every", "0"}, "", "-keep-best (train.keep_best in a config file): has no effect without a held-out evaluation before the last step"},
		{nil, "[train]\nkeep_best = true\n", "c.toml: train.keep_best: has no effect without a held-out evaluation"},
		{[]string{"-keep-best=false", "-eval-every", "0"}, "", ""},
		// A warm-up or a first decay that the run's steps cut short.
		{[]string{"-warmup", "2"}, "", "-warmup (train.schedule.warmup_steps in a config file): 2 warm-up steps are more than the run's 1 (-steps, train.steps)"},
		{[]string{"-schedule", "step"}, "[train.schedule]\nstep_size = 100\ngamma = 0.5\n", "c.toml: train.schedule.step_size: the first decay, at update 100 (warmup_steps + step_size, from 0), comes after the run's last, 0"},
		{[]string{"-schedule", "step", "-warmup", "1", "-steps", "2"}, "[train.schedule]\nstep_size = 1\n", "train.schedule.step_size: the first decay, at update 2"},
		{[]string{"-warmup", "1"}, "", ""},
		// A cosine schedule's floor above the rate (the leaky model's default 3e-3, or -lr).
		{[]string{"-schedule", "cosine"}, "[train.schedule]\nmin_lr = 0.01\n", "c.toml: train.schedule.min_lr: 0.01 is above the run's learning rate 0.003"},
		{[]string{"-schedule", "cosine", "-lr", "0.02"}, "[train.schedule]\nmin_lr = 0.01\n", ""},
	} {
		args := append([]string{"train", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-out", out}, c.args...)
		if c.toml != "" {
			file := filepath.Join(work, "c.toml")
			if err := os.WriteFile(file, []byte(c.toml), 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, "-config", file)
		}
		if c.want == "" {
			rnntrain(t, work, args...).want(t, 0, "stopped at step ")
		} else {
			rnntrain(t, work, args...).want(t, 2, c.want)
		}
		os.RemoveAll(out)
	}
}

// TestCLIWindowsKeepReadoutAndEncoding checks that a sequence split into
// parts (here by a connection lesion's window, as truncated BPTT splits it
// into windows) runs as one pass with a leaky readout and delta or Poisson
// inputs: cutting a connection the net does not have (an autapse, with
// -no-autapses) in a window changes nothing, with the model's noise (the
// same before and after) or without. The Poisson spikes of the parts
// continue one stream, as one pass draws them: each part starting the
// seed's stream afresh (without noise), or drawing its spikes and its noise
// from the noise stream in turn (with noise), drew other spikes.
func TestCLIWindowsKeepReadoutAndEncoding(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, enc := range []string{"delta", "poisson"} {
		run := filepath.Join(work, enc)
		rnntrain(t, work, "train", "-model", "lif", "-readout", "leaky", "-readout-tau", "200", "-encoding", enc,
			"-no-autapses", "-input-gain", "5", "-threshold", "0.3", "-steps", "20", "-hidden", "16", "-batch", "8",
			"-eval-every", "0", "-eval-trials", "16", "-out", run).want(t, 0, "stopped at step 20")
		for _, noise := range []string{"-noise=false", "-noise=true"} {
			r := rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "200", "-cut", "0:0", "-window", "stimulus", noise, "-json")
			r.want(t, 0)
			var res struct {
				Before, After struct {
					Accuracy     float64
					Psychometric []struct {
						P float64 `json:"p_choice1"`
					}
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			if res.Before.Accuracy != res.After.Accuracy || len(res.Before.Psychometric) == 0 {
				t.Errorf("%s %s: a cut of no connection changed the accuracy from %g to %g (psychometric %v → %v)",
					enc, noise, res.Before.Accuracy, res.After.Accuracy, res.Before.Psychometric, res.After.Psychometric)
			}
			for i := range res.Before.Psychometric {
				if b, a := res.Before.Psychometric[i].P, res.After.Psychometric[i].P; b != a {
					t.Errorf("%s %s: psychometric point %d: %g before, %g after a cut of no connection", enc, noise, i, b, a)
				}
			}
		}
	}
}

// TestCLIMaskRefusesNonFinite checks that a connectivity mask holding NaN
// or an infinity, which would count as "connected", is refused, naming
// the key, the file and where.
func TestCLIMaskRefusesNonFinite(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	m := make([]float64, 8*8)
	for i := range m {
		m[i] = 1
	}
	m[8*2+5] = math.NaN()
	path := filepath.Join(work, "mask.npy")
	if err := npy.WriteFile(path, npy.Array{Shape: []int{8, 8}, F64: m}); err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"lif", "leaky"} {
		rnntrain(t, work, "train", "-model", model, "-hidden", "8", "-rec-mask", path, "-steps", "1", "-out", filepath.Join(work, model)).
			want(t, 2, "rec_mask", path, "NaN at [2 5]")
	}
}

// TestCLIMaskWrongShapeNamesFlag: a mask file whose shape is not the
// weight's ([N, N] or [N, inputs]) is refused naming the flag that gave it,
// its key, the file and both shapes.
func TestCLIMaskWrongShapeNamesFlag(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	path := filepath.Join(work, "mask.npy")
	if err := npy.WriteFile(path, npy.Array{Shape: []int{7, 7}, F64: make([]float64, 49)}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ model, flag, key, want string }{
		{"lif", "-rec-mask", "rec_mask", "[8 8]"},
		{"alif", "-rec-fixed", "rec_fixed", "[8 8]"},
		{"ltc", "-in-mask", "in_mask", "[8 4]"}, // context-dm has 4 inputs
		{"lif", "-in-fixed", "in_fixed", "[8 4]"},
	} {
		rnntrain(t, work, "train", "-model", c.model, "-hidden", "8", c.flag, path, "-steps", "1", "-out", filepath.Join(work, c.key)).
			want(t, 2, c.flag+" (model."+c.key+" in a config file): "+path+" has shape [7 7], want "+c.want)
	}
}

// TestCLIMaskChangedRefused: a mask file is read again whenever a run is
// loaded, so one changed after training would silently give eval, the
// analyses and a resumed run another network than the one trained. Each
// checkpoint holds the file's SHA-256; eval, plot and resume refuse a
// changed file, naming its key and path, and resume -force continues on
// it, its checkpoints then holding the new file's sum.
func TestCLIMaskChangedRefused(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	path := filepath.Join(work, "mask.npy")
	mask := make([]float64, 8*8)
	for i := range mask {
		mask[i] = 1
	}
	if err := npy.WriteFile(path, npy.Array{Shape: []int{8, 8}, F64: mask}); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-model", "lif", "-hidden", "8", "-rec-mask", path, "-steps", "1", "-batch", "4", "-eval-trials", "8",
		"-quiet", "-plot-format", "png", "-out", run).want(t, 0)
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4").want(t, 0, "accuracy")
	mask[1] = 0 // unit 1 no longer reaches unit 0
	if err := npy.WriteFile(path, npy.Array{Shape: []int{8, 8}, F64: mask}); err != nil {
		t.Fatal(err)
	}
	changed := "model.rec_mask " + path + " has SHA-256 "
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4").want(t, 1, "changed since it was written", changed)
	rnntrain(t, work, "plot", run, "-format", "png").want(t, 1, changed)
	rnntrain(t, work, "train", "-resume", run, "-steps", "2", "-quiet").want(t, 1, changed, "-force")
	rnntrain(t, work, "train", "-resume", run, "-steps", "2", "-quiet", "-force").want(t, 0, "stopped at step 2")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4").want(t, 0, "accuracy")
}

// TestCLIPlotRecordingRaster: plot -recording draws the spike raster of a
// recording of a spiking net (it holds state/z), as a run's plots do, and
// none for a rate model's (TestCLIPlot counts its figures).
func TestCLIPlotRecordingRaster(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "lif")
	rnntrain(t, work, append([]string{"train", "-model", "lif", "-steps", "2", "-quiet", "-out", run}, small...)...).want(t, 0)
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "8", "-record", rec).want(t, 0, "recorded 8")
	rnntrain(t, work, "plot", "-recording", rec).want(t, 0, "trials, raster,")
	if _, err := os.Stat(filepath.Join(work, "rec-plots", "raster.png")); err != nil {
		t.Errorf("plot -recording of a lif recording: no raster: %v", err)
	}
}

// TestCLISpikingRefusesBeyondFloat32: a setting that is finite as a
// float64 but not in the float32 the network computes in (a threshold of
// 1e39 is +Inf there, one of 1e-50 is 0) is refused before the run starts,
// naming the flag, rather than failing at the first step with NaN
// gradients or running with a threshold of 0.
func TestCLISpikingRefusesBeyondFloat32(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-model", "lif", "-threshold", "1e39"}, "-threshold (model.threshold in a config file): got 1e+39, need a value > 0 that float32 holds"},
		{[]string{"-model", "alif", "-threshold", "1e-50"}, "-threshold (model.threshold in a config file): got 1e-50, need a value > 0 that float32 holds"},
		{[]string{"-model", "ltc", "-threshold", "1e39"}, "-threshold (model.threshold in a config file): got 1e+39"},
		{[]string{"-model", "alif", "-adapt", "1e39"}, "-adapt (model.adapt_strength in a config file): got 1e+39"},
		{[]string{"-model", "ltc", "-adapt", "1e39"}, "-adapt (model.adapt_strength in a config file): got 1e+39"},
		{[]string{"-model", "lif", "-input-gain", "1e39"}, "-input-gain (model.input_gain in a config file): got 1e+39"},
		{[]string{"-model", "lif", "-spectral-radius", "1e39"}, "-spectral-radius (model.spectral_radius in a config file): got 1e+39"},
		{[]string{"-model", "alif", "-noise", "1e39"}, "-noise (model.noise in a config file): got 1e+39"},
		{[]string{"-model", "lif", "-surrogate", "ArcTan(alpha=1e39)"}, "-surrogate ArcTan(alpha=1e39): surrogate \"ArcTan(alpha=1e39)\": parameter alpha=\"1e39\" is beyond the range of float32"},
		{[]string{"-model", "ltc", "-surrogate", "Triangle(gamma=1e-300)"}, "parameter gamma=\"1e-300\" is beyond the range of float32"},
		{[]string{"-model", "alif", "-surrogate", "MultiGaussian(width=1e-40)"}, "-surrogate MultiGaussian(width=1e-40): surrogate \"MultiGaussian(width=1e-40)\": its derivative at 0, 2.2e+39, is beyond the range of float32"},
		{[]string{"-model", "lif", "-rate-l1", "1e39"}, "-rate-l1 (train.regularization.l1_rate in a config file): 1e+39 is beyond the range of float32"},
		{[]string{"-model", "lif", "-rate-target-reg", "1e39"}, "-rate-target-reg (train.regularization.l2_rate_target in a config file): 1e+39 is beyond"},
	} {
		args := append([]string{"train", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet", "-out", filepath.Join(work, "run")}, c.args...)
		rnntrain(t, work, args...).want(t, 2, c.want)
	}
	cfg := filepath.Join(work, "ltc.toml")
	if err := os.WriteFile(cfg, []byte("[model]\nkind = \"ltc\"\ntau_mem_bias = 1e308\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", cfg, "-steps", "1", "-hidden", "8", "-out", filepath.Join(work, "run")).
		want(t, 2, "model.tau_mem_bias: got 1e+308, need a finite value that float32 holds")
}

// TestCLISpikeRateTargetAtMostOne: a spiking unit fires at most once per
// step, so a target rate above 1 spike per step, which the penalty could
// never reach, is refused for lif, alif and ltc; a rate model's rates may
// exceed 1 and take it.
func TestCLISpikeRateTargetAtMostOne(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, model := range []string{"lif", "alif", "ltc"} {
		rnntrain(t, work, "train", "-model", model, "-rate-target", "1.5", "-rate-target-reg", "1", "-steps", "1", "-hidden", "8", "-out", filepath.Join(work, model)).
			want(t, 2, "-rate-target (train.regularization.rate_target in a config file): got 1.5 spikes per step, but a unit of the "+model+" model spikes at most once per step")
	}
	cfg := filepath.Join(work, "c.toml")
	if err := os.WriteFile(cfg, []byte("[model]\nkind = \"alif\"\n[train.regularization]\nrate_target = 2\nl2_rate_target = 0.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", cfg, "-steps", "1", "-hidden", "8", "-out", filepath.Join(work, "toml")).want(t, 2, "rate_target", "got 2 spikes per step")
	rnntrain(t, work, "train", "-model", "lif", "-rate-target", "1", "-rate-target-reg", "1", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet",
		"-out", filepath.Join(work, "lif1")).want(t, 0)
	rnntrain(t, work, "train", "-model", "leaky", "-rate-target", "1.5", "-rate-target-reg", "1", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet",
		"-out", filepath.Join(work, "leaky")).want(t, 0)
}

// TestCLILTCFixedThreshold: the ltc layer takes β_a = 0, a threshold fixed
// at b_0, and the command reaches it: -adapt 0 (or adapt_strength = 0 in a
// config file) trains with 0, which config.json keeps and a resumed run
// runs on, while leaving it out gives the default 1.8; alif, for which 0
// would be the lif model, still refuses it.
func TestCLILTCFixedThreshold(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	adapt := func(run string) any {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Model map[string]any `json:"model"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			t.Fatal(err)
		}
		return cfg.Model["adapt_strength"]
	}
	tiny := []string{"-hidden", "8", "-batch", "4", "-eval-trials", "8", "-eval-every", "0", "-quiet", "-plot-format", "png"}
	fixed := filepath.Join(work, "fixed")
	rnntrain(t, work, append([]string{"train", "-model", "ltc", "-adapt", "0", "-steps", "1", "-out", fixed}, tiny...)...).want(t, 0)
	if a := adapt(fixed); a != 0.0 {
		t.Errorf("ltc -adapt 0: config.json adapt_strength = %v, want 0", a)
	}
	rnntrain(t, work, "train", "-resume", fixed, "-steps", "2", "-quiet").want(t, 0)
	if a := adapt(fixed); a != 0.0 {
		t.Errorf("ltc -adapt 0 resumed: config.json adapt_strength = %v, want 0", a)
	}
	cfg := filepath.Join(work, "ltc.toml")
	if err := os.WriteFile(cfg, []byte("[model]\nkind = \"ltc\"\nadapt_strength = 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(work, "file")
	rnntrain(t, work, append([]string{"train", "-config", cfg, "-steps", "1", "-out", file}, tiny...)...).want(t, 0)
	if a := adapt(file); a != 0.0 {
		t.Errorf("ltc adapt_strength = 0 in a config file: config.json adapt_strength = %v, want 0", a)
	}
	def := filepath.Join(work, "default")
	rnntrain(t, work, append([]string{"train", "-model", "ltc", "-steps", "1", "-out", def}, tiny...)...).want(t, 0)
	if a := adapt(def); a != 1.8 {
		t.Errorf("ltc: config.json adapt_strength = %v, want the default 1.8", a)
	}
	rnntrain(t, work, "train", "-model", "alif", "-adapt", "0", "-steps", "1", "-out", filepath.Join(work, "alif")).
		want(t, 2, "-adapt (model.adapt_strength in a config file): 0 would run as the default, 1.8")
}

// TestCLISweepRefusesUnusedAxis: a sweep axis whose key has no effect in a
// point (an encoding_gain axis over a net without the poisson encoding,
// whose points would all train the same network) and a base key the task
// sets (model.dt_ms) are refused before anything runs, naming the point
// and the key; a base key that acts in some points only, beside the axis
// that turns it on, is taken.
func TestCLISweepRefusesUnusedAxis(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const base = "[base.model]\nkind = \"lif\"\nhidden = 8\n%s\n[base.train]\nsteps = 1\nbatch_size = 4\neval_trials = 8\n\n[axes]\n%s\n"
	for i, c := range []struct{ model, axes, want string }{
		{"", `"model.encoding_gain" = [0.5, 2]`, `point p0000-model.encoding_gain=0.5: axes: "model.encoding_gain" = 0.5: has no effect without model.encoding = poisson`},
		{"", `"model.readout_tau_ms" = [10, 30]`, "has no effect without model.readout = leaky"},
		{"dt_ms = 5", `"model.threshold" = [0.5, 1]`, "base: model.dt_ms: has no effect in a config file (the network takes the task's step, task.settings.dt_ms)"},
		{"encoding_gain = 0.5", `"model.encoding" = ["none", "poisson"]`, ""},
	} {
		spec := filepath.Join(work, fmt.Sprintf("spec%d.toml", i))
		if err := os.WriteFile(spec, fmt.Appendf(nil, base, c.model, c.axes), 0o644); err != nil {
			t.Fatal(err)
		}
		r := rnntrain(t, work, "sweep", spec, "-out", filepath.Join(work, fmt.Sprintf("out%d", i)))
		if c.want == "" {
			r.want(t, 0, "2 points run, 0 failed")
		} else {
			r.want(t, 2, c.want)
		}
	}
}

// TestCLIConfigValueErrorsNameKeys: a value a key's type refuses in a
// config file (an unknown reset, surrogate, encoding or readout), which
// the decoder reports without its key, is named by its key and file.
func TestCLIConfigValueErrorsNameKeys(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for i, c := range []struct{ name, text, want string }{
		{"c.toml", "[model]\nkind = \"lif\"\nreset = \"Zero\"\n", `model.reset: unknown reset "Zero"`},
		{"c.toml", "[model]\nkind = \"ltc\"\nsurrogate = \"Bogus(k=1)\"\n", `model.surrogate: surrogate "Bogus(k=1)": unknown name`},
		{"c.json", `{"model": {"kind": "alif", "encoding": "morse"}}`, `model.encoding: unknown encoding "morse"`},
		{"c.json", `{"model": {"kind": "lif", "readout": "spiky"}}`, `model.readout: unknown readout "spiky"`},
		{"c.toml", "[model]\nkind = \"lif\"\nreset = 3\n", "model.reset: cannot use number here (want a string)"},
	} {
		dir := filepath.Join(work, fmt.Sprint(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, c.name)
		if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		rnntrain(t, dir, "train", "-config", file, "-steps", "1", "-out", filepath.Join(dir, "run")).want(t, 2, "config "+file+": "+c.want)
	}
}

// TestCLIRasterEdgeCases: the spike raster of a run and of its recording
// is drawn for a net of one unit that never spikes, on trials of one step
// (an npz dataset with T = 1), as for any other.
func TestCLIRasterEdgeCases(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const trials = 20
	x, y := make([]float32, trials*2), make([]float32, trials)
	for i := range trials {
		x[2*i], x[2*i+1] = float32(i%3)-1, float32(i%5)-2
		if x[2*i]+x[2*i+1] > 0 {
			y[i] = 1
		}
	}
	data := filepath.Join(work, "one-step.npz")
	if err := npy.WriteArchive(data, []string{"inputs", "targets"}, []npy.Array{
		{Shape: []int{trials, 1, 2}, F32: x}, {Shape: []int{trials, 1, 1}, F32: y}}); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-task", "npz", "-data", data, "-model", "lif", "-hidden", "1", "-threshold", "1e30",
		"-steps", "1", "-batch", "4", "-eval-every", "0", "-quiet", "-plot-format", "png,svg", "-out", run).want(t, 0)
	for _, f := range []string{"raster.png", "raster.svg"} {
		if _, err := os.Stat(filepath.Join(run, "plots", f)); err != nil {
			t.Errorf("no %s of a silent one-unit net on one-step trials: %v", f, err)
		}
	}
	m, err := os.ReadFile(filepath.Join(run, "metrics.jsonl"))
	if err != nil || !strings.Contains(string(m), `"rate_per_step":0`) || !strings.Contains(string(m), `"silent_units":1`) {
		t.Errorf("metrics.jsonl of a silent net: %s %v; want rate_per_step 0 and silent_units 1", m, err)
	}
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-record", rec).want(t, 0, "recorded")
	rnntrain(t, work, "plot", "-recording", rec, "-format", "png").want(t, 0, "raster")
	if _, err := os.Stat(filepath.Join(work, "rec-plots", "raster.png")); err != nil {
		t.Errorf("plot -recording: no raster: %v", err)
	}
}

// TestCLIPlotRecordingRefusesBadArrays: plot -recording refuses (status 1,
// naming the file, the array and what was expected) a recording whose
// arrays hold non-finite values, where a NaN rate was drawn as a spike,
// or whose state arrays do not match the rates, inputs or outputs.
func TestCLIPlotRecordingRefusesBadArrays(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	const trials, T, N = 2, 3, 2
	spikes := func() []float32 { return []float32{0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0} }
	write := func(name string, edit func(names []string, arrays []npy.Array) ([]string, []npy.Array)) string {
		names := []string{"inputs", "rates", "outputs", "state/v", "state/z"}
		arrays := []npy.Array{
			{Shape: []int{trials, T, 1}, F32: make([]float32, trials*T)},
			{Shape: []int{trials, T, N}, F32: spikes()},
			{Shape: []int{trials, T, 1}, F32: make([]float32, trials*T)},
			{Shape: []int{trials, T, N}, F32: make([]float32, trials*T*N)},
			{Shape: []int{trials, T, N}, F32: spikes()},
		}
		names, arrays = edit(names, arrays)
		path := filepath.Join(work, name+".npz")
		if err := npy.WriteArchive(path, names, arrays); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ok := write("ok", func(n []string, a []npy.Array) ([]string, []npy.Array) { return n, a })
	rnntrain(t, work, "plot", "-recording", ok, "-format", "svg").want(t, 0, "raster")
	// A membrane no figure draws may hold what the network computed,
	// ±Inf beyond float32's range (docs/recordings.md).
	infV := write("inf-v", func(n []string, a []npy.Array) ([]string, []npy.Array) {
		a[3].F32[0] = float32(math.Inf(1))
		return n, a
	})
	rnntrain(t, work, "plot", "-recording", infV, "-format", "svg").want(t, 0, "raster")
	for _, c := range []struct {
		name string
		edit func(n []string, a []npy.Array) ([]string, []npy.Array)
		want []string
	}{
		{"nan-rate", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[1].F32[7] = float32(math.NaN())
			return n, a
		}, []string{"array rates", "NaN", "trial 1, step 0, column 1", "want finite values"}},
		{"fractional-rate", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[1].F32[3] = 0.3
			return n, a
		}, []string{"array rates", "holds 0.3 at trial 0, step 1, column 1", "spikes, 0 or 1"}},
		{"inf-output", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[2].F32[0] = float32(math.Inf(1))
			return n, a
		}, []string{"array outputs", "+Inf", "want finite values"}},
		{"nan-spike", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[4].F32[2] = float32(math.NaN())
			return n, a
		}, []string{"array state/z", "NaN", "want finite values"}},
		{"z-shape", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[4] = npy.Array{Shape: []int{trials, T, N + 3}, F32: make([]float32, trials*T*(N+3))}
			return n, a
		}, []string{"array state/z", "shape [2 3 5], want [2 3 2]", "size as rates"}},
		{"z-steps", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[4] = npy.Array{Shape: []int{trials, 1, N}, F32: make([]float32, trials*N)}
			return n, a
		}, []string{"array state/z", "shape [2 1 2], want [2 3 2]", "trials and T as inputs"}},
		{"v-shape", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			a[3] = npy.Array{Shape: []int{trials * T * N}, F32: make([]float32, trials*T*N)}
			return n, a
		}, []string{"array state/v", "shape [12], want [2 3 2]"}},
		{"readout-shape", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			return append(n, "state/readout"), append(a, npy.Array{Shape: []int{trials, T, N}, F32: make([]float32, trials*T*N)})
		}, []string{"array state/readout", "shape [2 3 2], want [2 3 1]", "size as outputs"}},
		{"inf-task", func(n []string, a []npy.Array) ([]string, []npy.Array) {
			return append(n, "task/coherence"), append(a, npy.Array{Shape: []int{trials}, F64: []float64{math.NaN(), math.Inf(-1)}})
		}, []string{"array task/coherence", "trial 1 holds -Inf", "NaN where the trial lacks it"}},
	} {
		path := write(c.name, c.edit)
		rnntrain(t, work, "plot", "-recording", path, "-format", "svg").want(t, 1, append([]string{"-recording: " + path}, c.want...)...)
	}
}

// TestCLIRasterUnits: a raster draws at most plot_raster_units units
// (-raster-units; default 200), evenly spaced and saying so on its unit
// axis: from the config file in a run, from the run's config.json in
// plot, from the flag over both, and 200 of a recording's; 0 draws every
// unit, a negative value is refused naming the flag. A resume may change
// it.
func TestCLIRasterUnits(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	wantAxis := func(what, dir, label string) {
		t.Helper()
		if svg := string(mustRead(t, filepath.Join(dir, "raster.svg"))); !strings.Contains(svg, ">"+label+"</text>") {
			t.Errorf("%s: the raster's unit axis is not labelled %q", what, label)
		}
	}
	cfg := writeSpec(t, work, "run.toml", "plot_raster_units = 32\n")
	run := filepath.Join(work, "run")
	args := []string{"train", "-model", "lif", "-hidden", "256", "-steps", "1", "-batch", "2", "-eval-every", "0", "-eval-trials", "4",
		"-quiet", "-plot-format", "svg"}
	rnntrain(t, work, append(args, "-config", cfg, "-out", run)...).want(t, 0)
	wantAxis("train -config", filepath.Join(run, "plots"), "unit (32 of 256, evenly spaced)")
	rnntrain(t, work, "plot", run, "-out", filepath.Join(work, "again")).want(t, 0, "raster")
	wantAxis("plot RUN", filepath.Join(work, "again"), "unit (32 of 256, evenly spaced)")
	rnntrain(t, work, "plot", run, "-raster-units", "0", "-out", filepath.Join(work, "all")).want(t, 0, "raster")
	wantAxis("plot -raster-units 0", filepath.Join(work, "all"), "unit")
	rnntrain(t, work, "train", "-resume", run, "-steps", "2", "-raster-units", "64", "-quiet").want(t, 0)
	wantAxis("train -resume -raster-units 64", filepath.Join(run, "plots"), "unit (64 of 256, evenly spaced)")

	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "3", "-record", rec).want(t, 0, "recorded 3")
	rnntrain(t, work, "plot", "-recording", rec, "-format", "svg").want(t, 0, "raster")
	wantAxis("plot -recording", filepath.Join(work, "rec-plots"), "unit (200 of 256, evenly spaced)")
	rnntrain(t, work, "plot", "-recording", rec, "-format", "svg", "-raster-units", "8", "-out", filepath.Join(work, "rec8")).want(t, 0)
	wantAxis("plot -recording -raster-units 8", filepath.Join(work, "rec8"), "unit (8 of 256, evenly spaced)")

	rnntrain(t, work, append(args, "-raster-units", "-1", "-out", filepath.Join(work, "neg"))...).
		want(t, 2, "-raster-units (plot_raster_units in a config file): got -1", "0 = every unit")
	rnntrain(t, work, "plot", run, "-raster-units", "-1").want(t, 2, "-raster-units: got -1")
	rnntrain(t, work, "train", "-model", "leaky", "-raster-units", "10", "-out", filepath.Join(work, "leaky")).
		want(t, 2, "-raster-units (plot_raster_units in a config file): has no effect without a spiking or event-based model")
	rnntrain(t, work, "help", "train").wantText(t, 0, "-raster-units", "(default 200)", "0 = every unit")
	// plot's defaults are the run's: its help gives no second, fixed
	// default beside them.
	h := rnntrain(t, work, "help", "plot")
	h.wantText(t, 0, "-raster-units", "evenly spaced", "plot_raster_units; 200 for a recording", "plot_formats; png,svg for a recording")
	for _, bad := range []string{"(default 200)", "(default png,svg)"} {
		if strings.Contains(h.stdout+h.stderr, bad) {
			t.Errorf("help plot gives %q beside the run's default:\n%s", bad, h.stdout+h.stderr)
		}
	}
}

// TestCLIHeaderShowsEncodingAndReadout: the run header names the input
// encoding and the readout the network runs with, and their settings, not
// the defaults of a network config without them.
func TestCLIHeaderShowsEncodingAndReadout(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		flags      []string
		want, lack []string
	}{
		{[]string{"-encoding", "poisson", "-encoding-gain", "2", "-readout", "leaky", "-readout-tau", "5", "-train-h0"},
			[]string{"encoding=poisson", "encoding_gain=2", "readout=leaky", "readout_tau_ms=5", "train_initial_state=true"},
			[]string{"encoding=none", "readout=linear", "encoding_threshold"}},
		{[]string{"-encoding", "delta", "-encoding-threshold", "0.3"},
			[]string{"encoding=delta", "encoding_threshold=0.3", "readout=linear"},
			[]string{"encoding_gain", "readout_tau_ms"}},
		{nil, []string{"encoding=none", "readout=linear"}, []string{"encoding_gain", "encoding_threshold", "readout_tau_ms", "hidden=", "noise="}},
		// Nor the model's settings that others leave without effect.
		{[]string{"-beta", "0.9"}, []string{"beta=0.9"}, []string{"tau_mem_ms"}},
		{[]string{"-model", "egru"}, []string{"gamma=0.7"}, []string{"activity_target"}},
		{[]string{"-model", "egru", "-activity-reg", "0.5"}, []string{"activity_reg=0.5", "activity_target=0.05"}, nil},
	} {
		args := append([]string{"train", "-model", "lif", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8",
			"-out", filepath.Join(work, "run"+strings.Join(c.flags, "_"))}, c.flags...)
		r := rnntrain(t, work, args...)
		r.want(t, 0)
		header, _, _ := strings.Cut(r.stderr+r.stdout, "\n  train ")
		_, model, _ := strings.Cut(header, "  model  ")
		for _, w := range c.want {
			if !strings.Contains(model, w) {
				t.Errorf("%v: header's model line %q lacks %q", c.flags, model, w)
			}
		}
		for _, l := range c.lack {
			if strings.Contains(model, l) {
				t.Errorf("%v: header's model line %q has %q", c.flags, model, l)
			}
		}
	}
}

// TestCLIPlotRasterUnitsNeedsSpikes: plot -raster-units of a run or a
// recording without spikes or events, which draws no raster, is refused
// naming the flag, as train refuses plot_raster_units without a spiking
// or event-based model; without the flag both are plotted.
func TestCLIPlotRasterUnitsNeedsSpikes(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	run := filepath.Join(work, "gru")
	rnntrain(t, work, "train", "-model", "gru", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet",
		"-plot-format", "svg", "-out", run).want(t, 0)
	rec := filepath.Join(work, "rec.npz")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "4", "-record", rec).want(t, 0)
	rnntrain(t, work, "plot", run, "-raster-units", "5").
		want(t, 2, "-raster-units: the run's gru model draws no raster (lif, alif, ltc and egru do)")
	rnntrain(t, work, "plot", "-recording", rec, "-raster-units", "5").
		want(t, 2, "-raster-units: "+rec+" is not the recording of a spiking or event-based net (it has no state/z or state/y) and draws no raster")
	rnntrain(t, work, "plot", run).want(t, 0, "wrote")
	rnntrain(t, work, "plot", "-recording", rec, "-format", "svg").want(t, 0, "wrote")
}

// TestCLIHelpLTCGatesUnmasked: the ltc's gates couple every pair of units
// whatever the connectivity settings, which act on W_rec alone (as
// layers.SpikeOptions applies them); help train says so beside the
// equations.
func TestCLIHelpLTCGatesUnmasked(t *testing.T) {
	t.Parallel()
	rnntrain(t, t.TempDir(), "help", "train").
		wantText(t, 0, "the gates G_d, G_u, G_b couple every pair of units: rec_mask, no_autapses and dale act on W_rec alone")
}

// TestCLIHelpSurrogateDefaults: -surrogate's help names every surrogate
// with the parameters it takes and their defaults, as String writes a
// surrogate whose parameters are left out.
func TestCLIHelpSurrogateDefaults(t *testing.T) {
	t.Parallel()
	r := rnntrain(t, t.TempDir(), "help", "train")
	for _, s := range []surrogate.Surrogate{surrogate.ArcTan{}, surrogate.FastSigmoid{}, surrogate.Sigmoid{}, surrogate.Triangle{}, surrogate.MultiGaussian{}} {
		r.wantText(t, 0, s.String())
	}
	r.wantText(t, 0, "atan, fast_sigmoid, sigmoid, triangular")
}

// TestCLIResumeForceSetsFixedDecays: an alif run resumed with -force and
// other time constants runs on with the decays those give, as config.json
// then says; the decays of a run with train_tau, its parameters, keep
// their trained values. Before, the resumed run kept the checkpoint's
// decays, β = exp(−20/20) under a config.json of tau_mem_ms = 200.
func TestCLIResumeForceSetsFixedDecays(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	base := []string{"-model", "alif", "-hidden", "4", "-batch", "4", "-eval-every", "0", "-eval-trials", "16", "-tau-syn", "10"}
	decays := func(run string) map[string][]float32 {
		t.Helper()
		c, err := checkpoints.Load(filepath.Join(run, "checkpoint.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string][]float32{}
		for _, name := range []string{"alif.beta", "alif.alpha", "alif.rho"} {
			p, ok := c.Tensor(name)
			if !ok {
				t.Fatalf("%s: no tensor %s", c.Path, name)
			}
			m[name] = p.F32
		}
		return m
	}
	fixed := filepath.Join(work, "fixed")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", fixed}, base...)...).want(t, 0)
	rnntrain(t, work, "train", "-resume", fixed, "-steps", "3", "-force", "-tau-mem", "200", "-tau-syn", "40", "-tau-adapt", "300").want(t, 0)
	// dt = 20 ms, context-dm's step.
	want := map[string]float32{"alif.beta": float32(math.Exp(-20.0 / 200)), "alif.alpha": float32(math.Exp(-20.0 / 40)), "alif.rho": float32(math.Exp(-20.0 / 300))}
	for name, d := range decays(fixed) {
		for j, v := range d {
			if v != want[name] {
				t.Errorf("resumed with -force: %s[%d] = %v, want %v", name, j, v, want[name])
			}
		}
	}
	trained := filepath.Join(work, "trained")
	rnntrain(t, work, append([]string{"train", "-steps", "2", "-out", trained, "-train-tau"}, base...)...).want(t, 0)
	before := decays(trained)
	rnntrain(t, work, "train", "-resume", trained, "-steps", "3", "-force", "-tau-mem", "200", "-lr", "1e-12").want(t, 0)
	for name, d := range decays(trained) {
		for j, v := range d {
			if math.Abs(float64(v-before[name][j])) > 1e-6 {
				t.Errorf("trained decays resumed with -force: %s[%d] = %v, want its trained %v", name, j, v, before[name][j])
			}
		}
	}
}

// TestCLILTCGateBiases: model.tau_mem_bias and model.tau_adapt_bias are the
// initial biases c_m and c_a of the ltc's gates, the two halves of
// ltc.gate.bias, which freeze_bias keeps as given.
func TestCLILTCGateBiases(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cfg := writeSpec(t, work, "ltc.toml", "[model]\nkind = \"ltc\"\ntau_mem_bias = 1.5\ntau_adapt_bias = -0.5\nfreeze_bias = true\n")
	run := filepath.Join(work, "run")
	rnntrain(t, work, "train", "-config", cfg, "-steps", "2", "-hidden", "4", "-batch", "2", "-eval-trials", "4",
		"-lr", "0.05", "-quiet", "-plot-format", "svg", "-out", run).want(t, 0)
	c, err := checkpoints.Load(checkpoints.LatestPath(run))
	if err != nil {
		t.Fatal(err)
	}
	b, ok := c.Tensor("ltc.gate.bias")
	if !ok {
		t.Fatal("the checkpoint has no ltc.gate.bias")
	}
	if want := []float32{1.5, 1.5, 1.5, 1.5, -0.5, -0.5, -0.5, -0.5}; !slices.Equal(b.F32, want) {
		t.Errorf("ltc.gate.bias = %v, want %v (c_m of the 4 units, then c_a)", b.F32, want)
	}
}

// TestCLISpikeBackwardOptions: model.surrogate and model.reset_grad change
// the backward pass of a spiking net and nothing else. Runs of one seed
// then have each its own first gradient norm, every surrogate (and a
// parameter of one) and the reset's gradient, from a flag or a config
// file, and the same firing rate on the batch metrics.jsonl's first line
// reports, after an update too small (-lr 1e-9) to change a spike.
func TestCLISpikeBackwardOptions(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	first := func(name string, args ...string) metricsLine {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-model", "alif", "-steps", "1", "-hidden", "64", "-batch", "8", "-eval-trials", "4",
			"-lr", "1e-9", "-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		m := metricsOf(t, run)
		if len(m) == 0 {
			t.Fatalf("%s: metrics.jsonl has no line", name)
		}
		return m[0]
	}
	base := first("default")
	if base.GradNorm == 0 || base.Figures["rate_hz"] == 0 {
		t.Fatalf("the default run's gradient is %v and its rate %v Hz: the test shows nothing", base.GradNorm, base.Figures["rate_hz"])
	}
	norms := map[float64]string{base.GradNorm: "the default, ArcTan(alpha=2)"}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"arctan4", []string{"-surrogate", "ArcTan(alpha=4)"}},
		{"fastsigmoid", []string{"-surrogate", "FastSigmoid"}},
		{"sigmoid", []string{"-surrogate", "sigmoid"}},
		{"triangle", []string{"-surrogate", "Triangle(gamma=0.7, eps=1)"}},
		{"multigaussian", []string{"-config", writeSpec(t, work, "mg.toml", "[model]\nkind = \"alif\"\nsurrogate = \"MultiGaussian(width=0.5)\"\n")}},
		{"resetgrad", []string{"-reset-grad"}},
	} {
		m := first(c.name, c.args...)
		if m.Loss != base.Loss || m.Figures["rate_hz"] != base.Figures["rate_hz"] {
			t.Errorf("%v: first loss %v at %v Hz, want the default's %v at %v Hz: the forward pass changed",
				c.args, m.Loss, m.Figures["rate_hz"], base.Loss, base.Figures["rate_hz"])
		}
		if other, ok := norms[m.GradNorm]; ok {
			t.Errorf("%v: first gradient norm %v, that of %s", c.args, m.GradNorm, other)
		}
		norms[m.GradNorm] = fmt.Sprint(c.args)
	}
}

// TestCLISpikingForwardOptions: each forward key of the spiking models,
// given by its flag, changes the firing rate (rate_hz) on the batch the
// first line of metrics.jsonl reports, after an update too small (-lr
// 1e-9) to change a spike, against a run of the same seed without it (the
// first loss does not tell: the readout starts at 0); train_tau trains the
// units' decays, which a run without it keeps fixed.
func TestCLISpikingForwardOptions(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	firstRate := func(name, model string, args ...string) (float64, string) {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-model", model, "-steps", "2", "-hidden", "64", "-batch", "8", "-eval-trials", "4",
			"-lr", "1e-9", "-log-every", "1", "-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		m := metricsOf(t, run)
		if len(m) == 0 {
			t.Fatalf("%s: metrics.jsonl has no line", name)
		}
		hz, ok := m[0].Figures["rate_hz"]
		if !ok {
			t.Fatalf("%s: metrics.jsonl's first line has no rate_hz: %v", name, m[0].Figures)
		}
		return hz, run
	}
	for _, model := range []string{"lif", "alif", "ltc"} {
		base, _ := firstRate(model, model)
		if base == 0 {
			t.Fatalf("%s: no spike in the first batch: the test shows nothing", model)
		}
		var cases [][]string
		switch model {
		case "lif":
			cases = [][]string{{"-tau-mem", "50"}, {"-tau-syn", "10"}, {"-threshold", "0.8"}, {"-reset", "zero"},
				{"-refractory", "2"}, {"-input-gain", "2"}, {"-beta", "0.9"}, {"-spectral-radius", "2"}}
		case "alif":
			cases = [][]string{{"-tau-adapt", "300"}, {"-adapt", "0.5"}}
		case "ltc":
			cases = [][]string{{"-threshold", "0.2"}, {"-adapt", "0"}, {"-input-gain", "2"}}
		}
		for i, args := range cases {
			if hz, _ := firstRate(fmt.Sprint(model, i), model, args...); hz == base {
				t.Errorf("%s %v: first batch's rate %v Hz, the default's: the key did not reach the forward pass", model, args, hz)
			}
		}
	}
	decay := func(run string) []float32 {
		t.Helper()
		c, err := checkpoints.Load(checkpoints.LatestPath(run))
		if err != nil {
			t.Fatal(err)
		}
		if b, ok := c.Tensor("lif.beta"); ok {
			return b.F32
		}
		return nil
	}
	_, fixed := firstRate("fixed", "lif")
	_, trained := firstRate("trained", "lif", "-train-tau", "-lr", "0.05")
	init := float32(math.Exp(-20.0 / 20)) // β = exp(−dt/τ_mem), τ_mem 20 ms, dt 20 ms on context-dm
	for i, b := range decay(fixed) {
		if math.Abs(float64(b-init)) > 1e-6 {
			t.Errorf("without -train-tau: lif.beta[%d] = %v, want the fixed %v", i, b, init)
		}
	}
	bs := decay(trained)
	if !slices.ContainsFunc(bs, func(b float32) bool { return math.Abs(float64(b-init)) > 1e-6 }) {
		t.Errorf("-train-tau: lif.beta = %v stayed at %v: the decays did not train", bs, init)
	}
}
