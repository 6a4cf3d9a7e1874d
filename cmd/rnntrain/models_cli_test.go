package main

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/train"
)

// writeMask writes an [n, n] float64 mask with every third connection cut.
func writeMask(t *testing.T, path string, n int) []float64 {
	t.Helper()
	m := make([]float64, n*n)
	for i := range m {
		if i%3 != 0 {
			m[i] = 1
		}
	}
	require.NoError(t, npy.WriteFile(path, npy.Array{Shape: []int{n, n}, F64: m}))
	return m
}

// checkModelConfig asserts that the run in dir trained the model the
// options below describe, read back by the library and by inspect -json.
func checkModelConfig(t *testing.T, dir, run string, mask []float64) {
	t.Helper()
	c, err := checkpoints.Load(checkpoints.LatestPath(filepath.Join(dir, run)))
	require.NoError(t, err)
	cfg, err := checkpointConfig(c)
	require.NoError(t, err)
	lc, ok := cfg.Model.Model.(*rnn.LeakyConfig)
	require.True(t, ok, "model %T", cfg.Model.Model)
	require.Equal(t, 0.8, lc.Dale)
	require.Equal(t, "yang", lc.NoiseConvention.String())
	require.Equal(t, 1e-3, cfg.Train.Regularization.L2Rec)
	require.Equal(t, "cosine", cfg.Train.Schedule.Kind.String())
	// The connectivity mask holds in the trained network's effective
	// weights (the checkpoint keeps the raw parameters, as PsychRNN does).
	s, _, err := loadSession(filepath.Join(dir, run))
	require.NoError(t, err)
	leaky, ok := s.net.net.Recurrent().(interface{ EffectiveRecurrent([]float32) })
	require.True(t, ok)
	w := make([]float32, len(mask))
	leaky.EffectiveRecurrent(w)
	for i, m := range mask {
		if m == 0 {
			require.Zero(t, w[i], "weight %d is cut by the mask", i)
		} else {
			require.NotZero(t, w[i], "weight %d is connected", i)
		}
	}
	res := rnntrain(t, dir, "inspect", "-json", run)
	require.Equal(t, 0, res.code, res.stderr)
	var info map[string]any
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &info))
	model := info["config"].(map[string]any)["model"].(map[string]any)
	require.Equal(t, 0.8, model["dale"])
	require.Equal(t, "yang", model["noise_convention"])
	require.Equal(t, "leaky", model["kind"])
}

// TestTrainConfigFileModelOptions trains from a config file with Dale's
// law, a connectivity mask from .npy, the Yang noise convention, an L2
// penalty on the recurrent weights and a cosine schedule, records it, and
// reads the config back; then the same run from flags alone.
func TestTrainConfigFileModelOptions(t *testing.T) {
	dir := t.TempDir()
	mask := writeMask(t, filepath.Join(dir, "mask.npy"), 16)
	toml := `seed = 3
[task]
name = "perceptual-dm"
[model]
kind = "leaky"
hidden = 16
dale = 0.8
noise_convention = "yang"
rec_mask = "mask.npy"
[train]
steps = 4
batch_size = 8
eval_every = 0
eval_trials = 16
[train.schedule]
kind = "cosine"
[train.regularization]
l2_rec = 1e-3
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "run.toml"), []byte(toml), 0o644))
	res := rnntrain(t, dir, "train", "-config", "run.toml", "-out", "a")
	require.Equal(t, 0, res.code, res.stderr)
	checkModelConfig(t, dir, "a", mask)
	res = rnntrain(t, dir, "eval", "-checkpoint", "a", "-record", "rec.npz", "-trials", "8")
	require.Equal(t, 0, res.code, res.stderr)

	res = rnntrain(t, dir, "train", "-task", "perceptual-dm", "-hidden", "16", "-dale", "0.8",
		"-noise-convention", "yang", "-rec-mask", "mask.npy", "-l2-rec", "1e-3", "-schedule", "cosine",
		"-steps", "4", "-batch", "8", "-eval-every", "0", "-eval-trials", "16", "-seed", "3", "-out", "b")
	require.Equal(t, 0, res.code, res.stderr)
	checkModelConfig(t, dir, "b", mask)
}

// TestModelKeyErrors: a key the chosen model does not have is a usage error
// naming it, from a flag or a file.
func TestModelKeyErrors(t *testing.T) {
	dir := t.TempDir()
	res := rnntrain(t, dir, "train", "-model", "gru", "-rank", "2", "-steps", "1")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, `unknown key "rank" for model gru`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"model": {"kind": "leaky", "dalee": 0.5}}`), 0o644))
	res = rnntrain(t, dir, "train", "-config", "c.json")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, `"dalee"`)
	res = rnntrain(t, dir, "train", "-model", "izhikevich")
	require.Equal(t, 2, res.code)
	require.Contains(t, res.stderr, "unknown model")
}

