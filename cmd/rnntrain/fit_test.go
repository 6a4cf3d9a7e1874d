package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/npy"
)

// TestCLIFit trains a small low-rank network, records it with eval -record
// and fits ranks 1-2 to the recording: the report, plots and checkpoints
// must be there, and eval and inspect must accept the fitted checkpoints.
func TestCLIFit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "1", "-hidden", "16", "-steps", "5",
		"-eval-trials", "16", "-batch", "8", "-out", "teacher").want(t, 0)
	rnntrain(t, dir, "eval", "-checkpoint", "teacher", "-trials", "12", "-noise=false", "-record", "rec.npz").want(t, 0, "rec.npz")
	r := rnntrain(t, dir, "fit", "-data", "rec.npz", "-ranks", "1-2", "-steps", "20", "-holdout", "2", "-json", "-out", "fit")
	r.want(t, 0)
	var rep struct {
		Units int `json:"units"`
		Full  *struct {
			Rank int `json:"rank"`
		} `json:"full_rank"`
		Fits []struct {
			Rank       int        `json:"rank"`
			R2         float64    `json:"r2"`
			R2Heldout  *float64   `json:"r2_heldout"`
			R2Unit     []*float64 `json:"r2_unit"`
			Checkpoint string     `json:"checkpoint"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("fit -json output: %v\n%s", err, r.stdout)
	}
	if rep.Units != 16 || rep.Full == nil || rep.Full.Rank != 16 || len(rep.Fits) != 2 || rep.Fits[1].Rank != 2 {
		t.Fatalf("report: %d units, full %+v, %d fits; want 16 units, a rank-16 full fit and ranks 1, 2", rep.Units, rep.Full, len(rep.Fits))
	}
	for _, f := range rep.Fits {
		if f.R2Heldout == nil || len(f.R2Unit) != 16 || !(f.R2 < 1) {
			t.Fatalf("rank %d: R² %v, held-out %v, %d per-unit values; want R² < 1, a held-out R² and 16 per-unit values", f.Rank, f.R2, f.R2Heldout, len(f.R2Unit))
		}
	}
	for _, p := range []string{"fit/fit.json", "fit/r2.png", "fit/r2.svg", "fit/data.npz", "fit/rank-1/fit.png", "fit/rank-1/fit.svg", "fit/rank-2/checkpoint.safetensors", "fit/full/checkpoint.safetensors"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("fit wrote no %s: %v", p, err)
		}
	}
	// A fit's checkpoint is no legacy dataset run: eval scores its data's
	// held-out conditions (its validation split) or, with -split train,
	// its fitted ones, without the warning of old runs.
	r = rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1")
	r.want(t, 0, "task npz", "2 validation trials")
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1", "-split", "train", "-trials", "8").want(t, 0, "8 train trials")
	if strings.Contains(r.stderr, "before datasets had splits") {
		t.Errorf("eval of a fit checkpoint warns of a run without splits:\n%s", r.stderr)
	}
	rnntrain(t, dir, "inspect", "fit/rank-2").want(t, 0, "lowrank", "fit_r2")
	// Latent dynamics of the teacher and of a fit: the reduced system
	// reproduces the network's κ.
	r = rnntrain(t, dir, "latent", "-checkpoint", "teacher", "-trials", "3", "-json", "-out", "lat")
	r.want(t, 0)
	var lat struct {
		Rank         int     `json:"rank"`
		MaxKappaDiff float64 `json:"max_kappa_diff"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &lat); err != nil || lat.Rank != 1 || !(lat.MaxKappaDiff < 1e-4) {
		t.Fatalf("latent -json: %v, rank %d, largest κ difference %v; want rank 1 and < 1e-4\n%s", err, lat.Rank, lat.MaxKappaDiff, r.stdout)
	}
	for _, p := range []string{"lat/latent.npz", "lat/latent.png", "lat/latent.svg"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("latent wrote no %s: %v", p, err)
		}
	}
	rnntrain(t, dir, "latent", "-checkpoint", "fit/rank-2", "-trials", "2", "-out", "lat2").want(t, 0, "κ_2", "reduced latent system")
	rnntrain(t, dir, "populations", "-checkpoint", "teacher", "-max-k", "2", "-k", "2", "-resample", "2", "-trials", "16").
		want(t, 0, "lowest BIC", "resampled from 1 population", "resampled from 2 population")
	// Flags override a config file; a bad file is named.
	os.WriteFile(filepath.Join(dir, "fit.toml"), []byte("steps = 3\ninit = \"random\"\nhidden = 2\n"), 0o644)
	r = rnntrain(t, dir, "fit", "-data", "rec.npz", "-ranks", "1", "-config", "fit.toml", "-hidden", "0", "-json", "-out", "fit2")
	r.want(t, 0, `"steps": 3`, `"init": "random"`, `"hidden": 0`)
	os.WriteFile(filepath.Join(dir, "bad.toml"), []byte("stepz = 3\n"), 0o644)
	rnntrain(t, dir, "fit", "-data", "rec.npz", "-config", "bad.toml").want(t, 2, "bad.toml", "stepz")
}

