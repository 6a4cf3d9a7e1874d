package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/autodiff"
	"github.com/rnntrain/rnntrain/lowrank"
	"github.com/rnntrain/rnntrain/tasks"
)

const populationsLong = `
Populations describes a low-rank checkpoint by the distribution of its
units' loadings (Dubreuil et al. 2022): each unit i has the vector (m_i, n_i,
I_i, w_i) of its factors, input weights I_s = s_i[s]·wi[s, i] and readout
weights w_o = wo[i, o]·s_o[o] (when the network reads out itself). Gaussian
mixtures with 1…-max-k components (full covariances, fitted by EM from
-starts k-means++ starts, at most -iters iterations each, -reg added to
the covariances' diagonals) are fitted to these vectors and the number of
populations is the one of lowest BIC = −2 log L + p ln N. A network of
no more units than the vectors have dimensions (a lowrank fit, whose
readout gives each recorded unit a dimension) has singular covariances but
for the regularisation, and the BIC then says nothing of its populations:
populations notes it on stderr. So does a mixture with a population of no
more units (weight × N) than dimensions: the JSON lists such K as
singular, and a note says so when BIC chooses one.

The resampling test then redraws -resample networks from the fitted mixture
with one population and with the chosen number (or -k) (every loading vector
drawn afresh, s_i = s_o = 1) and reports their task accuracy on -trials
trials (without noise; of a dataset, its held-out split, as eval scores,
spread over it) beside the original network's: a task that needs
structure beyond one Gaussian population loses accuracy with one. With no
scored trial (every trial a catch trial) the accuracy is undefined: the
text says so, -json writes null, and no resampled network is scored.

-json prints one JSON object with the BIC per K, the mixtures' weights and
means, and the accuracies. -write FILE.json writes the units of each
population of the chosen mixture (or of -k's) as named sets, cluster0 the
largest, for rnntrain inactivate -population FILE.json:cluster0 (which also
takes cluster:I[/K] and fits the same mixture from the same -seed, with
the default -starts, -iters and -reg); it
makes FILE's missing directories and replaces only an empty file or an
earlier populations file, refused before the fits.
`

