package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/checkpoints"
	"github.com/rnntrain/rnntrain/layers"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/rnn"
	"github.com/rnntrain/rnntrain/tasks"
	"github.com/rnntrain/rnntrain/train"
)

const truncateLong = `
Truncate turns a trained full-rank leaky network (state integration, no
Dale's law) into a low-rank one of rank -rank: the SVD of its recurrent
weights W_rec = U S Vᵀ gives m = U_R S_R √N and n = V_R √N, so that
J = m nᵀ/N is the best rank-R approximation of W_rec. The rest maps exactly:
with h = x − b the leaky update x ← (1−α)x + α(W_rec φ(x) + W_in u + b)
becomes the low-rank h ← (1−α)h + α(J φ(h + b) + W_in u) with rates φ(h + b)
(rates = phi) read out by the same linear readout; wi = W_inᵀ, s_i = 1,
h0 = x0 − b, and the noise σ·√(2α) of the psychrnn convention becomes the
unscaled σ of the low-rank model. W_rec and W_in are the effective weights,
with the connectivity masks (rec_mask, in_mask, no_autapses) applied. At
-rank N the truncation is the network itself.

It writes the low-rank network as a run directory -out (checkpoint and
config.json; task and training settings as in the source), which must not
hold a run already, and prints the
task accuracy of both networks on -trials fresh trials (of a dataset: its
held-out validation split, as eval scores; -noise=false runs them
noiseless), naming the trials, and the share of W_rec's squared singular
values kept. With no scored trial (every trial a catch trial) it says the
accuracy is undefined (null in -json).

train -init-from RUN -model lowrank -rank R starts training from the same
truncation; the run must have the source's activation and alpha (another
is refused, naming both).
`

func truncateCommand() *command {
	return &command{
		Name:  "truncate",
		Short: "the rank-R truncation (SVD) of a trained full-rank network as a low-rank checkpoint",
		Usage: "-checkpoint PATH -rank R [-out DIR] [-trials N] [-json]",
		Long:  truncateLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "full-rank leaky checkpoint file or run directory (required)")
			rank := fs.Int("rank", 0, "rank R of the truncation (required)")
			out := fs.String("out", "", "run directory to write (default: beside the run, RUN-rankR; RUN-best-rankR, RUN-step-N-rankR of its best or a step's checkpoint; FILE-rankR of another FILE.safetensors)")
			trials := fs.Int("trials", 500, "fresh task trials for the accuracies (a dataset: at most its held-out split's)")
			noisy := fs.Bool("noise", true, "evaluate with the networks' private noise")
			asJSON := fs.Bool("json", false, "print one JSON object")
			seed := fs.Uint64("seed", 1, "seed of the evaluation trials and noise")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				switch {
				case *rank < 1:
					return usagef("-rank R (≥ 1) is required")
				case *trials < 1 || *trials > 100000:
					return usagef("-trials must be in [1, 100000], got %d", *trials)
				}
				src, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				noteBest(e.stderr, "truncate", "truncates", "-checkpoint", src, c, *ckpt)
				noteUnsplitFit(e.stderr, "truncate", src, c)
				dst, kept, err := truncatedSession(src, *rank)
				if err != nil {
					return err
				}
				if err := checkFiniteOutputs(src, c.Path, tasks.HeldOut(src.task), *seed); err != nil {
					return err
				}
				dir := *out
				if dir == "" {
					dir = truncateOut(*ckpt, *rank)
				}
				lock, err := lockOutDir(dir, checkTruncateOut)
				if err != nil {
					return err
				}
				defer lock.Unlock()
				// A dataset's held-out split, as eval scores by default (the
				// session's own task serves the training trials); both
				// networks share the task.
				held := tasks.HeldOut(src.task)
				eval := func(s *session) analysis.Report {
					var noise = newStream(*seed, streamTruncateNoise)
					if !*noisy {
						noise = nil
					}
					return analysis.Evaluate(s.net, held, analysis.EvalOptions{Trials: *trials, Draw: newStream(*seed, streamTruncate), Noise: noise})
				}
				before, after := eval(src), eval(dst)
				rep := truncateReport{Source: c.Path, Rank: *rank, Units: src.net.hidden, VarianceKept: kept, Split: before.Split, Trials: before.Trials}
				var metrics map[string]float64
				if before.Trials > 0 { // else both accuracies are undefined (null)
					rep.SourceAccuracy, rep.Accuracy = &before.Accuracy, &after.Accuracy
					metrics = map[string]float64{"source_accuracy": before.Accuracy, "accuracy": after.Accuracy}
				}
				cp, err := dst.checkpoint(train.State{Metrics: metrics})
				if err != nil {
					return err
				}
				if rep.Checkpoint, err = checkpoints.SaveRun(dir, cp, 1); err != nil {
					return err
				}
				if err := writeJSONFile(filepath.Join(dir, "config.json"), dst.cfg); err != nil {
					return err
				}
				rep.Checkpoint = checkpoints.LatestPath(dir)
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				fmt.Fprintf(e.stdout, "rank-%d truncation of %s (N = %d): %.1f %% of Σ s² kept\n", rep.Rank, rep.Source, rep.Units, 100*rep.VarianceKept)
				if rep.Trials == 0 {
					fmt.Fprintf(e.stdout, "task accuracy undefined: %s\n", noScored(trialsOf(rep.Split)))
				} else {
					fmt.Fprintf(e.stdout, "task accuracy on %d %s: full rank %.3f, rank %d %.3f\n", rep.Trials, trialsOf(rep.Split), *rep.SourceAccuracy, rep.Rank, *rep.Accuracy)
				}
				fmt.Fprintf(e.stdout, "wrote %s\n", rep.Checkpoint)
				return nil
			}
		},
	}
}

