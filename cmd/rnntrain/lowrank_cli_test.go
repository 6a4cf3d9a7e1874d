package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
)

// lowrankRun trains a rank-1 network for a few steps in a new directory,
// with train's flags extra after the others, and returns the work
// directory and the run directory.
func lowrankRun(t *testing.T, extra ...string) (work, run string) {
	t.Helper()
	work = t.TempDir()
	run = filepath.Join(work, "run")
	args := append([]string{"train", "-seed", "2", "-steps", "2", "-model", "lowrank", "-rank", "1", "-out", run}, small...)
	rnntrain(t, work, append(args, extra...)...).want(t, 0, "stopped at step 2")
	return work, run
}

// TestCLIPopulationsWritePath checks that populations -write refuses, before
// the fits, a path that holds anything but an earlier populations file (the
// checkpoint analysed, its config.json, a directory), fails on a path
// through a file, and makes a new path's missing directories.
func TestCLIPopulationsWritePath(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	ckpt := filepath.Join(run, "checkpoint.safetensors")
	before, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	pops := func(write string) result {
		t.Helper()
		return rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "2", "-resample", "0", "-trials", "4", "-write", write)
	}
	pops(ckpt).want(t, 2, "-write "+ckpt, "not a populations file")
	pops(filepath.Join(run, "config.json")).want(t, 2, "config.json", "not a populations file")
	pops(run).want(t, 2, "-write "+run+" is a directory")
	pops(filepath.Join(ckpt, "p.json")).want(t, 1, "-write "+filepath.Join(ckpt, "p.json"), "not a directory")
	if after, err := os.ReadFile(ckpt); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("populations -write changed the checkpoint (%v); it must refuse to replace it", err)
	}
	other := filepath.Join(work, "other.json") // sets of units this network does not have
	if err := os.WriteFile(other, []byte(`{"a": [100000]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	pops(other).want(t, 2, "-write "+other, "not a populations file of this network")
	p := filepath.Join(work, "new", "dir", "pops.json")
	pops(p).want(t, 0)
	pops(p).want(t, 0) // an earlier populations file is replaced
	if b, err := os.ReadFile(p); err != nil || !bytes.Contains(b, []byte(`"cluster0"`)) {
		t.Fatalf("populations -write %s: %v, %q; want a file of clusters", p, err, b)
	}
}

// TestCLILatentJSONKeys checks that latent -json names every value in
// snake case, as the other commands' JSON does.
func TestCLILatentJSONKeys(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	r := rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-json", "-out", "lat")
	r.want(t, 0)
	var sum map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("latent -json: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"rank", "inputs", "trials", "steps", "kappa_range", "max_kappa_diff", "max_v_diff", "out"} {
		if _, ok := sum[k]; !ok {
			t.Errorf("latent -json has no key %q\n%s", k, r.stdout)
		}
	}
	for k := range sum {
		if strings.ToLower(k) != k {
			t.Errorf("latent -json key %q: want snake case\n%s", k, r.stdout)
		}
	}
}

// TestCLIPopulationsFewUnits checks that populations says so when the
// network has no more units than its loading vectors have dimensions
// (6 units; rank 1, 4 inputs and 1 readout: 7 dimensions), where every
// full covariance fitted is singular and the BIC measures the
// regularisation; that it says so too when the mixture BIC chooses has a
// population of no more units than dimensions (24 units at their random
// start split 18/6), whose covariance is singular in the same way; and
// says nothing when every population has more units than dimensions (200
// units, one population).
func TestCLIPopulationsFewUnits(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t, "-task", "context-dm", "-hidden", "6")
	r := rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "2", "-resample", "0", "-trials", "4")
	r.want(t, 0)
	if !strings.Contains(r.stderr, "6 units for loading vectors of 7 dimensions") {
		t.Errorf("populations of 6 units in 7 dimensions: stderr %q; want a note that the covariances are singular", r.stderr)
	}
	work, run = lowrankRun(t)
	r = rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "2", "-resample", "0", "-trials", "4", "-json")
	r.want(t, 0)
	if !strings.Contains(r.stderr, "K = 2 has a population of 6.0 units (weight 0.25 of 24) for loading vectors of 7 dimensions") {
		t.Errorf("populations of 24 units in 18 and 6: stderr %q; want a note that the population of 6 is singular", r.stderr)
	}
	var rep populationsReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Chosen != 2 || !slices.Equal(rep.Singular, []int{2}) {
		t.Errorf("populations -json: %v, chosen %d, singular %v; want 2 and [2]", err, rep.Chosen, rep.Singular)
	}
	work, run = lowrankRun(t, "-hidden", "200")
	if r := rnntrain(t, work, "populations", "-checkpoint", run, "-max-k", "2", "-resample", "0", "-trials", "4"); strings.Contains(r.stderr, "note:") {
		t.Errorf("populations of 200 units: stderr %q; want no note", r.stderr)
	}
}

// TestCLIPopulationsUnfitted checks that populations names the numbers of
// populations up to -max-k it could not fit (more components than the 24
// units) instead of leaving them out of the table, and that a -k among
// them is an error naming -k.
func TestCLIPopulationsUnfitted(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	pops := func(args ...string) result {
		t.Helper()
		return rnntrain(t, work, append([]string{"populations", "-checkpoint", run, "-starts", "1", "-resample", "0", "-trials", "4"}, args...)...)
	}
	pops("-max-k", "27").want(t, 0, "K = 25–27: not fitted")
	r := pops("-max-k", "26", "-json")
	r.want(t, 0)
	var rep struct {
		Unfitted []int `json:"unfitted"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || !slices.Equal(rep.Unfitted, []int{25, 26}) {
		t.Errorf("populations -json: %v, unfitted %v; want [25 26]", err, rep.Unfitted)
	}
	pops("-max-k", "26", "-k", "26", "-resample", "1").want(t, 1, "-k 26: no mixture of 26 components", "fitted: K = 1–24")
}

// TestCLILatentLengths checks that latent of a task of trials of several
// lengths (parametric-wm) says how long each trial is (latent.npz length,
// the steps printed, -json shortest_steps), so that the padding after a
// trial's end is not read as its dynamics.
func TestCLILatentLengths(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t, "-task", "parametric-wm")
	r := rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "8", "-json", "-out", "lat")
	r.want(t, 0)
	var sum struct {
		Steps    int `json:"steps"`
		Shortest int `json:"shortest_steps"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("latent -json: %v\n%s", err, r.stdout)
	}
	f, err := npy.OpenArchive(filepath.Join(work, "lat", "latent.npz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := f.ReadNumeric("length")
	if err != nil {
		t.Fatalf("latent.npz: %v; want an array length", err)
	}
	lengths := a.Float64()
	if len(lengths) != 8 || slices.Min(lengths) == slices.Max(lengths) {
		t.Fatalf("latent.npz length %v: want 8 trials of several lengths", lengths)
	}
	if int(slices.Max(lengths)) != sum.Steps || int(slices.Min(lengths)) != sum.Shortest {
		t.Errorf("latent -json steps %d, shortest_steps %d; want %v and %v, the longest and shortest of length", sum.Steps, sum.Shortest, slices.Max(lengths), slices.Min(lengths))
	}
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "8", "-out", "lat").
		want(t, 0, fmt.Sprintf("8 fresh trials of %d–%d steps", sum.Shortest, sum.Steps))
}

// TestCLILatentMemory checks that latent refuses, before recording them in
// one batch, more trials than the memory holds (here a -max-memory of
// 10 MiB), with the flags to change, and a -max-memory that is no size.
func TestCLILatentMemory(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "100000", "-max-memory", "0.01", "-out", "lat").
		want(t, 2, "-trials 100000: recording 100000 trials", "more than the -max-memory limit (10.2 MiB); lower -trials")
	rnntrain(t, work, "latent", "-checkpoint", run, "-max-memory", "NaN").want(t, 2, "-max-memory NaN: want a size in GiB")
	if _, err := os.Stat(filepath.Join(work, "lat")); !os.IsNotExist(err) {
		t.Errorf("a refused latent made its -out (%v)", err)
	}
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-max-memory", "1", "-out", "lat").want(t, 0, "2 fresh trials of")
}

// TestCLILatentDependent checks that latent of a network whose vectors
// m_r and I_s are dependent (rank 21 and 4 inputs in 24 units) is an
// error naming the checkpoint and why, not the library's message alone.
func TestCLILatentDependent(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t, "-task", "context-dm", "-rank", "21")
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-out", "lat").
		want(t, 1, "-checkpoint "+run+": ", "linearly dependent", "not unique (rank 21 + 4 inputs of 24 units)")
}

// TestCLIPopulationsHeldOut checks that populations scores a network
// trained on a dataset (an npz file of 50 trials, 5 held out for
// validation) on its held-out split, as eval does, not on its training
// trials, and says which trials it scored.
func TestCLIPopulationsHeldOut(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t, "-task", "context-dm")
	rnntrain(t, work, "eval", "-checkpoint", run, "-trials", "50", "-noise=false", "-record", "ds.npz").want(t, 0)
	_, ds := lowrankRun(t, "-task", "npz", "-data", filepath.Join(work, "ds.npz"))
	r := rnntrain(t, work, "populations", "-checkpoint", ds, "-max-k", "1", "-resample", "0", "-trials", "1000", "-json")
	r.want(t, 0)
	var rep struct {
		Trials int    `json:"trials"`
		Split  string `json:"split"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Trials != 5 || rep.Split != "validation" {
		t.Errorf("populations -json: %v, %d trials of split %q; want the 5 validation trials\n%s", err, rep.Trials, rep.Split, r.stdout)
	}
	rnntrain(t, work, "populations", "-checkpoint", ds, "-max-k", "1", "-resample", "0", "-trials", "1000").
		want(t, 0, "task accuracy of the network: ", " on 5 validation trials, without noise")
}