func populationsCommand() *command {
	return &command{
		Name:  "populations",
		Short: "Gaussian-mixture populations of a low-rank checkpoint (BIC) and the resampling test",
		Usage: "-checkpoint PATH [-max-k 4] [-resample 10] [-trials 200] [-json] [-write FILE.json] [-seed S]",
		Long:  populationsLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "low-rank checkpoint file or run directory (required)")
			maxK := fs.Int("max-k", 4, "largest number of populations tried")
			starts := fs.Int("starts", 5, "EM starts per number of populations")
			iters := fs.Int("iters", 200, "most EM iterations per start; EM stops earlier once the log-likelihood gains less than 1e-8 per unit")
			reg := fs.Float64("reg", 1e-4, "added to every covariance's diagonal, as a share of the loading vectors' mean variance, so that no population collapses onto fewer units than dimensions (> 0)")
			resample := fs.Int("resample", 10, "networks redrawn per mixture (0: no resampling test)")
			forceK := fs.Int("k", 0, "resample from this number of populations besides one (0: the number BIC chooses)")
			trials := fs.Int("trials", 200, "task trials per evaluated network")
			asJSON := fs.Bool("json", false, "print one JSON object")
			write := fs.String("write", "", "write the units of each population of the chosen (or -k) mixture to FILE.json as {\"cluster0\": [...], ...}, largest first, for inactivate -population FILE.json:cluster0")
			seed := fs.Uint64("seed", 1, "seed of the EM starts, the redraws and the trials")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				switch {
				case *maxK < 1 || *maxK > 64:
					return usagef("-max-k must be in [1, 64], got %d", *maxK)
				case *starts < 1 || *starts > 1000:
					return usagef("-starts must be in [1, 1000], got %d", *starts)
				case *iters < 1 || *iters > 100000:
					return usagef("-iters must be in [1, 100000], got %d", *iters)
				case !(*reg > 0) || math.IsInf(*reg, 0):
					return usagef("-reg must be finite and > 0, got %g", *reg)
				case *forceK < 0 || *forceK > *maxK:
					return usagef("-k must be in [0, -max-k = %d], got %d", *maxK, *forceK)
				case *resample < 0 || *resample > 10000:
					return usagef("-resample must be in [0, 10000], got %d", *resample)
				case *trials < 1 || *trials > 100000:
					return usagef("-trials must be in [1, 100000], got %d", *trials)
				case *forceK > 0 && *resample == 0 && *write == "":
					// -k chooses the mixture of the resampling test and of
					// -write: with neither it would be ignored.
					return usagef("-k %d has no effect with -resample 0 and no -write: it chooses the mixture the resampling test redraws from and -write writes", *forceK)
				}
				s, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				noteBest(e.stderr, "populations", "analyses", "-checkpoint", s, c, *ckpt)
				noteUnsplitFit(e.stderr, "populations", s, c)
				l, ok := lowRankLayer(s)
				if !ok {
					return usagef("-checkpoint %s: model %s is not low-rank; populations needs a lowrank checkpoint", *ckpt, s.cfg.Model.Kind())
				}
				// Before the fits and the resampling, which a bad -write
				// would lose.
				if err := checkWritePath(*write, l.Size()); err != nil {
					return err
				}
				if err := checkFiniteOutputs(s, c.Path, tasks.HeldOut(s.task), *seed); err != nil {
					return err
				}
				fewUnits := false
				if _, dim := lowrank.Loadings(l); l.Size() <= dim {
					fewUnits = true
					fmt.Fprintf(e.stderr, "rnntrain populations: note: %d units for loading vectors of %d dimensions: a Gaussian's full covariance needs more units than dimensions, "+
						"so every covariance fitted is singular but for its regularisation, which then sets the log-likelihoods and the BIC, not the units' populations\n", l.Size(), dim)
				}
				mc := lowrank.MixtureConfig{Starts: *starts, Iters: *iters, Reg: *reg}
				rep, err := populations(ctx, s, l, *maxK, *forceK, mc, *resample, *trials, *seed)
				if err != nil {
					return err
				}
				if i := slices.IndexFunc(rep.Mixtures, func(m mixtureFit) bool { return m.K == rep.Chosen }); !fewUnits && slices.Contains(rep.Singular, rep.Chosen) && i >= 0 {
					w := slices.Min(rep.Mixtures[i].Weights)
					fmt.Fprintf(e.stderr, "rnntrain populations: note: the mixture of lowest BIC, K = %d has a population of %.1f units (weight %.2f of %d) for loading vectors of %d dimensions: "+
						"its full covariance is singular but for its regularisation, which then sets the log-likelihood and the BIC, so the BIC's choice says nothing of the units' populations "+
						"(a network of more units tells)\n", rep.Chosen, w*float64(rep.Units), w, rep.Units, rep.Dim)
				}
				rep.Checkpoint = *ckpt
				if *write != "" {
					if err := writeClusters(*write, l, rep, *forceK, *maxK, mc, *seed); err != nil {
						return err
					}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(rep)
				}
				rep.print(e.stdout)
				return nil
			}
		},
	}
}

// populationsReport is what populations prints.
type populationsReport struct {
	Checkpoint string       `json:"checkpoint"`
	Units      int          `json:"units"`
	Dim        int          `json:"dim"`
	Mixtures   []mixtureFit `json:"mixtures"`
	// Unfitted are the numbers of populations up to -max-k whose mixture
	// could not be fitted (more components than units, or EM failing from
	// every start).
	Unfitted []int `json:"unfitted,omitempty"`
	Chosen   int   `json:"populations"`
	// Singular are the numbers of populations whose mixture has a
	// population of no more units (weight × units) than the loading
	// vectors have dimensions: its full covariance is singular but for
	// the regularisation, which then sets that mixture's BIC.
	Singular []int `json:"singular,omitempty"`
	// Accuracy is the original network's on Trials trials of Split (a
	// dataset's held-out split, as eval's; "fresh trials" of a generated
	// task), without noise; Resampled one entry per resampled mixture (one
	// population, and the chosen number), on the same trials. Accuracy is
	// nil (null), and nothing is resampled, when no trial was scored
	// (every trial a catch trial): the accuracy is undefined.
	Accuracy  *float64        `json:"accuracy"`
	Trials    int             `json:"trials"`
	Split     string          `json:"split"`
	Resampled []resampleStats `json:"resampled,omitempty"`
}

