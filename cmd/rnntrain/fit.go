package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/lowrank"
)

const fitLong = `
Fit fits low-rank RNNs to recorded activity (LINT, Valente et al. 2022): a
network of N = units + hidden tanh units whose first units' rates tanh(h)
are the recorded units (the identity readout), trained with Adam on the
masked mean squared error over all conditions at once, without noise. Each
rank of -ranks starts from the SVD of a full-rank fit (m = U_R S_R √N,
n = V_R √N; -init svd, the default) or at random (-init random).

-data is an .npz archive with the arrays activity [conditions, T, units] and
inputs [conditions, T, n_in], optionally mask [conditions, T] or
[conditions, T, units] (weights ≥ 0), dt (ms) and length [conditions] (the
steps of each condition before padding: later steps get mask 0); or a
directory of .npy files with those names; or a file written by 'rnntrain
eval -record' (its rates are the activity, its inputs the inputs, its
length ends each trial, so the padding of shorter trials is not fitted; an
older recording's hidden array serves as its rates). Values must be
finite; activity is best centred and scaled into (−1, 1), the range of tanh
units (values beyond it cannot be fitted: fit notes them on stderr).

It prints R² per rank on the fitted conditions (r2: 1 − Σ SSE / Σ SST over
every unit, each around its own mean, so units weigh by their variance) and
on the -holdout held-out conditions (r2_heldout); -json prints one JSON
object with R² per unit (on the fitted conditions) as well. It writes to -out:

  fit.json        the same report
  r2.png, r2.svg  R² against rank
  data.npz        the data as an npz task (inputs, targets = activity,
                  mask)
  rank-R/         one run directory per rank: checkpoint.safetensors,
                  fit.png, fit.svg
  full/           the full-rank fit the SVD starts from (-init svd)

-out must not hold an earlier fit (its fit.json, or the run of a rank it
fits), nor a data.npz other than the one it writes: fit does not overwrite
one. -data and -out must be valid UTF-8:
fit.json and the checkpoints record them as JSON, which holds only UTF-8
text, so another path (a file name of other bytes) is refused.

Each checkpoint is a lowrank network (outputs = the recorded units, read out
by w_out = N·I) on the task npz of data.npz, so eval, inspect, latent and
the analysis commands accept it (train -resume does not: a fit keeps no
training state to continue from). The -holdout conditions, never fitted, are
that task's validation split (its settings list them as validation_trials),
which eval and the analysis commands score by default and name
"validation"; -split train scores the fitted conditions. Without -holdout
every condition was fitted, and the reports say "train". A checkpoint
written before fits recorded their held-out conditions has them rebuilt
from the fit.json beside its run directory (its holdout and seed) when that
report is of its fit (the same R² and number of conditions), and stderr
says so; otherwise it opens with a warning that its training split
includes them. The checkpoints
record data.npz's path and SHA-256: a fit directory moved as a whole still
opens, its checkpoints taking the data.npz beside their run directories
when its SHA-256 is the one recorded. fit.png (and .svg) draws fitted
(solid) against recorded (dashed) activity of a few units in a few
conditions.

Every setting is a flag; -config FILE (TOML or JSON) sets the same keys
(not rank, which -ranks gives): hidden, alpha, steps, lr, free, noise_std, init,
holdout, seed. Flags override the file. A 0 for steps, lr or seed is
refused: it would run as the default.
`