// TestCLIInactivateClusterSingular: inactivate -population cluster:I
// notes, as populations does, when the mixture it takes the population from
// has a population of no more units than the loadings have dimensions
// (24 units at their random start, 7 dimensions, 4 populations of 4–10).
func TestCLIInactivateClusterSingular(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-population", "cluster:0").
		want(t, 0, "note: -population cluster:0: the mixture of 4 populations has a population of 4.0 units (weight 0.17 of 24) for loading vectors of 7 dimensions")
}

// TestCLILatentScales: vectors m_r and I_s of very different sizes (m
// scaled by 10⁴, the input weights by 10⁻⁴) are not dependent, and latent
// reduces the network as it does the unscaled one, instead of refusing it
// as linearly dependent; a zero m_r is dependent, and the error says which.
func TestCLILatentScales(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t, "-task", "context-dm")
	c, err := checkpoints.Load(filepath.Join(run, "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(name string, f func(float32) float32) {
		tensor, ok := c.Tensor(name)
		if !ok {
			t.Fatalf("the checkpoint has no %s", name)
		}
		for i, x := range tensor.F32 {
			tensor.F32[i] = f(x)
		}
	}
	edit("lowrank.m", func(x float32) float32 { return x * 1e4 })
	edit("lowrank.wi", func(x float32) float32 { return x * 1e-4 })
	if err := checkpoints.Save(filepath.Join(work, "scaled.safetensors"), c); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, work, "latent", "-checkpoint", "scaled.safetensors", "-trials", "2", "-json", "-out", "lat")
	r.want(t, 0)
	var sum struct {
		MaxKappaDiff float64 `json:"max_kappa_diff"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("latent -json: %v\n%s", err, r.stdout)
	}
	if sum.MaxKappaDiff > 1e-4 {
		t.Errorf("largest |κ − κ_network| %g, want rounding (≤ 1e-4)", sum.MaxKappaDiff)
	}

	edit("lowrank.m", func(float32) float32 { return 0 })
	if err := checkpoints.Save(filepath.Join(work, "zero.safetensors"), c); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "latent", "-checkpoint", "zero.safetensors", "-trials", "2", "-out", "lat0").
		want(t, 1, "-checkpoint zero.safetensors: ", "linearly dependent (m_1 is zero)")
}

// TestCLILatentOutRefusedFirst checks that latent refuses an -out it
// cannot make (a file, a path through one) before it loads the checkpoint
// or runs a trial, whose results it would lose, and that the file is left
// as it was.
func TestCLILatentOutRefusedFirst(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	cfg := filepath.Join(run, "config.json")
	before, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-out", cfg).want(t, 1, "-out "+cfg, "is not a directory")
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-out", filepath.Join(cfg, "lat")).want(t, 1, "-out "+filepath.Join(cfg, "lat"), "not a directory")
	// Refused before the checkpoint is read: a missing one is not reached.
	r := rnntrain(t, work, "latent", "-checkpoint", filepath.Join(work, "missing"), "-out", cfg)
	r.want(t, 1, "-out "+cfg, "is not a directory")
	if strings.Contains(r.stderr, "missing") {
		t.Errorf("latent read the checkpoint before refusing -out:\n%s", r.stderr)
	}
	if after, err := os.ReadFile(cfg); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("latent -out %s changed the file (%v)", cfg, err)
	}
	rnntrain(t, work, "latent", "-checkpoint", run, "-trials", "2", "-out", filepath.Join(work, "new", "lat")).want(t, 0, "κ_1")
}

// TestCLIRefusedLeavesNoOut checks that inactivate, fixedpoints and latent,
// refused (a missing checkpoint, an input the task has no period of, a
// model that cannot be cut), make no -out directory, and that one they
// write is made with its missing parents.
func TestCLIRefusedLeavesNoOut(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	out := filepath.Join(work, "out", "sub")
	rnntrain(t, work, "inactivate", "-checkpoint", filepath.Join(work, "missing"), "-out", out).want(t, 1, "missing")
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-cut", "0:1", "-out", out).want(t, 2, "-cut: model lowrank")
	rnntrain(t, work, "fixedpoints", "-checkpoint", run, "-trials", "2", "-n-init", "2", "-input", "nosuchperiod", "-out", out).want(t, 2, `no recorded trial has a period "nosuchperiod"`)
	rnntrain(t, work, "latent", "-checkpoint", filepath.Join(work, "missing"), "-out", out).want(t, 1, "missing")
	if _, err := os.Stat(filepath.Join(work, "out")); !os.IsNotExist(err) {
		t.Fatalf("a refused command left %s behind (%v)", filepath.Join(work, "out"), err)
	}
	rnntrain(t, work, "inactivate", "-checkpoint", run, "-trials", "4", "-out", out).want(t, 0)
	if _, err := os.Stat(filepath.Join(out, "inactivation.json")); err != nil {
		t.Fatalf("inactivate -out %s: %v", out, err)
	}
}

// TestCLILowrankScalesAndBias: model.input_scale and model.output_scale
// are the initial s_i and s_o of a low-rank net, kept as given with the
// input and the readout frozen; model.no_bias keeps the bias of a net
// with rates phi at zero where training moves it without. output_scale
// (the own readout's) is refused with rates phi or state, no_bias (a bias
// the own readout never trains) with rates tanh.
func TestCLILowrankScalesAndBias(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	base := []string{"train", "-model", "lowrank", "-rank", "1", "-hidden", "8", "-steps", "3", "-batch", "4",
		"-eval-trials", "8", "-lr", "0.05", "-quiet", "-plot-format", "svg"}
	tensors := func(run string) map[string][]float32 {
		t.Helper()
		c, err := checkpoints.Load(checkpoints.LatestPath(run))
		require.NoError(t, err)
		m := map[string][]float32{}
		for _, x := range c.Tensors {
			m[x.Name] = x.F32
		}
		return m
	}
	all := func(name string, xs []float32, want float32) {
		t.Helper()
		require.NotEmpty(t, xs, name)
		for i, x := range xs {
			require.Equal(t, want, x, "%s[%d]", name, i)
		}
	}

	scales := writeSpec(t, work, "scales.toml", "[model]\ninput_scale = 0.5\noutput_scale = 2\nfreeze_input = true\nfreeze_output = true\n")
	run := filepath.Join(work, "scales")
	rnntrain(t, work, append(base, "-config", scales, "-out", run)...).want(t, 0)
	p := tensors(run)
	all("lowrank.si", p["lowrank.si"], 0.5)
	all("lowrank.so", p["lowrank.so"], 2)

	noBias := writeSpec(t, work, "nobias.toml", "[model]\nrates = \"phi\"\nno_bias = true\n")
	run = filepath.Join(work, "nobias")
	rnntrain(t, work, append(base, "-config", noBias, "-out", run)...).want(t, 0)
	all("lowrank.b", tensors(run)["lowrank.b"], 0)
	run = filepath.Join(work, "bias")
	rnntrain(t, work, append(base, "-rates", "phi", "-out", run)...).want(t, 0)
	if b := tensors(run)["lowrank.b"]; !slices.ContainsFunc(b, func(x float32) bool { return x != 0 }) {
		t.Errorf("rates phi without no_bias: the bias stayed 0 (%v); the test shows nothing", b)
	}

	for _, c := range []struct{ args, toml, want string }{
		{"-rates phi", "output_scale = 2", "c.toml: model.output_scale: has no effect without model.rates = tanh"},
		{"-rates state", "output_scale = 2", "c.toml: model.output_scale: has no effect without model.rates = tanh"},
		{"", "no_bias = true", "c.toml: model.no_bias: has no effect with model.rates = tanh"},
	} {
		file := writeSpec(t, work, "c.toml", "[model]\n"+c.toml+"\n")
		out := filepath.Join(work, "refused")
		rnntrain(t, work, append(append(base, "-config", file, "-out", out), strings.Fields(c.args)...)...).want(t, 2, c.want)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s %s: a refused run made %s (%v)", c.args, c.toml, out, err)
		}
	}
}

// TestCLIPopulationsIterationsAndReg: -iters and -reg reach the EM fits. A
// larger -reg widens every covariance past the maximum-likelihood one, so
// the one-population fit's log-likelihood falls; one EM iteration per start
// leaves the two-population fit short of the default's. Values out of
// range are usage errors naming the flag.
func TestCLIPopulationsIterationsAndReg(t *testing.T) {
	t.Parallel()
	work, run := lowrankRun(t)
	fits := func(args ...string) map[int]float64 {
		t.Helper()
		r := rnntrain(t, work, append([]string{"populations", "-checkpoint", run, "-max-k", "2", "-starts", "1", "-resample", "0", "-trials", "4", "-json"}, args...)...)
		r.want(t, 0)
		var rep struct {
			Mixtures []struct {
				K      int     `json:"k"`
				LogLik float64 `json:"log_likelihood"`
			} `json:"mixtures"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep), r.stdout)
		ll := map[int]float64{}
		for _, m := range rep.Mixtures {
			ll[m.K] = m.LogLik
		}
		require.Contains(t, ll, 1, r.stdout)
		require.Contains(t, ll, 2, r.stdout)
		return ll
	}
	def := fits()
	require.Equal(t, def, fits("-iters", "200", "-reg", "1e-4"), "the defaults given as flags")
	if wide := fits("-reg", "0.5"); !(wide[1] < def[1]) {
		t.Errorf("-reg 0.5: log-likelihood of one population %g, want below the default -reg's %g", wide[1], def[1])
	}
	if short := fits("-iters", "1"); short[2] == def[2] {
		t.Errorf("-iters 1: log-likelihood of two populations %g, the default -iters' too: -iters does not reach EM", short[2])
	}
	for _, c := range []struct{ flag, val, want string }{
		{"-iters", "0", "-iters must be in [1, 100000], got 0"},
		{"-reg", "0", "-reg must be finite and > 0, got 0"},
		{"-reg", "-1", "-reg must be finite and > 0, got -1"},
		{"-reg", "NaN", "-reg must be finite and > 0, got NaN"},
		{"-reg", "Inf", "-reg must be finite and > 0, got +Inf"},
	} {
		rnntrain(t, work, "populations", "-checkpoint", run, c.flag, c.val).want(t, 2, c.want)
	}
}