// TestCLIStepLongerThanTau: a task whose step is longer than the τ =
// 100 ms of the default α = dt/τ leaves the leaky and lowrank models no
// default α; train asks for -alpha instead of taking another, and trains
// with one given.
func TestCLIStepLongerThanTau(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "slow.toml"), []byte("[task]\nname = \"flip-flop\"\n[task.settings]\ndt_ms = 200\n"), 0o644))
	run := []string{"train", "-config", "slow.toml", "-hidden", "8", "-steps", "1", "-batch", "2", "-eval-every", "0", "-eval-trials", "4", "-target-accuracy", "0", "-plot-format", "svg", "-quiet"}
	for _, m := range []string{"leaky", "lowrank"} {
		out := "run-" + m
		res := rnntrain(t, dir, append(run, "-model", m, "-out", out)...)
		res.want(t, 2, "-alpha (model.alpha in a config file)", "dt = 200 ms", "τ = 100 ms", "α = dt/τ = 2", "(0, 1]")
		if _, err := os.Stat(filepath.Join(dir, out)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a refused run left %s: %v", m, out, err)
		}
		res = rnntrain(t, dir, append(run, "-model", m, "-alpha", "1", "-out", out)...)
		require.Equal(t, 0, res.code, res.stderr)
	}
}

// TestFormat1CheckpointEvaluates: a checkpoint written by the previous
// format (its run config in the command's old layout) still evaluates.
func TestFormat1CheckpointEvaluates(t *testing.T) {
	dir := t.TempDir()
	res := rnntrain(t, dir, "eval", "-checkpoint", filepath.Join(mustAbs(t, "testdata"), "format1.safetensors"), "-trials", "64")
	require.Equal(t, 0, res.code, res.stderr)
	require.True(t, strings.HasPrefix(res.stdout, "accuracy "), res.stdout)
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	require.NoError(t, err)
	return a
}