func fitCommand() *command {
	return &command{
		Name:  "fit",
		Short: "fit low-rank RNNs to recorded activity (LINT) and sweep the rank",
		Usage: "-data FILE [-ranks 1-5] [-out DIR] [-json] [flags]",
		Long:  fitLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			var c lowrank.FitConfig
			data := fs.String("data", "", "recording: .npz file, directory of .npy files, or eval -record file (required)")
			ranks := fs.String("ranks", "1-5", "ranks to fit: a range 1-5, a list 1,2,4, or one rank")
			out := fs.String("out", "fit", "output directory")
			asJSON := fs.Bool("json", false, "print one JSON object")
			config := fs.String("config", "", "TOML or JSON file with fit settings (flags override it)")
			units := fs.Int("plot-units", 4, "units drawn in each rank's fit.png")
			maxMem := fs.Float64("max-memory", 0, "refuse a fit whose estimated memory exceeds this many GiB (0 = the memory available, MemAvailable in /proc/meminfo)")
			fs.IntVar(&c.Hidden, "hidden", 0, "unrecorded units added to the network (default 0: the recorded units alone)")
			fs.Float64Var(&c.Alpha, "alpha", 0, "dt/τ (0: the data's dt / 100 ms, or 0.2 without dt; required when dt > 100 ms)")
			fs.IntVar(&c.Steps, "steps", 1000, "Adam updates per rank")
			fs.Float64Var(&c.LR, "lr", 0.03, "Adam learning rate")
			fs.IntVar(&c.Free, "free", 0, "initial steps of every condition left out of the loss and R² (default 0: every step fitted)")
			fs.Float64Var(&c.NoiseStd, "noise", 0, "σ of the private noise while fitting (default 0: noiseless, as LINT)")
			fs.TextVar(&c.Init, "init", lowrank.InitSVD, "initial factors: svd (of a full-rank fit) or random")
			fs.IntVar(&c.Holdout, "holdout", 0, "conditions held out of the fit, R² reported on them; the checkpoints' validation split (default 0: every condition fitted)")
			fs.Uint64Var(&c.Seed, "seed", 1, "seed of the weights, held-out conditions and noise")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usagef("unexpected arguments %q", args)
				}
				if *data == "" {
					return usagef("-data FILE is required")
				}
				if *out == "" {
					return usagef("-out: empty; want the output directory (default fit)")
				}
				// fit.json and the checkpoints' configs (the path of
				// data.npz) record these as JSON.
				for _, f := range []struct{ name, val string }{{"data", *data}, {"out", *out}} {
					if err := checkUTF8Flag(f.name, f.val); err != nil {
						return err
					}
				}
				if !(*maxMem >= 0) || math.IsInf(*maxMem, 0) {
					return usagef("-max-memory %g: want a size in GiB ≥ 0 (0 = the memory available)", *maxMem)
				}
				if *units < 1 {
					return usagef("-plot-units %d: want at least 1 unit to draw", *units)
				}
				rs, err := parseRanks(*ranks)
				if err != nil {
					return usagef("-ranks: %v", err)
				}
				zeros := map[string]bool{}
				fs.Visit(func(f *flag.Flag) {
					x, err := strconv.ParseFloat(f.Value.String(), 64)
					zeros[f.Name] = err == nil && x == 0
				})
				var src configSource
				if *config != "" {
					if src, err = loadFitConfig(*config, fs, &c, zeros); err != nil {
						return err
					}
				}
				if err := fitZeros(zeros, c, src); err != nil {
					return err
				}
				if samePath(*data, filepath.Join(*out, "data.npz")) {
					return usagef("-out %s: fit writes its data.npz there, which is -data %s; choose another -out", *out, *data)
				}
				if c.Hidden > maxUnits {
					return fitSettingError(fmt.Errorf("hidden: got %d, more than %d units cannot fit in memory", c.Hidden, maxUnits), *ranks, src)
				}
				// LoadData holds each value as read, as float64 and as float32.
				if err := checkArchiveMemory(*data, *maxMem*(1<<30), 8+4, "activity", "rates", "hidden", "inputs", "mask"); err != nil {
					return fmt.Errorf("data %s: %w", *data, err)
				}
				d, err := lowrank.LoadData(*data)
				if err != nil {
					return err
				}
				if d.Units > maxUnits {
					return fmt.Errorf("data %s: activity of %d units; more than %d units cannot fit in memory", d.Source, d.Units, maxUnits)
				}
				if d.Units+c.Hidden > maxUnits {
					return fitSettingError(fmt.Errorf("hidden: got %d: with the %d units of -data %s, N = %d units; more than %d cannot fit in memory", c.Hidden, d.Units, d.Source, d.Units+c.Hidden, maxUnits), *ranks, src)
				}
				for _, r := range rs {
					c.Rank = r
					if err := c.Validate(d); err != nil {
						return fitSettingError(err, *ranks, src)
					}
				}
				if err := checkFitMemory(d, c, rs, *maxMem*(1<<30)); err != nil {
					return err
				}
				if err := checkFitOut(*out, c.Init, rs); err != nil {
					return err
				}
				if err := checkFitData(*out, d, c.Free); err != nil {
					return err
				}
				noteActivityRange(e.stderr, d)
				return runFit(ctx, e, d, c, rs, *out, *units, *asJSON)
			}
		},
	}
}