type mixtureFit struct {
	K       int         `json:"k"`
	BIC     float64     `json:"bic"`
	LogLik  float64     `json:"log_likelihood"`
	Weights []float64   `json:"weights"`
	Means   [][]float64 `json:"means"`
}

type resampleStats struct {
	K          int       `json:"k"`
	Accuracies []float64 `json:"accuracies"`
	Mean       float64   `json:"mean"`
	SD         float64   `json:"sd"`
}

func populations(ctx context.Context, s *session, l *lowrank.Layer[float32], maxK, forceK int, mc lowrank.MixtureConfig, resample, trials int, seed uint64) (*populationsReport, error) {
	x, dim := lowrank.Loadings(l)
	rng := newStream(seed, streamPopulations)
	fits, best, err := lowrank.SelectMixture(x, dim, maxK, mc, rng)
	if err != nil {
		return nil, err
	}
	rep := &populationsReport{Units: l.Size(), Dim: dim, Chosen: fits[best].K}
	for _, m := range fits {
		rep.Mixtures = append(rep.Mixtures, mixtureFit{K: m.K, BIC: m.BIC, LogLik: m.LogLik, Weights: m.Weights, Means: m.Means})
		if _, ok := singularPopulation(m.Weights, rep.Units, dim); ok {
			rep.Singular = append(rep.Singular, m.K)
		}
	}
	for k := 1; k <= maxK; k++ {
		if !slices.ContainsFunc(fits, func(m *lowrank.Mixture) bool { return m.K == k }) {
			rep.Unfitted = append(rep.Unfitted, k)
		}
	}
	if slices.Contains(rep.Unfitted, forceK) {
		var fitted []int
		for _, m := range fits {
			fitted = append(fitted, m.K)
		}
		return nil, fmt.Errorf("-k %d: no mixture of %d components could be fitted to the loadings of %d units (more components than units, or EM failed from every start); fitted: K = %s",
			forceK, forceK, l.Size(), intRuns(fitted))
	}
	held := tasks.HeldOut(s.task)
	rep.Split = tasks.SplitLabel(held)
	evaluate := func() analysis.Report {
		return analysis.Evaluate(s.net, held, analysis.EvalOptions{Trials: trials, Draw: newStream(seed, streamResampleEval)})
	}
	accuracy := func() float64 { return evaluate().Accuracy }
	first := evaluate()
	rep.Trials = first.Trials
	if first.Trials > 0 {
		rep.Accuracy = &first.Accuracy
	}
	if resample == 0 || first.Trials == 0 {
		return rep, nil
	}
	saved := make([]autodiff.Tensor[float32], 0, len(l.Params()))
	for _, p := range l.Params() {
		saved = append(saved, p.Value.Clone())
	}
	defer func() {
		for i, p := range l.Params() {
			p.Value.CopyFrom(saved[i])
		}
	}()
	other := fits[best].K
	if forceK > 0 {
		other = forceK
	}
	for _, k := range unique(1, other) {
		i := slices.IndexFunc(fits, func(m *lowrank.Mixture) bool { return m.K == k })
		if i < 0 {
			return nil, fmt.Errorf("populations: no mixture of %d components could be fitted", k)
		}
		st := resampleStats{K: k}
		for range resample {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			draw, err := fits[i].Sample(l.Size(), rng)
			if err != nil {
				return nil, err
			}
			lowrank.SetLoadings(l, draw)
			st.Accuracies = append(st.Accuracies, accuracy())
		}
		for _, a := range st.Accuracies {
			st.Mean += a / float64(len(st.Accuracies))
		}
		for _, a := range st.Accuracies {
			st.SD += (a - st.Mean) * (a - st.Mean) / float64(max(1, len(st.Accuracies)-1))
		}
		st.SD = math.Sqrt(st.SD)
		rep.Resampled = append(rep.Resampled, st)
	}
	return rep, nil
}