// TestEGRUCLI trains the egru model with every option given as a flag,
// reads the options back from the checkpoint, and finds its sparsity
// figures in metrics.jsonl and eval -json; bench -activity sets an EGRU's
// activity and is a usage error for a model without thresholds.
func TestEGRUCLI(t *testing.T) {
	dir := t.TempDir()
	res := rnntrain(t, dir, "train", "-task", "perceptual-dm", "-model", "egru", "-hidden", "16",
		"-gamma", "0.5", "-eps", "1.7", "-trace", "-zoneout", "0.1", "-drop-connect", "0.2",
		"-activity-reg", "0.5", "-activity-target", "0.1", "-kernels", "sparse",
		"-steps", "4", "-batch", "8", "-eval-every", "0", "-eval-trials", "16", "-log-every", "2", "-out", "e")
	require.Equal(t, 0, res.code, res.stderr)
	c, err := checkpoints.Load(checkpoints.LatestPath(filepath.Join(dir, "e")))
	require.NoError(t, err)
	cfg, err := checkpointConfig(c)
	require.NoError(t, err)
	ec, ok := cfg.Model.Model.(*rnn.EGRUConfig)
	require.True(t, ok, "model %T", cfg.Model.Model)
	require.Equal(t, rnn.EGRUConfig{Gamma: 0.5, Eps: 1.7, Trace: true, Zoneout: 0.1, DropConnect: 0.2,
		ActivityReg: 0.5, ActivityTarget: 0.1, Kernels: layers.KernelsSparse}, *ec)

	metrics, err := os.ReadFile(filepath.Join(dir, "e", "metrics.jsonl"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(metrics)), "\n")
	var line struct{ Figures map[string]float64 }
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &line))
	for _, k := range []string{"rate_per_step", "silent_units", "activity_sparsity", "backward_sparsity", "effective_macs", "activity_penalty"} {
		require.Contains(t, line.Figures, k)
	}
	require.InDelta(t, 1, line.Figures["rate_per_step"]+line.Figures["activity_sparsity"], 1e-9)
	// help train's listing of metrics.jsonl names every figure.
	rnntrain(t, dir, "help", "train").wantText(t, 0, "the egru's rate_per_step (events per unit-step), silent_units, activity_sparsity, backward_sparsity, effective_macs and, with activity_reg, activity_penalty)")
	require.True(t, line.Figures["activity_sparsity"] >= 0 && line.Figures["activity_sparsity"] <= 1)

	res = rnntrain(t, dir, "eval", "-checkpoint", "e", "-json", "-trials", "16")
	require.Equal(t, 0, res.code, res.stderr)
	var rep struct{ Figures map[string]float64 }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep))
	require.Contains(t, rep.Figures, "activity_sparsity")

	res = rnntrain(t, dir, "bench", "-model", "egru", "-hidden", "32", "-batch", "4", "-seqlen", "20",
		"-reps", "1", "-warmup", "0", "-activity", "0.2", "-json")
	require.Equal(t, 0, res.code, res.stderr)
	var b struct{ Activity float64 }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &b))
	require.InDelta(t, 0.2, b.Activity, 0.05, "activity reached by bench -activity 0.2")

	// An activity no threshold reaches is reported too, as 0.
	res = rnntrain(t, dir, "bench", "-model", "egru", "-hidden", "8", "-batch", "2", "-seqlen", "4",
		"-reps", "1", "-warmup", "0", "-activity", "1e-300", "-json")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, `"activity":0`, "bench -activity 1e-300 -json")
	rnntrain(t, dir, "bench", "-model", "egru", "-hidden", "8", "-batch", "2", "-seqlen", "4",
		"-reps", "1", "-warmup", "0", "-activity", "1e-300").want(t, 0, "activity reached 0.000")
	rnntrain(t, dir, "bench", "-model", "gru", "-activity", "0.2").want(t, 2, "-activity", "gru")
	rnntrain(t, dir, "bench", "-model", "egru", "-activity", "1.5").want(t, 2, "-activity")
	rnntrain(t, dir, "train", "-model", "egru", "-kernels", "fast", "-steps", "1").want(t, 2, "fast")
	rnntrain(t, dir, "train", "-model", "egru", "-zoneout", "1", "-steps", "1").want(t, 2, "zoneout")
}