// noteActivityRange notes on w when d's activity (where its mask weighs
// it) reaches beyond (−1, 1), the range of the tanh rates that fit it,
// naming the largest |value|, where it is and how many values are beyond.
func noteActivityRange(w io.Writer, d *lowrank.Data) {
	peak, at, beyond, scored := 0.0, 0, 0, 0
	for i, v := range d.Activity {
		if d.Mask[i] == 0 {
			continue
		}
		scored++
		a := math.Abs(float64(v))
		if a >= 1 {
			beyond++
		}
		if a > peak {
			peak, at = a, i
		}
	}
	if beyond == 0 {
		return
	}
	c, t, u := at/(d.T*d.Units), at/d.Units%d.T, at%d.Units
	fmt.Fprintf(w, "rnntrain fit: note: activity reaches %.3g (condition %d, step %d, unit %d), beyond the range (−1, 1) of the tanh rates that fit it: "+
		"%d of %d scored values cannot be reached; scale the activity into (−1, 1)\n", d.Activity[at], c, t, u, beyond, scored)
}

// fitSettingError returns err, an error of lowrank.FitConfig.Validate
// ("key: what is wrong"), as a usage error naming the config file src
// when it gave the key, else the flag that sets the key: -ranks (given as
// ranks) for the rank, else the flag of the key.
func fitSettingError(err error, ranks string, src configSource) error {
	key, msg, ok := strings.Cut(err.Error(), ": ")
	flags := fitFlags()
	switch {
	case ok && key == "rank":
		return usagef("-ranks %s: %s", clipArg(ranks), msg)
	case ok && src.file != "" && src.gave(key):
		return usagef("config %s: %s: %s", src.file, key, msg)
	case ok && flags[key] != "":
		return usagef("%s (%s in a config file): %s", flags[key], key, msg)
	}
	return usagef("%v", err)
}

// checkFitOut refuses an -out out that holds an earlier fit (its
// fit.json), or where the fit of ranks (and, with init svd, the full-rank
// fit) would replace a run an earlier fit or train wrote: fit, like train
// and truncate, does not overwrite a run.
func checkFitOut(out string, init lowrank.Init, ranks []int) error {
	if _, err := os.Stat(filepath.Join(out, "fit.json")); err == nil {
		return usagef("-out %s already holds a fit (fit.json); choose another -out (fit does not overwrite one)", out)
	}
	var dirs []string
	if init == lowrank.InitSVD {
		dirs = append(dirs, filepath.Join(out, "full"))
	}
	for _, r := range ranks {
		dirs = append(dirs, filepath.Join(out, fmt.Sprintf("rank-%d", r)))
	}
	for _, dir := range dirs {
		if _, err := os.Stat(checkpoints.LatestPath(dir)); err == nil {
			return usagef("-out %s: %s already holds a run; choose another -out (fit does not overwrite a run)", out, dir)
		}
	}
	return nil
}

// maxRanks bounds the ranks of one -ranks.
const maxRanks = 1024

// parseRanks reads "1-5", "1,2,4" or "3": at most maxRanks ranks ≥ 1,
// each once.
func parseRanks(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 1 {
			return nil, fmt.Errorf("%q is not a rank ≥ 1 or a range like 1-5", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range like 1-5", part)
			}
		}
		if b-a >= maxRanks-len(out) {
			return nil, fmt.Errorf("%q gives more than %d ranks", clipArg(s), maxRanks)
		}
		for r := a; ; r++ { // not r <= b: b may be math.MaxInt
			if seen[r] {
				return nil, fmt.Errorf("rank %d appears twice", r)
			}
			seen[r] = true
			out = append(out, r)
			if r == b {
				break
			}
		}
	}
	return out, nil
}