// truncateOut returns truncate's default -out for the checkpoint path
// ckpt and rank r: beside the run, never inside it, RUN-rankR for a run
// directory or its checkpoint.safetensors, RUN-best-rankR and
// RUN-step-N-rankR for its best.safetensors and a step's checkpoint, and
// DIR/NAME-rankR for another file DIR/NAME.safetensors.
func truncateOut(ckpt string, r int) string {
	suffix := fmt.Sprintf("-rank%d", r)
	p := filepath.Clean(ckpt)
	if p == "." || p == ".." || strings.HasSuffix(p, string(filepath.Separator)+"..") {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs // the run directory's own name, not ".-rankR"
		}
	}
	dir, name := filepath.Split(p)
	dir = filepath.Clean(dir)
	switch {
	case name == checkpoints.LatestName:
		return dir + suffix
	case name == checkpoints.BestName:
		return dir + "-best" + suffix
	case filepath.Base(dir) == checkpoints.StepsDir && strings.HasPrefix(name, "step-") && strings.HasSuffix(name, ".safetensors"):
		return filepath.Dir(dir) + "-" + strings.TrimSuffix(name, ".safetensors") + suffix
	}
	return strings.TrimSuffix(p, ".safetensors") + suffix
}

// Random streams of truncate's evaluation (beside latent's and
// populations').
const (
	streamTruncate train.Stream = 1<<32 + 96 + iota
	streamTruncateNoise
)

type truncateReport struct {
	Source       string  `json:"source"`
	Rank         int     `json:"rank"`
	Units        int     `json:"units"`
	VarianceKept float64 `json:"variance_kept"`
	// SourceAccuracy and Accuracy are nil (null) when no trial was scored
	// (every trial a catch trial): the accuracy is undefined.
	SourceAccuracy *float64 `json:"source_accuracy"`
	Accuracy       *float64 `json:"accuracy"`
	// Split names the trials of both accuracies: "fresh trials" of a
	// generated task, a dataset's held-out split (as eval's default).
	Split      string `json:"split"`
	Trials     int    `json:"trials"`
	Checkpoint string `json:"checkpoint"`
}