// TestCLIEGRURefusesBeyondFloat32: an egru setting that is finite as a
// float64 but not in the float32 the network computes in (γ = 1e39 is +Inf
// there, ε = 1e-50 is 0) is refused before the run starts, naming the flag,
// as the spiking models' settings are, rather than failing at the first
// step with NaN gradients.
func TestCLIEGRURefusesBeyondFloat32(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-gamma", "1e39"}, "-gamma (model.gamma in a config file): got 1e+39, need a value > 0 that float32 holds"},
		{[]string{"-gamma", "1e308"}, "-gamma (model.gamma in a config file): got 1e+308"},
		{[]string{"-eps", "1e39"}, "-eps (model.eps in a config file): got 1e+39, need a value > 0 that float32 holds"},
		{[]string{"-eps", "1e-50"}, "-eps (model.eps in a config file): got 1e-50, need a value > 0 that float32 holds"},
		{[]string{"-activity-reg", "1e39"}, "-activity-reg (model.activity_reg in a config file): got 1e+39, need a value ≥ 0 that float32 holds"},
	} {
		args := append([]string{"train", "-model", "egru", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8", "-quiet", "-out", filepath.Join(work, "run")}, c.args...)
		rnntrain(t, work, args...).want(t, 2, c.want)
	}
	cfg := filepath.Join(work, "egru.toml")
	if err := os.WriteFile(cfg, []byte("[model]\nkind = \"egru\"\ngamma = 1e308\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "train", "-config", cfg, "-steps", "1", "-hidden", "8", "-out", filepath.Join(work, "run")).
		want(t, 2, "config "+cfg+": model.gamma: got 1e+308, need a value > 0 that float32 holds")
}

// TestFlagsAnyPositionAndVersion: flags may follow positional arguments,
// and version prints the build.
func TestFlagsAnyPositionAndVersion(t *testing.T) {
	dir := t.TempDir()
	res := rnntrain(t, dir, "inspect", filepath.Join(mustAbs(t, "testdata"), "format1.safetensors"), "-json")
	require.Equal(t, 0, res.code, res.stderr)
	require.True(t, strings.HasPrefix(strings.TrimSpace(res.stdout), "{"), res.stdout)
	res = rnntrain(t, dir, "version")
	require.Equal(t, 0, res.code, res.stderr)
	require.Contains(t, res.stdout, "github.com/rnntrain/rnntrain")
	// version takes no arguments, like every command that takes none.
	rnntrain(t, dir, "version", "-json").want(t, 2, `rnntrain version: unexpected arguments ["-json"] (version takes none)`)
	// -h asks for its help, as of every other command.
	for _, h := range []string{"-h", "-help", "--help"} {
		res := rnntrain(t, dir, "version", h)
		res.want(t, 0, "Usage: rnntrain version")
		require.Equal(t, rnntrain(t, dir, "help", "version").stdout, res.stdout)
	}
	rnntrain(t, dir, "version", "-h", "-h").want(t, 2, `rnntrain version: unexpected arguments ["-h" "-h"]`)
}

// TestCLIBenchSizes checks that bench refuses sizes it cannot run, naming
// the flags, before it builds a network: an explicit 0, a network too large
// to allocate, and a step that needs more memory than the machine has.
func TestCLIBenchSizes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-hidden", "0", "-batch", "2", "-seqlen", "4"}, "-hidden, -batch and -seqlen must be positive, got 0, 2, 4"},
		{[]string{"-hidden", "8", "-seqlen", "0"}, "-hidden, -batch and -seqlen must be positive, got 8, 32, 0"},
		{[]string{"-hidden", "100000000", "-batch", "2", "-seqlen", "4"}, "-hidden 100000000: at most 65536 units"},
		{[]string{"-hidden", "8", "-batch", "1000000000"}, "-batch 1000000000: at most 1048576 sequences"},
	} {
		args := append([]string{"bench", "-model", "lif,egru", "-reps", "1", "-warmup", "0"}, c.args...)
		rnntrain(t, dir, args...).want(t, 2, c.want)
	}
	if _, ok := train.AvailableMemory(); ok {
		rnntrain(t, dir, "bench", "-model", "alif", "-hidden", "65536", "-batch", "1048576", "-seqlen", "1048576", "-reps", "1", "-warmup", "0").
			want(t, 2, "-hidden 65536 -batch 1048576 -seqlen 1048576", "more than the memory available")
	}
}

// TestCLIBenchReps checks that bench times at least -reps steps, also more
// than the 40 it adds at most to cheap ones, and refuses a -reps whose
// times it could not keep.
func TestCLIBenchReps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	res := rnntrain(t, dir, "bench", "-model", "rnn", "-hidden", "4", "-batch", "2", "-seqlen", "3", "-warmup", "0", "-reps", "60", "-json")
	res.want(t, 0)
	var b struct {
		Reps int `json:"reps"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &b), res.stdout)
	require.Equal(t, 60, b.Reps, "timed steps of bench -reps 60")
	rnntrain(t, dir, "bench", "-model", "rnn", "-hidden", "4", "-batch", "2", "-seqlen", "3", "-reps", "1000000000000").
		want(t, 2, "-reps 1000000000000: at most 1000000 timed steps")
	rnntrain(t, dir, "bench", "-model", "rnn", "-hidden", "4", "-batch", "2", "-seqlen", "3", "-warmup", "2000000000").
		want(t, 2, "-warmup 2000000000: at most 1000000 untimed steps")
	rnntrain(t, dir, "bench", "-model", "rnn", "-hidden", "4", "-batch", "1", "-seqlen", "100000000000").
		want(t, 2, "-seqlen 100000000000: at most 1048576 steps")
	rnntrain(t, dir, "bench", "-model", "rnn", "-hidden", "4", "-batch", "100000000000", "-seqlen", "3").
		want(t, 2, "-batch 100000000000: at most 1048576 sequences")
}

// TestCLIBenchFullOutput: a bench whose results cannot be written (a full
// disk behind its standard output) fails, status 1, naming the write,
// rather than ending with status 0 and no times.
func TestCLIBenchFullOutput(t *testing.T) {
	t.Parallel()
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full:", err)
	}
	defer full.Close()
	for _, format := range []string{"-json=false", "-json"} {
		cmd := exec.Command(binary, "bench", "-model", "rnn", "-hidden", "4", "-batch", "1", "-seqlen", "2", "-warmup", "0", "-reps", "1", format)
		var stderr strings.Builder
		cmd.Stdout, cmd.Stderr = full, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		require.ErrorAs(t, err, &ee, "bench %s > /dev/full", format)
		require.Equal(t, 1, ee.ExitCode(), stderr.String())
		require.Contains(t, stderr.String(), "no space left on device", "bench %s > /dev/full", format)
	}
}

// tinyCheckpoint trains a one-step run into a temporary directory and
// returns the directory and the run's checkpoint, to be altered and saved.
func tinyCheckpoint(t *testing.T) (string, *checkpoints.Checkpoint) {
	t.Helper()
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-steps", "1", "-hidden", "4", "-batch", "2", "-eval-trials", "4", "-quiet", "-out", "run").want(t, 0)
	c, err := checkpoints.Load(filepath.Join(dir, "run", "checkpoint.safetensors"))
	require.NoError(t, err)
	return dir, c
}

// TestCLIInspectNonFiniteMetrics: a checkpoint whose metrics hold NaN or
// Inf (the format keeps them) is inspected as text and as JSON, where they
// are the strings the checkpoint stores, instead of failing to encode.
func TestCLIInspectNonFiniteMetrics(t *testing.T) {
	t.Parallel()
	dir, c := tinyCheckpoint(t)
	c.Meta.Metrics["accuracy"], c.Meta.Metrics["loss"] = math.NaN(), math.Inf(1)
	require.NoError(t, checkpoints.Save(filepath.Join(dir, "nan.safetensors"), c))
	rnntrain(t, dir, "inspect", "-json", "nan.safetensors").want(t, 0, `"accuracy": "NaN"`, `"loss": "+Inf"`)
	rnntrain(t, dir, "inspect", "nan.safetensors").want(t, 0, "validation accuracy  n/a (the last evaluation scored no trial)")
}

// TestCLINonFiniteParams: the analyses refuse a checkpoint whose weights
// hold a NaN (a diverged run) up front, naming the file, the tensor and the
// entry, as a failure; inspect and eval (which reports the metrics of a
// diverged network) still read it.
func TestCLINonFiniteParams(t *testing.T) {
	t.Parallel()
	dir, c := tinyCheckpoint(t)
	for i := range c.Tensors {
		if c.Tensors[i].Name == "leaky.weight_hh" {
			c.Tensors[i].F32[6] = float32(math.NaN())
		}
	}
	require.NoError(t, checkpoints.Save(filepath.Join(dir, "nan.safetensors"), c))
	want := "checkpoint nan.safetensors: parameter leaky.weight_hh has NaN at [1 2]"
	for _, args := range [][]string{
		{"latent"},
		{"fixedpoints", "-n-init", "2"},
		{"populations", "-max-k", "2", "-trials", "8"},
		{"truncate", "-rank", "1"},
		{"inactivate", "-units", "0"},
	} {
		rnntrain(t, dir, append(args, "-checkpoint", "nan.safetensors")...).want(t, 1, want)
	}
	rnntrain(t, dir, "plot", "nan.safetensors").want(t, 1, want)
	rnntrain(t, dir, "eval", "-checkpoint", "nan.safetensors", "-trials", "4").want(t, 0, "warning: "+want)
	rnntrain(t, dir, "inspect", "nan.safetensors").want(t, 0, "leaky.weight_hh")
}

// TestCLIEverythingFrozen: freezing every parameter group of a model with
// nothing else to train is refused (status 2, naming the keys and what
// could still be trained) before a run directory is made; a trained
// initial state or trained decays leave something to train.
func TestCLIEverythingFrozen(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cfg := writeSpec(t, work, "frozen.toml", "[model]\nfreeze_input = true\nfreeze_recurrent = true\nfreeze_bias = true\nfreeze_output = true\n")
	base := []string{"train", "-config", cfg, "-steps", "1", "-hidden", "4", "-batch", "2", "-eval-trials", "4", "-quiet", "-plot-format", "svg"}
	for _, c := range []struct {
		model, hint string
	}{{"leaky", "-train-h0"}, {"lif", "-train-tau"}} {
		out := filepath.Join(work, c.model)
		rnntrain(t, work, append(base, "-model", c.model, "-out", out)...).
			want(t, 2, "model.freeze_input, model.freeze_recurrent, model.freeze_bias, model.freeze_output", "the "+c.model+" network", c.hint)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: a refused run made %s (%v)", c.model, out, err)
		}
	}
	rnntrain(t, work, append(base, "-train-h0", "-out", filepath.Join(work, "h0"))...).want(t, 0)
	rnntrain(t, work, append(base, "-model", "lif", "-train-tau", "-out", filepath.Join(work, "tau"))...).want(t, 0)
}

// TestCLIFrozenStaysFrozen trains the egru and the ltc with every freeze
// key set (and the initial state trained, so that the run has something
// to train) and checks that every parameter but the initial state keeps
// its initial value: the egru's thresholds freeze with the biases, the
// ltc's gates with the recurrent weights and the biases. Without the
// initial state the run is refused, as for the other models.
func TestCLIFrozenStaysFrozen(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	cfgFile := writeSpec(t, work, "frozen.toml", "[model]\nfreeze_input = true\nfreeze_recurrent = true\nfreeze_bias = true\nfreeze_output = true\n")
	base := []string{"train", "-config", cfgFile, "-steps", "3", "-hidden", "6", "-batch", "4", "-eval-trials", "4", "-lr", "0.05", "-quiet", "-plot-format", "svg"}
	for _, model := range []string{"egru", "ltc"} {
		rnntrain(t, work, append(base, "-model", model, "-out", filepath.Join(work, model+"-refused"))...).
			want(t, 2, "model.freeze_input, model.freeze_recurrent, model.freeze_bias, model.freeze_output", "the "+model+" network", "-train-h0")
		run := filepath.Join(work, model)
		rnntrain(t, work, append(base, "-model", model, "-train-h0", "-out", run)...).want(t, 0, "stopped at step 3")
		c, err := checkpoints.Load(checkpoints.LatestPath(run))
		require.NoError(t, err)
		trained := map[string][]float32{}
		for _, x := range c.Tensors {
			trained[x.Name] = x.F32
		}
		changed := false
		for pname, w0 := range initialParams(t, c) { // the network as initialised
			same := slices.Equal(trained[pname], w0)
			switch {
			case pname == "h0" || strings.HasSuffix(pname, ".h0"):
				changed = changed || !same
			case !same:
				t.Errorf("%s: parameter %s changed in training with every freeze key set", model, pname)
			}
		}
		if !changed {
			t.Errorf("%s: the trained initial state did not change: the test trains nothing", model)
		}
	}
}

// TestCLIModelLearningRate: a run that sets no learning rate trains at its
// model's (layers.Model.DefaultLR, else generalLR), says so in its header
// and records it in config.json and metrics.jsonl; -lr, a config file's
// train.lr and a resumed run's config.json take precedence, and -lr 0
// asks for the model's.
func TestCLIModelLearningRate(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	toml := func(name, body string) string {
		p := filepath.Join(work, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	withLR := toml("lr.toml", "[model]\nkind = \"egru\"\n[train]\nlr = 0.005\n")
	noLR := toml("nolr.toml", "[model]\nkind = \"alif\"\n[train]\nbatch_size = 4\n")
	cases := []struct {
		name string
		args []string
		want float64
	}{
		{"leaky", nil, generalLR},
		{"egru", []string{"-model", "egru"}, 1e-3},
		{"alif", []string{"-model", "alif"}, 1e-3},
		{"lowrank", []string{"-model", "lowrank"}, 1e-2},
		{"lif", []string{"-model", "lif"}, generalLR},
		{"rnn", []string{"-model", "rnn"}, 1e-3},
		{"flag", []string{"-model", "egru", "-lr", "0.002"}, 0.002},
		{"flag0", []string{"-model", "lowrank", "-lr", "0"}, 1e-2},
		{"file", []string{"-config", withLR}, 0.005},
		{"fileflag", []string{"-config", withLR, "-lr", "0.004"}, 0.004},
		{"filenolr", []string{"-config", noLR}, 1e-3},
		{"filemodel", []string{"-config", noLR, "-model", "lowrank"}, 1e-2},
	}
	for _, c := range cases {
		run := filepath.Join(work, c.name)
		args := append([]string{"train", "-steps", "2", "-hidden", "8", "-eval-trials", "8", "-log-every", "1", "-quiet", "-out", run}, c.args...)
		r := rnntrain(t, work, args...)
		r.want(t, 0)
		var cfg runConfig
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &cfg))
		require.Equal(t, c.want, cfg.Train.LR, "%s: config.json's train.lr", c.name)
		for _, m := range metricsOf(t, run) {
			require.Equal(t, c.want, m.LR, "%s: metrics.jsonl's lr at step %d", c.name, m.Step)
		}
	}
	// A resumed run keeps the rate it trained at, whatever the model's
	// default: config.json names it.
	branch := filepath.Join(work, "branch")
	rnntrain(t, work, "train", "-resume", filepath.Join(work, "flag"), "-steps", "3", "-quiet", "-out", branch).want(t, 0)
	for _, m := range metricsOf(t, branch) {
		require.Equal(t, 0.002, m.LR, "resumed run's lr at step %d", m.Step)
	}
	// -lr 0 asks for the model's rate, which a run at its default keeps
	// and a run at another rate does not.
	rnntrain(t, work, "train", "-resume", filepath.Join(work, "egru"), "-lr", "0", "-steps", "3", "-quiet").want(t, 0)
	rnntrain(t, work, "train", "-resume", filepath.Join(work, "flag"), "-lr", "0", "-steps", "3", "-quiet").want(t, 2, "train.lr (0.002 → 0.001)")
	// The header says it.
	rnntrain(t, work, "train", "-model", "lowrank", "-steps", "1", "-hidden", "8", "-eval-trials", "8", "-out", filepath.Join(work, "hdr")).want(t, 0, "adam lr 0.01,")
}

// TestCLIOverflowingDynamics: the analyses that print a checkpoint's
// accuracies refuse one whose weights, finite but far beyond a trained
// net's, make its outputs overflow, naming the file and where, instead of
// scoring outputs of NaN as an accuracy of 0.
func TestCLIOverflowingDynamics(t *testing.T) {
	t.Parallel()
	dir, c := tinyCheckpoint(t)
	scale := func(c *checkpoints.Checkpoint, name string, by float32) {
		t.Helper()
		tensor, ok := c.Tensor(name)
		require.True(t, ok, name)
		for i := range tensor.F32 {
			tensor.F32[i] = by * max(tensor.F32[i], 1e-3)
		}
	}
	scale(c, "leaky.weight_hh", 1e30)
	require.NoError(t, checkpoints.Save(filepath.Join(dir, "big.safetensors"), c))
	want := "checkpoint big.safetensors: the network's output is "
	for _, args := range [][]string{
		{"truncate", "-rank", "1", "-out", "tr"},
		{"inactivate", "-units", "0", "-trials", "4"},
	} {
		rnntrain(t, dir, append(args, "-checkpoint", "big.safetensors")...).want(t, 1, want, "its dynamics overflow (the largest weight, in leaky.weight_hh")
	}
	_, err := os.Stat(filepath.Join(dir, "tr"))
	require.True(t, os.IsNotExist(err), "a refused truncation wrote a run (%v)", err)

	work, run := lowrankRun(t)
	lc, err := checkpoints.Load(filepath.Join(run, "checkpoint.safetensors"))
	require.NoError(t, err)
	scale(lc, "lowrank.wo", 1e30)
	scale(lc, "lowrank.so", 1e30)
	require.NoError(t, checkpoints.Save(filepath.Join(work, "big.safetensors"), lc))
	rnntrain(t, work, "populations", "-checkpoint", "big.safetensors", "-max-k", "1", "-trials", "4").want(t, 1, want, "its dynamics overflow")
}

// TestCLILeakyIntegration: model.integration reaches the leaky network. One
// seed's runs share their initial weights and first batch, so the loss of
// the first update is that of the same network run by the two equations:
// equal for two runs of one, different for state and rate. The flag and a
// config file give the same run, config.json records it, and a value that
// is neither is refused naming the flag.
func TestCLILeakyIntegration(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	firstLoss := func(name, want string, args ...string) float64 {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-steps", "1", "-hidden", "8", "-batch", "4", "-eval-trials", "8",
			"-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		var cfg runConfig
		b, err := os.ReadFile(filepath.Join(run, "config.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, &cfg))
		require.Equal(t, want, cfg.Model.Model.(*rnn.LeakyConfig).Integration.String(), "%s: config.json's model.integration", name)
		m := metricsOf(t, run)
		require.NotEmpty(t, m, name)
		return m[0].Loss
	}
	state := firstLoss("state", "state")
	require.Equal(t, state, firstLoss("state-flag", "state", "-integration", "state"), "two runs of state integration")
	rate := firstLoss("rate", "rate", "-integration", "rate")
	require.NotEqual(t, state, rate, "the first loss of state and rate integration")
	require.Equal(t, rate, firstLoss("rate-file", "rate", "-config", writeSpec(t, work, "rate.toml", "[model]\nintegration = \"rate\"\n")), "rate integration from a config file")
	rnntrain(t, work, "train", "-integration", "states", "-steps", "1").want(t, 2, `-integration states: unknown integration "states" (valid: state, rate)`)
}

// TestCLIRecurrentInit: model.init and model.spectral_radius set the
// initial recurrent weights, which freeze_recurrent keeps in the
// checkpoint: identity is ρ·I, orthogonal has W Wᵀ = ρ² I, and the
// gaussian default is neither.
func TestCLIRecurrentInit(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	frozen := writeSpec(t, work, "frozen.toml", "[model]\nfreeze_recurrent = true\n")
	const n = 8
	weights := func(name, model string, args ...string) []float32 {
		t.Helper()
		run := filepath.Join(work, name)
		rnntrain(t, work, append([]string{"train", "-config", frozen, "-model", model, "-steps", "2", "-hidden", strconv.Itoa(n), "-batch", "4",
			"-eval-trials", "4", "-quiet", "-plot-format", "svg", "-out", run}, args...)...).want(t, 0)
		c, err := checkpoints.Load(checkpoints.LatestPath(run))
		require.NoError(t, err)
		w, ok := c.Tensor(model + ".weight_hh")
		require.True(t, ok, "%s: no %s.weight_hh", name, model)
		require.Len(t, w.F32, n*n)
		return w.F32
	}
	// gram returns W Wᵀ.
	gram := func(w []float32) []float64 {
		g := make([]float64, n*n)
		for i := range n {
			for j := range n {
				for k := range n {
					g[i*n+j] += float64(w[i*n+k]) * float64(w[j*n+k])
				}
			}
		}
		return g
	}
	scaledIdentity := func(m []float64, s, tol float64) bool {
		for i := range n {
			for j := range n {
				want := 0.0
				if i == j {
					want = s
				}
				if math.Abs(m[i*n+j]-want) > tol {
					return false
				}
			}
		}
		return true
	}
	f64 := func(w []float32) []float64 {
		out := make([]float64, len(w))
		for i, x := range w {
			out[i] = float64(x)
		}
		return out
	}
	for _, model := range []string{"leaky", "lif"} {
		if w := weights(model+"-identity", model, "-init", "identity", "-spectral-radius", "0.5"); !scaledIdentity(f64(w), 0.5, 0) {
			t.Errorf("%s -init identity -spectral-radius 0.5: W_rec = %v, want 0.5·I", model, w)
		}
		if w := weights(model+"-orthogonal", model, "-init", "orthogonal", "-spectral-radius", "2"); !scaledIdentity(gram(w), 4, 1e-4) {
			t.Errorf("%s -init orthogonal -spectral-radius 2: W Wᵀ = %v, want 4·I", model, gram(w))
		}
		if w := weights(model+"-gaussian", model); scaledIdentity(gram(w), gram(w)[0], 1e-2) {
			t.Errorf("%s: the default gaussian W_rec has W Wᵀ ∝ I: %v", model, gram(w))
		}
	}
}