// fitFlags maps each fit config key to the flag that sets it.
func fitFlags() map[string]string {
	return map[string]string{"hidden": "-hidden", "alpha": "-alpha", "steps": "-steps", "lr": "-lr", "free": "-free",
		"noise_std": "-noise", "init": "-init", "holdout": "-holdout", "seed": "-seed"}
}

// loadFitConfig decodes a TOML or JSON file into c, keeping the values of
// the flags that were set on the command line, and marks in zeros the keys
// the file sets to 0 (those of set flags excepted). It returns the keys
// the file gave.
func loadFitConfig(path string, fs *flag.FlagSet, c *lowrank.FitConfig, zeros map[string]bool) (configSource, error) {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var over []string
	for k, f := range fitFlags() {
		if set[strings.TrimPrefix(f, "-")] {
			over = append(over, k)
		}
	}
	keep := *c
	if err := loadFile(path, c); err != nil {
		return configSource{}, err
	}
	src := configSource{file: path}
	if data, err := readConfigFile("-config", path); err == nil {
		obj := decodedConfig(data, strings.EqualFold(filepath.Ext(path), ".toml"))
		src = newConfigSource(path, obj, over)
		if _, ok := obj["rank"]; ok {
			return src, usagef("config %s: rank: each fit's rank comes from -ranks (default 1-5); leave rank out of the file", path)
		}
		fileZeros := map[string]bool{}
		zeroSettings(fileZeros, "", obj)
		for k, z := range fileZeros {
			if !set[k] {
				zeros[k] = z
			}
		}
	}
	for name, dst := range map[string]func(){
		"hidden": func() { c.Hidden = keep.Hidden }, "alpha": func() { c.Alpha = keep.Alpha },
		"steps": func() { c.Steps = keep.Steps }, "lr": func() { c.LR = keep.LR },
		"free": func() { c.Free = keep.Free }, "noise": func() { c.NoiseStd = keep.NoiseStd },
		"init": func() { c.Init = keep.Init }, "holdout": func() { c.Holdout = keep.Holdout },
		"seed": func() { c.Seed = keep.Seed },
	} {
		if set[name] {
			dst()
		}
	}
	return src, nil
}

// fitZeros refuses a 0 given to steps, lr or seed (a flag or a config
// key, of the file src when it gave it), which
// lowrank.FitConfig.Defaults would replace by its default.
func fitZeros(zeros map[string]bool, c lowrank.FitConfig, src configSource) error {
	d := c.Defaults(nil)
	for _, k := range []struct {
		key string
		def float64
	}{{"steps", float64(d.Steps)}, {"lr", d.LR}, {"seed", float64(d.Seed)}} {
		if zeros[k.key] && src.file != "" && src.gave(k.key) {
			return usagef("config %s: %s: 0 would run as the default, %g: leave the setting out for the default, or give the value meant", src.file, k.key, k.def)
		}
		if zeros[k.key] {
			return usagef("-%s (%s in a config file): 0 would run as the default, %g: leave the setting out for the default, or give the value meant", k.key, k.key, k.def)
		}
	}
	return nil
}

// fitReport is what fit prints with -json and writes to fit.json.
type fitReport struct {
	Data       string            `json:"data"`
	Conditions int               `json:"conditions"`
	T          int               `json:"T"`
	Units      int               `json:"units"`
	Inputs     int               `json:"inputs"`
	Config     lowrank.FitConfig `json:"config"`
	Full       *fitRow           `json:"full_rank,omitempty"`
	Fits       []fitRow          `json:"fits"`
	Out        string            `json:"out"`
}

// fitRow is one fitted rank.
type fitRow struct {
	Rank int `json:"rank"`
	// R2 and R2Heldout are null (nil) where the activity has no variance.
	R2         *float64   `json:"r2"`
	R2Heldout  *float64   `json:"r2_heldout,omitempty"`
	R2Unit     []*float64 `json:"r2_unit"`
	Loss       float64    `json:"loss"`
	Seconds    float64    `json:"seconds"`
	Checkpoint string     `json:"checkpoint"`
}