// truncation maps the leaky network of src onto a rank-r low-rank network
// (see truncateLong): it returns the values of the low-rank parameters by
// their names ("lowrank.m", …, "readout.weight", "readout.bias"; with
// rates tanh "lowrank.wo" and "lowrank.so" instead of the readout, the
// readout bias and b dropped), the network config of rates phi and the
// share of Σ s² the rank keeps.
func truncation(src *session, r int) (values map[string][]float32, cfg rnn.Config, kept float64, err error) {
	lc, ok := src.cfg.Model.Model.(*rnn.LeakyConfig)
	switch {
	case !ok:
		return nil, cfg, 0, usagef("the source network is model %s; truncation needs a full-rank leaky network", src.cfg.Model.Kind())
	case lc.Integration != layers.IntegrateState:
		return nil, cfg, 0, usagef("the source network integrates the rate; truncation needs state integration (integration = state)")
	case lc.Dale > 0:
		return nil, cfg, 0, usagef("the source network obeys Dale's law; its effective weights are not its parameters, truncation does not support it")
	case lc.NoiseConvention == layers.NoiseYang && src.cfg.Model.NoiseStd > 0:
		return nil, cfg, 0, usagef("the source network's noise enters inside φ (yang); the low-rank model cannot reproduce it")
	case r > src.net.hidden:
		return nil, cfg, 0, usagef("-rank %d exceeds the network's %d units", r, src.net.hidden)
	}
	byName := map[string][]float32{}
	for _, p := range src.net.params() {
		byName[p.Name] = p.Value.Data
	}
	n, in, out := src.net.hidden, src.net.nIn, src.net.nOut
	for _, name := range []string{"leaky.weight_hh", "leaky.weight_ih", "leaky.bias", "h0", "readout.weight", "readout.bias"} {
		if byName[name] == nil {
			return nil, cfg, 0, fmt.Errorf("the source network has no parameter %s", name)
		}
	}
	// The effective weights, which the dynamics use: a connectivity mask
	// or no_autapses zeroes some of the raw parameters' entries.
	lk, ok := src.net.net.Recurrent().(interface {
		EffectiveRecurrent(dst []float32)
		EffectiveInput(dst []float32)
	})
	if !ok {
		return nil, cfg, 0, fmt.Errorf("the source network's recurrent layer %T has no effective weights", src.net.net.Recurrent())
	}
	wRec, wIn := make([]float32, n*n), make([]float32, n*in)
	lk.EffectiveRecurrent(wRec)
	lk.EffectiveInput(wIn)
	w := make([]float64, n*n)
	for i, v := range wRec {
		w[i] = float64(v)
	}
	f, err := lowrank.FromMatrix(w, n, r)
	if err != nil {
		return nil, cfg, 0, err
	}
	s, err := lowrank.SingularValues(w, n)
	if err != nil {
		return nil, cfg, 0, err
	}
	var all, top float64
	for q, v := range s {
		all += v * v
		if q < r {
			top += v * v
		}
	}
	if all > 0 {
		kept = top / all
	}
	m, nf := f.Tensors()
	bias := byName["leaky.bias"]
	wi := make([]float32, in*n)
	for i := range n {
		for k := range in {
			wi[k*n+i] = wIn[i*in+k]
		}
	}
	h0 := make([]float32, n)
	for i := range n {
		h0[i] = byName["h0"][i] - bias[i]
	}
	si := make([]float32, in)
	for k := range si {
		si[k] = 1
	}
	// The tanh-rates readout z = tanh(h)·(wo ⊙ so)/N matches W_out φ(x)
	// for φ = tanh when b and the readout bias are small: wo = N·W_outᵀ.
	wo := make([]float32, n*out)
	for o := range out {
		for i := range n {
			wo[i*out+o] = float32(n) * byName["readout.weight"][o*n+i]
		}
	}
	so := make([]float32, out)
	for o := range so {
		so[o] = 1
	}
	values = map[string][]float32{
		"lowrank.m": m.Data, "lowrank.n": nf.Data, "lowrank.wi": wi, "lowrank.si": si, "lowrank.b": bias, "lowrank.h0": h0,
		"readout.weight": byName["readout.weight"], "readout.bias": byName["readout.bias"], "lowrank.wo": wo, "lowrank.so": so,
	}
	noise := src.cfg.Model.NoiseStd
	if lc.NoiseConvention == layers.NoisePsychRNN {
		noise *= math.Sqrt(2 * lc.Alpha)
	}
	cfg = src.cfg.Model
	cfg.NoiseStd = noise
	cfg.Model = &lowrank.Config{Rank: r, Alpha: lc.Alpha, Activation: lc.Activation, Rates: lowrank.RatesPhi}
	return values, cfg, kept, nil
}