// TestCLIFitConstantActivity: activity without variance has no R²; fit
// reports it as null instead of failing to write fit.json after fitting.
func TestCLIFitConstantActivity(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := npy.WriteArchiveValues(filepath.Join(dir, "flat.npz"), map[string]any{
		"activity": [][][]float32{{{0.2, 0.2}, {0.2, 0.2}}, {{0.2, 0.2}, {0.2, 0.2}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "fit", "-data", "flat.npz", "-ranks", "1", "-steps", "3", "-holdout", "1", "-json", "-out", "fit").want(t, 0, `"r2": null`)
	b, err := os.ReadFile(filepath.Join(dir, "fit", "fit.json"))
	if err != nil || !bytes.Contains(b, []byte(`"r2": null`)) {
		t.Errorf("fit.json: %v\n%s", err, b)
	}
	// A fit never overwrites an earlier one, nor the run of one rank.
	ckpt := filepath.Join(dir, "fit", "rank-1", "checkpoint.safetensors")
	before, err := os.ReadFile(ckpt)
	if err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "fit", "-data", "flat.npz", "-ranks", "1", "-steps", "4", "-out", "fit").want(t, 2, "-out fit already holds a fit (fit.json)")
	os.Remove(filepath.Join(dir, "fit", "fit.json")) // as an interrupted fit leaves it
	rnntrain(t, dir, "fit", "-data", "flat.npz", "-ranks", "1", "-init", "random", "-steps", "4", "-out", "fit").want(t, 2, filepath.Join("fit", "rank-1")+" already holds a run")
	if after, err := os.ReadFile(ckpt); err != nil || !bytes.Equal(after, before) {
		t.Errorf("a second fit into -out fit replaced %s (%v)", ckpt, err)
	}
}

// TestCLIFitKeepsOtherData checks that fit does not replace a data.npz in
// -out other than the one it writes there (a dataset of the user's, the
// data of another fit's checkpoints), and that it takes the one an
// interrupted fit of the same data left.
func TestCLIFitKeepsOtherData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, v float32) {
		if err := npy.WriteArchiveValues(filepath.Join(dir, name), map[string]any{
			"activity": [][][]float32{{{v, 0.2}, {0.1, -v}}, {{-v, 0.3}, {0.2, v}}},
			"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	write("a.npz", 0.1)
	write("b.npz", 0.4)
	mine := filepath.Join(dir, "mine", "data.npz")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "b.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, saved, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "fit", "-data", "a.npz", "-ranks", "1", "-steps", "3", "-out", "mine").
		want(t, 2, "-out mine: "+filepath.Join("mine", "data.npz")+" holds other data than this fit's", "choose another -out")
	if b, err := os.ReadFile(mine); err != nil || !bytes.Equal(b, saved) {
		t.Errorf("fit -out mine replaced %s (%v)", mine, err)
	}
	// An interrupted fit leaves its data.npz alone: the same fit again
	// takes it, another -free (another mask) does not.
	rnntrain(t, dir, "fit", "-data", "a.npz", "-ranks", "1", "-steps", "3", "-out", "fit").want(t, 0)
	for _, f := range []string{"fit.json", "full", "rank-1"} {
		if err := os.RemoveAll(filepath.Join(dir, "fit", f)); err != nil {
			t.Fatal(err)
		}
	}
	rnntrain(t, dir, "fit", "-data", "a.npz", "-ranks", "1", "-steps", "3", "-free", "1", "-out", "fit").want(t, 2, "holds other data than this fit's")
	rnntrain(t, dir, "fit", "-data", "a.npz", "-ranks", "1", "-steps", "3", "-out", "fit").want(t, 0)
}

func TestCLIFitErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "junk.npz"), []byte("not a zip"), 0o644)
	os.WriteFile(filepath.Join(dir, "rank.toml"), []byte("rank = 2\n"), 0o644)
	recording := filepath.Join(dir, "data.npz")
	if err := npy.WriteArchiveValues(recording, map[string]any{
		"activity": [][][]float32{{{0.1, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(recording)
	if err != nil {
		t.Fatal(err)
	}
	// Sampled every 250 ms: longer than the τ = 100 ms of the default α.
	if err := npy.WriteArchiveValues(filepath.Join(dir, "slow.npz"), map[string]any{
		"activity": [][][]float32{{{0.1, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
		"dt":       250.0,
	}); err != nil {
		t.Fatal(err)
	}
	// Sampled every 10⁻³⁰⁰ ms: the default α = dt/τ is 0 in float32.
	if err := npy.WriteArchiveValues(filepath.Join(dir, "fast.npz"), map[string]any{
		"activity": [][][]float32{{{0.1, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
		"dt":       1e-300,
	}); err != nil {
		t.Fatal(err)
	}
	// Activity whose squared errors overflow float32 in the first loss.
	if err := npy.WriteArchiveValues(filepath.Join(dir, "huge.npz"), map[string]any{
		"activity": [][][]float32{{{1e30, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"no data", []string{"fit"}, 2, []string{"-data FILE is required"}},
		// Not a divergence that a lower -lr would cure.
		{"huge activity", []string{"fit", "-data", "huge.npz", "-ranks", "1", "-steps", "5", "-out", "hugefit"}, 1,
			[]string{"the loss of the initial network is +Inf, before any update: the data overflow float32", "|activity| up to 1e+30"}},
		// An α that float32 rounds to 0 is refused before the fits, not
		// when their checkpoints are written.
		{"alpha 0 in float32", []string{"fit", "-data", "data.npz", "-ranks", "1", "-steps", "5", "-alpha", "1e-50", "-out", "tinyfit"}, 2,
			[]string{"-alpha (alpha in a config file): 1e-50 is 0 in float32"}},
		{"dt gives alpha 0 in float32", []string{"fit", "-data", "fast.npz", "-ranks", "1", "-steps", "5", "-out", "fastfit"}, 2,
			[]string{"-alpha (alpha in a config file): the data's dt = 1e-300 ms gives the default α = dt/τ = 1e-302, which is 0 in float32"}},
		{"bad ranks", []string{"fit", "-data", "x.npz", "-ranks", "3-1"}, 2, []string{"-ranks", `"3-1"`}},
		{"bad init", []string{"fit", "-data", "x.npz", "-init", "zeros"}, 2, []string{"-init", "svd, random"}},
		{"no plot units", []string{"fit", "-data", "x.npz", "-plot-units", "0"}, 2, []string{"-plot-units 0: want at least 1 unit"}},
		{"missing data", []string{"fit", "-data", "x.npz"}, 1, []string{"x.npz"}},
		{"junk data", []string{"fit", "-data", "junk.npz"}, 1, []string{"junk.npz", "not an .npz archive"}},
		{"rank in config", []string{"fit", "-data", "data.npz", "-config", "rank.toml", "-ranks", "1", "-steps", "5", "-out", "rankfit"}, 2, []string{"rank.toml", "rank", "-ranks"}},
		// lowrank.FitConfig's checks name the flags: the default -ranks
		// asks for more ranks than 2 units have.
		{"default ranks", []string{"fit", "-data", "data.npz", "-steps", "5", "-out", "ranksfit"}, 2, []string{"-ranks 1-5: must be in [1, units+hidden = 2], got 3"}},
		{"bad alpha", []string{"fit", "-data", "data.npz", "-ranks", "1", "-alpha", "2", "-out", "alphafit"}, 2, []string{"-alpha (alpha in a config file): must be in (0, 1], got 2"}},
		{"dt above tau", []string{"fit", "-data", "slow.npz", "-ranks", "1", "-steps", "5", "-out", "slowfit"}, 2, []string{"-alpha (alpha in a config file)", "dt = 250 ms", "τ = 100 ms", "α = dt/τ = 2.5"}},
		{"bad noise", []string{"fit", "-data", "data.npz", "-ranks", "1", "-noise", "NaN", "-out", "noisefit"}, 2, []string{"-noise (noise_std in a config file): must be ≥ 0"}},
		{"bad holdout", []string{"fit", "-data", "data.npz", "-ranks", "1", "-holdout", "2", "-out", "holdfit"}, 2, []string{"-holdout (holdout in a config file): must be in [0, conditions = 2), got 2"}},
		{"data in -out", []string{"fit", "-data", "data.npz", "-out", ".", "-ranks", "1", "-steps", "5"}, 2, []string{"-out .", "-data data.npz", "choose another -out"}},
		{"latent needs checkpoint", []string{"latent"}, 2, []string{"-checkpoint PATH is required"}},
		{"populations needs checkpoint", []string{"populations", "-max-k", "0"}, 2, []string{"-checkpoint PATH is required"}},
		{"populations bad k", []string{"populations", "-checkpoint", "x", "-max-k", "0"}, 2, []string{"-max-k"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rnntrain(t, dir, c.args...).want(t, c.code, c.want...)
		})
	}
	if b, err := os.ReadFile(recording); err != nil || !bytes.Equal(b, saved) {
		t.Errorf("fit -data data.npz -out . replaced data.npz (%v)", err)
	}
	for _, out := range []string{"tinyfit", "fastfit"} {
		if _, err := os.Stat(filepath.Join(dir, out)); !os.IsNotExist(err) {
			t.Errorf("a refused fit made %s (%v)", out, err)
		}
	}
}

// TestCLIFitSizes: a network too large for memory, by -hidden or by the
// data's units, is refused before anything is allocated, naming the flag
// or the file; -max-memory bounds the estimate.
func TestCLIFitSizes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := npy.WriteArchiveValues(filepath.Join(dir, "data.npz"), map[string]any{
		"activity": [][][]float32{{{0.1, -0.2}, {0.3, 0.1}}, {{-0.1, 0.2}, {0.2, 0.4}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
	// 100 000 recorded units in one step of one condition: 400 kB of data
	// for a network of 10¹⁰ weights.
	if err := npy.WriteArchiveValues(filepath.Join(dir, "wide.npz"), map[string]any{
		"activity": [][][]float32{{make([]float32, 100_000)}},
		"inputs":   [][][]float32{{{1}}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "huge.toml"), []byte("hidden = 100000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fit := []string{"fit", "-data", "data.npz", "-ranks", "1", "-steps", "2", "-out", "out"}
	cases := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"huge hidden", slices.Concat(fit, []string{"-hidden", "1000000000"}), 2, []string{"-hidden (hidden in a config file): got 1000000000, more than 65536 units"}},
		{"largest hidden", slices.Concat(fit, []string{"-hidden", "9223372036854775807"}), 2, []string{"-hidden (hidden in a config file): got 9223372036854775807, more than 65536 units"}},
		{"huge hidden in a file", slices.Concat(fit, []string{"-config", "huge.toml"}), 2, []string{"config huge.toml: hidden: got 100000, more than 65536 units"}},
		{"hidden and units", slices.Concat(fit, []string{"-hidden", "65535"}), 2, []string{"-hidden (hidden in a config file): got 65535: with the 2 units of -data data.npz, N = 65537"}},
		{"wide data", []string{"fit", "-data", "wide.npz", "-out", "out"}, 1, []string{"wide.npz", "100000 units", "more than 65536"}},
		{"over -max-memory", slices.Concat(fit, []string{"-hidden", "4000", "-max-memory", "0.01"}), 2, []string{"N = 4002", "-max-memory limit", "-init svd", "-hidden"}},
		{"bad -max-memory", slices.Concat(fit, []string{"-max-memory", "NaN"}), 2, []string{"-max-memory NaN", "GiB"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rnntrain(t, dir, c.args...).want(t, c.code, c.want...)
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("a refused fit wrote -out (%v)", err)
	}
}

// TestCLITruncate: the full-rank truncation of a leaky network is the
// network itself (same outputs), a lower rank is a valid low-rank
// checkpoint, and train -init-from starts from it.
func TestCLITruncate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, "train", "-task", "context-dm", "-model", "leaky", "-activation", "tanh", "-hidden", "12", "-steps", "5",
		"-eval-trials", "16", "-batch", "8", "-out", "full").want(t, 0)
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "12", "-trials", "20", "-out", "r12").want(t, 0, "rank 12", "100.0 %")
	r := rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-trials", "20", "-json", "-out", "r2")
	r.want(t, 0, `"rank": 2`, `"variance_kept"`)
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-trials", "20", "-out", "r2").
		want(t, 2, "-out r2 already holds a run", "truncate does not overwrite a run")
	// A directory of the user's files is refused and left as it was.
	if err := os.MkdirAll(filepath.Join(dir, "mine"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"config.json", ".config.json-7"} {
		if err := os.WriteFile(filepath.Join(dir, "mine", f), []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-trials", "20", "-out", "mine").want(t, 2, "-out mine", "config.json")
	for _, f := range []string{"config.json", ".config.json-7"} {
		if b, err := os.ReadFile(filepath.Join(dir, "mine", f)); err != nil || string(b) != "mine" {
			t.Errorf("%s after the refused truncate: %q, %v", f, b, err)
		}
	}
	outputs := func(run string) []float32 {
		rnntrain(t, dir, "eval", "-checkpoint", run, "-trials", "6", "-noise=false", "-record", run+".npz").want(t, 0)
		f, err := npy.OpenArchive(filepath.Join(dir, run+".npz"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		x, err := f.Read("outputs")
		if err != nil {
			t.Fatal(err)
		}
		return x.Float32()
	}
	same := func(src, trunc string) {
		t.Helper()
		a, b := outputs(src), outputs(trunc)
		if len(a) != len(b) || len(a) == 0 {
			t.Fatalf("%d and %d outputs", len(a), len(b))
		}
		for i := range a {
			if d := math.Abs(float64(a[i] - b[i])); d > 1e-4 {
				t.Fatalf("output %d: %s %v, its rank-12 truncation %s %v", i, src, a[i], trunc, b[i])
			}
		}
	}
	same("full", "r12")
	// A network with masked connectivity (no autapses, an input mask) is
	// truncated from its effective weights, the ones its dynamics use.
	mask := make([]float32, 12*4)
	for i := range mask {
		mask[i] = float32(i % 3 % 2) // a third of the inputs cut
	}
	if err := npy.WriteFile(filepath.Join(dir, "in-mask.npy"), npy.Array{Shape: []int{12, 4}, F32: mask}); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "train", "-task", "context-dm", "-model", "leaky", "-activation", "tanh", "-hidden", "12", "-steps", "5",
		"-no-autapses", "-in-mask", "in-mask.npy", "-eval-trials", "16", "-batch", "8", "-out", "masked").want(t, 0)
	rnntrain(t, dir, "truncate", "-checkpoint", "masked", "-rank", "12", "-trials", "20", "-out", "m12").want(t, 0, "rank 12")
	same("masked", "m12")
	rnntrain(t, dir, "latent", "-checkpoint", "r2", "-trials", "2", "-out", "lat").want(t, 0, "κ_2")
	rnntrain(t, dir, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "2", "-hidden", "12", "-rates", "phi", "-init-from", "full",
		"-steps", "2", "-eval-trials", "16", "-batch", "8", "-out", "init").want(t, 0, "rank-2 truncation", "lowrank.m", "readout.weight")
	// -quiet leaves the note out with the rest of the header.
	r = rnntrain(t, dir, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "2", "-hidden", "12", "-rates", "phi", "-init-from", "full",
		"-steps", "2", "-eval-trials", "16", "-batch", "8", "-quiet", "-out", "init-quiet")
	r.want(t, 0, "final evaluation")
	if strings.Contains(r.stdout, "truncation") {
		t.Errorf("train -quiet -init-from prints the header's note:\n%s", r.stdout)
	}
	// The truncation is the source network only with its φ and α: a run
	// with another activation or leak is refused, naming both. A refused
	// run, or one whose source cannot be read, leaves no -out directory.
	for _, flags := range [][]string{{"-activation", "relu"}, {"-alpha", "0.1"}} {
		args := append([]string{"train", "-task", "context-dm", "-model", "lowrank", "-rank", "2", "-hidden", "12", "-rates", "phi",
			"-init-from", "full", "-steps", "2", "-eval-trials", "16", "-batch", "8", "-out", "init-" + flags[0][1:]}, flags...)
		rnntrain(t, dir, args...).want(t, 2, "-init-from", "activation tanh and alpha 0.2", "-activation tanh -alpha 0.2")
		assert.NoDirExists(t, filepath.Join(dir, "init-"+flags[0][1:]), "a refused -init-from run")
	}
	for _, c := range []struct {
		from, hidden string
		code         int
		want         string
	}{
		{"full", "10", 2, "the network has 4 inputs, 12 units"},
		{"nope", "12", 1, "no such file"},
	} {
		rnntrain(t, dir, "train", "-task", "context-dm", "-model", "lowrank", "-rank", "2", "-hidden", c.hidden, "-init-from", c.from,
			"-steps", "2", "-out", filepath.Join("refused", "init")).want(t, c.code, "-init-from", c.want)
		assert.NoDirExists(t, filepath.Join(dir, "refused"), "a refused -init-from run")
	}
	// A branch (-resume A -out B) of a run with no checkpoint yet starts
	// from A's -init-from source too; failing on it, it leaves no B.
	cfgJSON, err := os.ReadFile(filepath.Join(dir, "init", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfgMap map[string]any
	if err := json.Unmarshal(cfgJSON, &cfgMap); err != nil {
		t.Fatal(err)
	}
	cfgMap["model"].(map[string]any)["init_from"] = "nope"
	if err := os.MkdirAll(filepath.Join(dir, "nockpt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if cfgJSON, err = json.Marshal(cfgMap); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nockpt", "config.json"), cfgJSON, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "train", "-resume", "nockpt", "-out", filepath.Join("refused", "branch")).want(t, 1, "-init-from", "no such file")
	assert.NoDirExists(t, filepath.Join(dir, "refused"), "a refused branch of a run with no checkpoint")
	rnntrain(t, dir, "truncate", "-checkpoint", "r2", "-rank", "1").want(t, 2, "truncation needs a full-rank leaky network")
	// An -out that is a file is named as the flag.
	os.WriteFile(filepath.Join(dir, "afile"), nil, 0o644)
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-out", "afile").want(t, 1, "-out afile: ")
	rnntrain(t, dir, "train", "-steps", "1", "-out", "afile").want(t, 1, "-out afile: ")
	rnntrain(t, dir, "truncate", "-checkpoint", "full").want(t, 2, "-rank R")
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "13").want(t, 2, "exceeds")
	// -out never overwrites a run: not an earlier truncation, not the source.
	before, err := os.ReadFile(filepath.Join(dir, "full", "checkpoint.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{"r2", "full"} {
		rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "1", "-trials", "20", "-out", out).want(t, 2, "-out "+out+" already holds a run")
	}
	after, err := os.ReadFile(filepath.Join(dir, "full", "checkpoint.safetensors"))
	if err != nil || !bytes.Equal(after, before) {
		t.Errorf("truncate -out full changed the source checkpoint (%v)", err)
	}
}

// FuzzParseRanks: no -ranks panics or allocates beyond maxRanks, and a
// parsed list holds distinct ranks ≥ 1.
func FuzzParseRanks(f *testing.F) {
	for _, s := range []string{"1-5", "1,2,4", "3", "2,2", "1-3,2", "5-1", "0", "", "1-1024", "1-1025", "1-9223372036854775807", "1,,2", "9223372036854775807", "9223372036854775806-9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ranks, err := parseRanks(s)
		if err != nil {
			return
		}
		if len(ranks) == 0 || len(ranks) > maxRanks {
			t.Fatalf("%q: %d ranks", s, len(ranks))
		}
		seen := map[int]bool{}
		for _, r := range ranks {
			if r < 1 || seen[r] {
				t.Fatalf("%q: ranks %v", s, ranks)
			}
			seen[r] = true
		}
	})
}

func TestParseRanks(t *testing.T) {
	for s, want := range map[string]string{"2,2": "rank 2 appears twice", "1-3,2": "rank 2 appears twice", "1-1025": "more than 1024 ranks",
		"1-600,601-1200": "more than 1024 ranks", "1-9223372036854775807": "more than 1024 ranks"} {
		if _, err := parseRanks(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseRanks(%q): got %v, want an error saying %q", s, err, want)
		}
	}
	if got, err := parseRanks("1-3,5"); err != nil || !slices.Equal(got, []int{1, 2, 3, 5}) {
		t.Errorf("parseRanks(1-3,5) = %v, %v", got, err)
	}
	// A range that ends at the largest int is one rank or two, not a loop
	// that wraps around.
	for s, want := range map[string][]int{
		"9223372036854775807":                     {math.MaxInt},
		"9223372036854775806-9223372036854775807": {math.MaxInt - 1, math.MaxInt},
	} {
		done := make(chan []int, 1)
		go func() {
			got, err := parseRanks(s)
			if err != nil {
				t.Errorf("parseRanks(%q): %v", s, err)
			}
			done <- got
		}()
		select {
		case got := <-done:
			if !slices.Equal(got, want) {
				t.Errorf("parseRanks(%q) = %v, want %v", s, got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("parseRanks(%q) did not return", s)
		}
	}
}

// TestCLITruncateDatasetSplit: on a dataset the accuracies truncate
// prints are of its held-out validation split, as eval's, and name it;
// not the training trials labelled as fresh ones.
func TestCLITruncateDatasetSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trainSplitDataset(t, dir, "full", "-model", "leaky")
	rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-trials", "100", "-out", "r2").
		want(t, 0, "task accuracy on 2 validation trials: ")
	r := rnntrain(t, dir, "truncate", "-checkpoint", "full", "-rank", "2", "-trials", "100", "-json", "-out", "r2json")
	r.want(t, 0)
	var rep truncateReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Split != "validation" || rep.Trials != 2 {
		t.Errorf("truncate -json: split %q on %d trials, want validation on 2", rep.Split, rep.Trials)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "full", "-trials", "100").want(t, 0, "on 2 validation trials")
}

// trainSplitDataset writes dir/data.npz, an npz task of 8 trials of 5
// steps (2 inputs, 1 output), and trains a network of 6 units with the
// model flags on it for 2 steps into dir/run, with -validation-fraction
// 0.25 -test-fraction 0.25: 4 training, 2 validation and 2 test trials.
func trainSplitDataset(t *testing.T, dir, run string, model ...string) {
	t.Helper()
	const trials, steps = 8, 5
	x, y, m := make([]float32, trials*steps*2), make([]float32, trials*steps), make([]float32, trials*steps)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	for i := range y {
		y[i], m[i] = float32(i%2), 1
	}
	if err := npy.WriteArchive(filepath.Join(dir, "data.npz"), []string{"inputs", "targets", "mask"}, []npy.Array{
		{Shape: []int{trials, steps, 2}, F32: x}, {Shape: []int{trials, steps, 1}, F32: y}, {Shape: []int{trials, steps, 1}, F32: m}}); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, append([]string{"train", "-task", "npz", "-data", "data.npz", "-validation-fraction", "0.25", "-test-fraction", "0.25",
		"-hidden", "6", "-steps", "2", "-eval-trials", "8", "-out", run}, model...)...).want(t, 0)
}

// TestCLILatentDatasetSplit: on a dataset latent records the held-out
// validation split, as fixedpoints and populations do, and names it in
// the text and the JSON.
func TestCLILatentDatasetSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trainSplitDataset(t, dir, "low", "-model", "lowrank", "-rank", "1")
	rnntrain(t, dir, "latent", "-checkpoint", "low", "-trials", "50", "-out", "lat").want(t, 0, "rank 1, 2 inputs, 2 validation trials of 5 steps")
	r := rnntrain(t, dir, "latent", "-checkpoint", "low", "-trials", "50", "-json", "-out", "latjson")
	r.want(t, 0)
	var sum latentSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Split != "validation" || sum.Trials != 2 {
		t.Errorf("latent -json: split %q, %d trials; want validation, 2", sum.Split, sum.Trials)
	}
}

// TestCLITruncateDefaultOut: without -out, the truncation of a run's
// checkpoint goes beside the run, named after the run and the checkpoint,
// never into the run's directory or its checkpoints/.
func TestCLITruncateDefaultOut(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rnntrain(t, dir, append([]string{"train", "-steps", "2", "-out", "run"}, small...)...).want(t, 0, "stopped at step 2")
	for _, c := range []struct{ ckpt, out string }{
		{"run", "run-rank2"},
		{filepath.Join("run", "checkpoint.safetensors"), "run-rank2"},
		{filepath.Join("run", "checkpoints", "step-000000002.safetensors"), "run-step-000000002-rank3"},
		{filepath.Join("run", "best.safetensors"), "run-best-rank3"},
		{"copy.safetensors", "copy-rank2"},
	} {
		if c.ckpt == filepath.Join("run", "best.safetensors") || c.ckpt == "copy.safetensors" {
			b, err := os.ReadFile(filepath.Join(dir, "run", "checkpoint.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, c.ckpt), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		rank := c.out[len(c.out)-1:]
		rnntrain(t, dir, "truncate", "-checkpoint", c.ckpt, "-rank", rank, "-trials", "4").want(t, 0, "wrote "+filepath.Join(c.out, "checkpoint.safetensors"))
		if c.out == "run-rank2" {
			os.RemoveAll(filepath.Join(dir, c.out))
		}
	}
	ents, err := os.ReadDir(filepath.Join(dir, "run", "checkpoints"))
	if err != nil || len(ents) != 1 {
		t.Errorf("run/checkpoints holds %v (%v); want its one step file", ents, err)
	}
}

// TestTruncateOut: the default -out of every kind of checkpoint path.
func TestTruncateOut(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ ckpt, want string }{
		{"runs/a", "runs/a-rank2"},
		{"runs/a/", "runs/a-rank2"},
		{"runs/a/checkpoint.safetensors", "runs/a-rank2"},
		{"runs/a/best.safetensors", "runs/a-best-rank2"},
		{"runs/a/checkpoints/step-000000100.safetensors", "runs/a-step-000000100-rank2"},
		{"x.safetensors", "x-rank2"},
		{".", wd + "-rank2"},
	} {
		if got := truncateOut(filepath.FromSlash(c.ckpt), 2); got != filepath.FromSlash(c.want) {
			t.Errorf("truncateOut(%q, 2) = %q, want %q", c.ckpt, got, c.want)
		}
	}
}

// TestCLIFitActivityRange: activity beyond (−1, 1), which the tanh rates
// that fit it cannot reach, is named on stderr with where it peaks; data
// within it gets no note.
func TestCLIFitActivityRange(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, top := range map[string]float32{"wide": 3.5, "fine": 0.5} {
		if err := npy.WriteArchiveValues(filepath.Join(dir, name+".npz"), map[string]any{
			"activity": [][][]float32{{{0.2, -0.1}, {0.3, top}}, {{-0.2, 0.1}, {0.1, 0.4}}},
			"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}},
		}); err != nil {
			t.Fatal(err)
		}
	}
	r := rnntrain(t, dir, "fit", "-data", "wide.npz", "-ranks", "1", "-steps", "3", "-out", "wide")
	r.want(t, 0, "note: activity reaches 3.5 (condition 0, step 1, unit 1), beyond the range (−1, 1) of the tanh rates that fit it")
	if r := rnntrain(t, dir, "fit", "-data", "fine.npz", "-ranks", "1", "-steps", "3", "-out", "fine"); strings.Contains(r.stderr, "note:") {
		t.Errorf("fit of activity within (−1, 1): stderr %q; want no note", r.stderr)
	}
}

// TestCLIFitNamesSplit: every R² fit prints names its conditions, the
// fitted ones or the held-out ones.
func TestCLIFitNamesSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyFitData(t, dir)
	r := rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-holdout", "1", "-out", "fit")
	r.want(t, 0, "rank   1: fitted R² ", ", held-out R² ", "rank  fitted R²  held-out R²")
	if strings.Contains(r.stdout, ": R² ") {
		t.Errorf("fit prints an R² that names no conditions:\n%s", r.stdout)
	}
}

// TestCLIFitHoldoutIsValidationSplit: the conditions -holdout held out of
// a fit are the validation split of its checkpoint's task, which eval,
// populations and inactivate score and name by default; the training
// split holds only the fitted conditions.
func TestCLIFitHoldoutIsValidationSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyFitData(t, dir)
	rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-holdout", "1", "-out", "fit").want(t, 0)
	cfg, err := os.ReadFile(filepath.Join(dir, "fit", "rank-1", "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(cfg, []byte(`"validation_trials"`)) {
		t.Errorf("config.json of a fit with -holdout 1 lists no validation_trials:\n%s", cfg)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1").want(t, 0, "1 validation trials")
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1", "-split", "train").want(t, 0, "2 train trials")
	rnntrain(t, dir, "populations", "-checkpoint", "fit/rank-1", "-max-k", "1", "-json").want(t, 0, `"split": "validation"`)
	rnntrain(t, dir, "inactivate", "-checkpoint", "fit/rank-1", "-units", "0", "-json").want(t, 0, `"split": "validation"`)
	// Without -holdout every condition was fitted: eval says so.
	rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-out", "all").want(t, 0)
	r := rnntrain(t, dir, "eval", "-checkpoint", "all/rank-1")
	r.want(t, 0, "3 train trials")
	if strings.Contains(r.stderr, "held-out conditions") {
		t.Errorf("eval of a fit without -holdout warns of held-out conditions:\n%s", r.stderr)
	}
	// A fit checkpoint written before validation_trials: see
	// TestCLIFitOldHoldoutFromReport.
}

// writeTinyFitData writes dir/d.npz: 3 conditions of 2 steps, 2 units and
// 1 input.
func writeTinyFitData(t *testing.T, dir string) {
	t.Helper()
	if err := npy.WriteArchiveValues(filepath.Join(dir, "d.npz"), map[string]any{
		"activity": [][][]float32{{{0.2, -0.1}, {0.3, 0.5}}, {{-0.2, 0.1}, {0.1, 0.4}}, {{0.1, 0.1}, {-0.3, 0.2}}},
		"inputs":   [][][]float32{{{1}, {0}}, {{-1}, {0}}, {{0.5}, {0}}},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCLIFitMoved: a fit directory moved elsewhere still opens: its
// checkpoints find data.npz beside their run directories, checked by its
// SHA-256. When the file is gone (or another file has its name), the
// error names the checkpoint and the missing file, not a -data flag the
// user never gave.
func TestCLIFitMoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyFitData(t, dir)
	rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-out", "fit").want(t, 0)
	if err := os.Rename(filepath.Join(dir, "fit"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "moved/rank-1").want(t, 0, "3 train trials")
	rnntrain(t, dir, "populations", "-checkpoint", "moved/rank-1", "-max-k", "1").want(t, 0)
	// A fit holds no training state (random streams) to continue from:
	// train -resume refuses it before writing anything, not after saving
	// its checkpoint again with the data.npz it found moved.
	run := filepath.Join(dir, "moved", "rank-1")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(run, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ckpt, cfg := read("checkpoint.safetensors"), read("config.json")
	rnntrain(t, dir, "train", "-resume", "moved/rank-1", "-steps", "5", "-quiet").want(t, 1, "moved/rank-1/checkpoint.safetensors", "rnntrain fit", "cannot be resumed")
	if !bytes.Equal(read("checkpoint.safetensors"), ckpt) || !bytes.Equal(read("config.json"), cfg) {
		t.Error("a refused resume of a fit changed its checkpoint or config.json")
	}
	// Another file named data.npz is not taken for the one fitted to.
	data := filepath.Join(dir, "moved", "data.npz")
	if err := os.Rename(data, data+".orig"); err != nil {
		t.Fatal(err)
	}
	if err := npy.WriteArchiveValues(data, map[string]any{"inputs": [][][]float32{{{1}, {0}}}, "targets": [][][]float32{{{0.1, 0.2}, {0.3, 0.4}}}}); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, dir, "eval", "-checkpoint", "moved/rank-1")
	r.want(t, 1, "moved/rank-1", "fit/data.npz", "task.settings.path", "SHA-256")
	if err := os.Remove(data); err != nil {
		t.Fatal(err)
	}
	r = rnntrain(t, dir, "eval", "-checkpoint", "moved/rank-1")
	r.want(t, 1, "moved/rank-1", "fit/data.npz", "task.settings.path", "missing")
	if strings.Contains(r.stderr, "-data") {
		t.Errorf("the error names -data, which eval does not take:\n%s", r.stderr)
	}
}

// TestCLIFitOldHoldoutFromReport: a fit checkpoint written before fits
// recorded their held-out conditions (no validation_trials) has them
// rebuilt from the fit.json beside its run directory (holdout and seed),
// which stderr names, when that report is of this fit; without fit.json,
// or with one of another fit, the checkpoint opens with the warning that
// its training trials include the held-out conditions. plot says the same
// as eval.
func TestCLIFitOldHoldoutFromReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyFitData(t, dir)
	rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-holdout", "1", "-out", "fit").want(t, 0)
	heldOut := unsplitFitCheckpoint(t, filepath.Join(dir, "fit", "rank-1"))
	r := rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1")
	r.want(t, 0, "1 validation trials", "fit/fit.json", fmt.Sprintf("conditions %v are its validation split", heldOut))
	if strings.Contains(r.stderr, "include the held-out conditions") {
		t.Errorf("eval warns of held-out conditions it rebuilt:\n%s", r.stderr)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1", "-split", "train").want(t, 0, "2 train trials")
	rnntrain(t, dir, "populations", "-checkpoint", "fit/rank-1", "-max-k", "1", "-json").want(t, 0, `"split": "validation"`, "fit/fit.json")
	rnntrain(t, dir, "plot", "-out", "plots", "fit/rank-1").want(t, 0, "rnntrain plot: note:", "fit/fit.json")

	// A fit.json of another fit (its held-out R² differs) is not taken.
	report := filepath.Join(dir, "fit", "fit.json")
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	rep["fits"].([]any)[0].(map[string]any)["r2_heldout"] = 0.5
	other, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(report, other, 0o644); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1").want(t, 0, "3 train trials", "include the held-out conditions")
	if err := os.Remove(report); err != nil {
		t.Fatal(err)
	}
	rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1").want(t, 0, "3 train trials", "include the held-out conditions")
	rnntrain(t, dir, "plot", "-out", "plots", "fit/rank-1").want(t, 0, "rnntrain plot: warning:", "include the held-out conditions")
}

// TestCLIFitBrokenDataNamesKey: a checkpoint whose data file is broken
// (one that recorded no SHA-256 of it, so found broken only when read) is
// refused naming the checkpoint and task.settings.path, which its stored
// config gave, not a -data flag the user never gave.
func TestCLIFitBrokenDataNamesKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTinyFitData(t, dir)
	rnntrain(t, dir, "fit", "-data", "d.npz", "-ranks", "1", "-steps", "3", "-holdout", "1", "-out", "fit").want(t, 0)
	unsplitFitCheckpoint(t, filepath.Join(dir, "fit", "rank-1"))
	if err := os.WriteFile(filepath.Join(dir, "fit", "data.npz"), []byte("not an archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rnntrain(t, dir, "eval", "-checkpoint", "fit/rank-1")
	r.want(t, 1, "fit/rank-1", "task.settings.path: ", "fit/data.npz")
	if strings.Contains(r.stderr, "-data") {
		t.Errorf("the error names -data, which eval does not take:\n%s", r.stderr)
	}
}

// unsplitFitCheckpoint makes the checkpoint of the fit run directory run
// one written before fits recorded their held-out conditions and the
// SHA-256 of their data: its task has no validation_trials and its
// metadata no sum of task.settings.path. It returns the conditions that
// validation_trials listed.
func unsplitFitCheckpoint(t *testing.T, run string) []int {
	t.Helper()
	path := checkpoints.LatestPath(run)
	c, err := checkpoints.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfgMap map[string]any
	if err := json.Unmarshal(c.Meta.Config, &cfgMap); err != nil {
		t.Fatal(err)
	}
	settings := cfgMap["task"].(map[string]any)["settings"].(map[string]any)
	var held []int
	for _, k := range settings["validation_trials"].([]any) {
		held = append(held, int(k.(float64)))
	}
	delete(settings, "validation_trials")
	if c.Meta.Config, err = json.Marshal(cfgMap); err != nil {
		t.Fatal(err)
	}
	delete(c.Meta.Files, "task.settings.path")
	if err := checkpoints.Save(path, c); err != nil {
		t.Fatal(err)
	}
	return held
}

// TestCLIFitPaddedWithNaN: fit takes recorded activity padded with NaN
// after each condition's length (and inputs padded likewise), fits it with
// finite R² and draws its figure; a NaN inside a condition is refused,
// naming the array and where.
func TestCLIFitPaddedWithNaN(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const c, T, units = 4, 10, 6
	nan := float32(math.NaN())
	act, in := make([][][]float32, c), make([][][]float32, c)
	length := make([]int64, c)
	for i := range c {
		length[i] = int64(T - 2*i)
		act[i], in[i] = make([][]float32, T), make([][]float32, T)
		for t := range T {
			act[i][t], in[i][t] = make([]float32, units), []float32{float32(i%2) - 0.5}
			for u := range units {
				act[i][t][u] = 0.5 * float32(math.Tanh(0.2*float64(t*(u+1))*(float64(i%2)-0.5)))
			}
			if t >= int(length[i]) {
				in[i][t][0] = nan
				for u := range units {
					act[i][t][u] = nan
				}
			}
		}
	}
	write := func(name string) {
		if err := npy.WriteArchiveValues(filepath.Join(dir, name), map[string]any{"activity": act, "inputs": in, "length": length}); err != nil {
			t.Fatal(err)
		}
	}
	write("padded.npz")
	r := rnntrain(t, dir, "fit", "-data", "padded.npz", "-ranks", "1", "-steps", "5", "-json", "-out", "fit")
	r.want(t, 0, `"r2"`)
	if strings.Contains(r.stdout, "NaN") || strings.Contains(r.stdout, `"r2": null`) {
		t.Errorf("fit of padded data:\n%s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "fit", "rank-1", "fit.png")); err != nil {
		t.Errorf("no figure of the fit: %v", err)
	}
	act[1][2][3] = nan
	write("holed.npz")
	rnntrain(t, dir, "fit", "-data", "holed.npz", "-ranks", "1", "-steps", "5", "-out", "fit2").
		want(t, 1, "holed.npz", "array activity has the non-finite value NaN at [1 2 3] where the mask is not 0")
}