func (r *populationsReport) print(w io.Writer) {
	fmt.Fprintf(w, "populations of %s: %d units, loading vectors of %d dimensions\n", r.Checkpoint, r.Units, r.Dim)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "K\tBIC\tlog L\tweights")
	for _, m := range r.Mixtures {
		mark := ""
		if m.K == r.Chosen {
			mark = "  ← lowest BIC"
		}
		fmt.Fprintf(tw, "%d\t%.1f\t%.1f\t%.2f%s\n", m.K, m.BIC, m.LogLik, m.Weights, mark)
	}
	tw.Flush()
	if len(r.Unfitted) > 0 {
		fmt.Fprintf(w, "K = %s: not fitted (more components than units, or EM failed from every start)\n", intRuns(r.Unfitted))
	}
	if r.Accuracy == nil {
		fmt.Fprintf(w, "task accuracy of the network undefined: %s; no resampled network is scored\n", noScored(trialsOf(r.Split)))
	} else {
		fmt.Fprintf(w, "task accuracy of the network: %.3f on %d %s, without noise\n", *r.Accuracy, r.Trials, trialsOf(r.Split))
	}
	for _, s := range r.Resampled {
		fmt.Fprintf(w, "resampled from %d population(s): accuracy %.3f ± %.3f (mean ± sd of %d networks)\n", s.K, s.Mean, s.SD, len(s.Accuracies))
	}
}

// singularPopulation returns the smallest weight of a mixture of units
// loading vectors of dim dimensions, and whether its population holds no
// more units (weight × units) than dim: a full covariance fitted to it is
// singular but for the regularisation.
func singularPopulation(weights []float64, units, dim int) (float64, bool) {
	w := slices.Min(weights)
	return w, w*float64(units) <= float64(dim)
}

// intRuns renders increasing xs as runs: [1 2 3 5] is "1–3, 5".
func intRuns(xs []int) string {
	var parts []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1] == xs[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", xs[i], xs[j]))
		} else {
			parts = append(parts, fmt.Sprint(xs[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

// writeClusters writes the populations of the mixture with -k (or the
// chosen number of) components to path as named unit sets. The mixtures
// are fitted again from seed, as cluster:I/K does, so that the file and
// inactivate's cluster populations agree.
func writeClusters(path string, l *lowrank.Layer[float32], rep *populationsReport, forceK, maxK int, mc lowrank.MixtureConfig, seed uint64) error {
	k := cmp.Or(forceK, rep.Chosen)
	x, dim := lowrank.Loadings(l)
	fits, _, err := lowrank.SelectMixture(x, dim, maxK, mc, newStream(seed, streamPopulations))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(fits, func(m *lowrank.Mixture) bool { return m.K == k })
	if i < 0 {
		return fmt.Errorf("populations: no mixture of %d components could be fitted", k)
	}
	groups, err := fits[i].Groups(x)
	if err != nil {
		return err
	}
	sets := map[string][]int{}
	for j, g := range groups {
		sets[fmt.Sprintf("cluster%d", j)] = append([]int{}, g...)
	}
	b, err := json.MarshalIndent(sets, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("-write %s: %w", path, err)
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("-write: %w", err)
	}
	return nil
}

// checkWritePath refuses a -write path that holds anything but an empty
// file or an earlier populations file of the network's n units (one that
// analysis.ParsePopulations reads, as inactivate -population FILE.json
// does): writing would replace it, and -write RUN/checkpoint.safetensors or
// RUN/config.json would destroy the run analysed. A path that does not
// exist is accepted: writeClusters makes its missing directories. The rest
// is checkOutputFile's.
func checkWritePath(path string, n int) error {
	return checkOutputFile("-write", path, "populations.json", func(r io.Reader) bool {
		b, err := io.ReadAll(io.LimitReader(r, int64(maxConfigBytes)+1))
		if err != nil || len(b) > maxConfigBytes {
			return false
		}
		_, err = analysis.ParsePopulations(b, n)
		return err == nil
	}, `is not a populations file of this network ({"cluster0": [units...], ...}); populations replaces only an earlier one`)
}