// truncatedSession returns a session of src's task with the rank-r
// truncation of src's network (rates phi: exact up to the rank).
func truncatedSession(src *session, r int) (*session, float64, error) {
	values, mc, kept, err := truncation(src, r)
	if err != nil {
		return nil, 0, err
	}
	cfg := src.cfg
	cfg.Model = mc
	dst, err := newSession(cfg)
	if err != nil {
		return nil, 0, err
	}
	if _, err := setParams(dst, values); err != nil {
		return nil, 0, err
	}
	return dst, kept, nil
}

// setParams copies values into the parameters of s's network with the
// same name and size and returns the names copied; a parameter of the
// low-rank layer or readout without a value is an error.
func setParams(s *session, values map[string][]float32) ([]string, error) {
	var done []string
	for _, p := range s.net.params() {
		v, ok := values[p.Name]
		if !ok {
			return nil, fmt.Errorf("truncation: no value for parameter %s", p.Name)
		}
		if len(v) != p.Value.Len() {
			return nil, fmt.Errorf("truncation: parameter %s has %d values, the truncation %d", p.Name, p.Value.Len(), len(v))
		}
		copy(p.Value.Data, v)
		done = append(done, p.Name)
	}
	return done, nil
}

// initFromTruncation starts the low-rank network of s from the truncation
// of the run its init_from names (nothing without one): m and n from the
// SVD at s's rank, wi, b and h0 mapped as truncate maps them, and the
// readout copied (rates phi or state) or, for the library readout (rates
// tanh), wo = N·W_outᵀ with s_o = 1 (exact when b and the readout bias are
// zero). Parameters the truncation has no value for keep their random
// initialisation. It returns the line that says so ("" without
// init_from), for the caller to print; a source run directory whose
// figures show its best weights (noteBest) gets a note on stderr.
func initFromTruncation(s *session, stderr io.Writer) (string, error) {
	lc, ok := s.cfg.Model.Model.(*lowrank.Config)
	if !ok || lc.InitFrom == "" {
		return "", nil
	}
	src, c, err := loadSession(lc.InitFrom)
	if err != nil {
		return "", fmt.Errorf("-init-from: %w", err)
	}
	noteBest(stderr, "train", "truncates", "-init-from", src, c, lc.InitFrom)
	if src.net.nIn != s.net.nIn || src.net.nOut != s.net.nOut || src.net.hidden != s.net.hidden {
		return "", usagef("-init-from %s: the network has %d inputs, %d units and %d outputs; this run's has %d, %d and %d", lc.InitFrom,
			src.net.nIn, src.net.hidden, src.net.nOut, s.net.nIn, s.net.hidden, s.net.nOut)
	}
	values, tc, kept, err := truncation(src, lc.Rank)
	if err != nil {
		return "", fmt.Errorf("-init-from %s: %w", lc.InitFrom, err)
	}
	// The truncation is the source network only with its φ and α: another
	// activation or leak would start from weights fitted to other dynamics.
	if t := tc.Model.(*lowrank.Config); t.Activation != lc.Activation || t.Alpha != lc.Alpha {
		return "", usagef("-init-from %s: the source network has activation %v and alpha %g, this run %v and %g; its truncation is that network only with the same (-activation %v -alpha %g)",
			lc.InitFrom, t.Activation, t.Alpha, lc.Activation, lc.Alpha, t.Activation, t.Alpha)
	}
	var copied []string
	for _, p := range s.net.params() {
		if v, ok := values[p.Name]; ok && len(v) == p.Value.Len() {
			copy(p.Value.Data, v)
			copied = append(copied, p.Name)
		}
	}
	return fmt.Sprintf("initialised from the rank-%d truncation of %s (%.1f %% of Σ s² kept): %s\n", lc.Rank, lc.InitFrom, 100*kept, strings.Join(copied, ", ")), nil
}

// checkTruncateOut refuses an -out that holds a run or any other file
// (checkOutDir): truncate writes a new run directory there.
func checkTruncateOut(dir string) error {
	if holdsRun(dir) {
		return usagef("-out %s already holds a run; choose another -out (truncate does not overwrite a run)", dir)
	}
	return checkOutDir(dir, "")
}