func runFit(ctx context.Context, e *env, d *lowrank.Data, c lowrank.FitConfig, ranks []int, out string, plotUnits int, asJSON bool) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("-out %s: %w", out, err)
	}
	dataPath, err := filepath.Abs(filepath.Join(out, "data.npz"))
	if err != nil {
		return err
	}
	c = c.Defaults(d)
	if err := writeFitData(dataPath, d, c.Free); err != nil {
		return err
	}
	rep := fitReport{Data: d.Source, Conditions: d.Conditions, T: d.T, Units: d.Units, Inputs: d.NIn, Config: c, Out: out}
	if !asJSON {
		fmt.Fprintf(e.stdout, "fitting %s: %d conditions × %d steps, %d units, %d inputs; N = %d, α = %g, %d steps of Adam (lr %g), init %v, seed %d\n",
			d.Source, d.Conditions, d.T, d.Units, d.NIn, d.Units+c.Hidden, c.Alpha, c.Steps, c.LR, c.Init, c.Seed)
	}
	fitD, _ := lowrank.Split(d, c)
	var saveErr error
	progress := func(f *lowrank.Fit, isFull bool) {
		dir := filepath.Join(out, fmt.Sprintf("rank-%d", f.Rank))
		if isFull {
			dir = filepath.Join(out, "full")
		}
		path, err := saveFit(dir, f, d, c, dataPath)
		if err != nil && saveErr == nil {
			saveErr = err
		}
		if err == nil {
			err = plotFit(&figureSet{dir: dir}, "fit", f, fitD, c.Free, plotUnits)
			if err != nil && saveErr == nil {
				saveErr = err
			}
		}
		row := fitRow{Rank: f.Rank, R2: finite(f.R2), R2Unit: finites(f.R2Unit), Loss: f.Loss, Seconds: f.Elapsed.Seconds(), Checkpoint: path}
		if f.R2Held != nil {
			row.R2Heldout = finite(*f.R2Held)
		}
		if isFull {
			rep.Full = &row
		} else {
			rep.Fits = append(rep.Fits, row)
		}
		if !asJSON {
			held := ""
			if f.R2Held != nil {
				held = fmt.Sprintf(", held-out R² %.4f", *f.R2Held)
			}
			name := fmt.Sprintf("rank %3d", f.Rank)
			if isFull {
				name = fmt.Sprintf("full rank (%d, for the SVD start)", f.Rank)
			}
			fmt.Fprintf(e.stdout, "  %s: fitted R² %.4f%s, loss %.3g (%.1f s) → %s\n", name, f.R2, held, f.Loss, f.Elapsed.Seconds(), path)
		}
	}
	if _, _, err := lowrank.Sweep(ctx, d, c, ranks, progress); err != nil {
		return err
	}
	if saveErr != nil {
		return saveErr
	}
	sweep := plots.RankSweep{Title: "LINT fit of " + filepath.Base(d.Source)}
	for _, f := range rep.Fits {
		sweep.Rank = append(sweep.Rank, float64(f.Rank))
		sweep.R2 = append(sweep.R2, orNaN(f.R2))
		if c.Holdout > 0 {
			sweep.Held = append(sweep.Held, orNaN(f.R2Heldout))
		}
	}
	if err := (&figureSet{dir: out}).add("r2", func(p string) error { return plots.WriteRankSweep(p, sweep) }); err != nil {
		return err
	}
	if err := writeJSONFile(filepath.Join(out, "fit.json"), rep); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printFitTable(e.stdout, rep)
	return nil
}

// finite returns v, or nil (JSON null) when v is NaN: a unit without
// variance has no R².
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// orNaN is *p, or NaN for nil.
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

func finites(x []float64) []*float64 {
	out := make([]*float64, len(x))
	for i, v := range x {
		out[i] = finite(v)
	}
	return out
}

func printFitTable(w io.Writer, rep fitReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nrank\tfitted R²\theld-out R²\tseconds")
	for _, f := range rep.Fits {
		held := "-"
		if f.R2Heldout != nil {
			held = fmt.Sprintf("%.4f", *f.R2Heldout)
		}
		fmt.Fprintf(tw, "%d\t%.4f\t%s\t%.1f\n", f.Rank, orNaN(f.R2), held, f.Seconds)
	}
	tw.Flush()
	fmt.Fprintf(w, "wrote %s (fit.json, r2.png and .svg, rank-*/checkpoint.safetensors, rank-*/fit.png and .svg)\n", rep.Out)
}
