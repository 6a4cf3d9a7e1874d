package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/tasks"
)

const inactivateLong = `
Inactivate runs an in-silico inactivation experiment on a checkpoint: it
scores the same trials (as eval: the held-out split of a dataset, or -trials
fresh trials of a generated task drawn from -seed's stream, with the same
private noise unless -noise=false) without and with a perturbation of a set of
units, and prints the accuracy before and after with its standard error and
95 % confidence interval (the Wilson score interval of the fraction correct;
with -repeats, the mean ± t s.e. across the draws, within [0, 1], t the
Student-t quantile with draws − 1 degrees of freedom: 2.262 for 10 draws,
widened where needed to the Wilson interval on the trials), the accuracy per
condition before and after, each with its 95 % interval by the same rule on
the condition's trials, and, for decision tasks, the psychometric points
(P(choice 1) per context and signed coherence) before and after.

Which units (indices are 0-based, as the columns of eval -record's rates):
  -units 3,7,10-20         these units (ranges inclusive)
  -population exc|inh      Dale's excitatory or inhibitory units (a leaky,
                           lif, alif or ltc model trained with dale f: the
                           first round(f·N) units are excitatory)
  -population FILE.json[:NAME]
                           a named set from a JSON file {"name": [indices]}
                           (NAME may be left out when the file has one set;
                           at most one set per unit and 4096 more, each
                           name once)
  -population cluster:I[/K]
                           population I (0 the largest) of a lowrank
                           network's loadings, a Gaussian mixture of K
                           components (default: the number of lowest BIC
                           up to 4) fitted from -seed as rnntrain
                           populations -seed fits it (populations -write
                           FILE.json writes them as cluster0, cluster1, ...);
                           a note says when a population of the mixture
                           has no more units than the loadings have
                           dimensions
  -population VARIABLE-selective, selective:VARIABLE[:top=K]
                           with -recording FILE.npz (eval -record of this
                           checkpoint): each unit's mean rate per scored
                           trial is regressed on the z-scored choice,
                           coherence and context (those recorded); a unit
                           is selective to a variable when |t| ≥ 3 for its
                           coefficient; top=K keeps the K selective units
                           of largest |β|. The regression is written to
                           FILE.selectivity.json beside the recording
                           (replacing only an earlier one or an empty file)
  neither                  every unit
-fraction F silences round(F·n) of the selected n units, drawn -repeats K
times from -seed; the "after" numbers are then the mean over the repeats and
their standard error across repeats. A -fraction that draws all or none of
them (-fraction 1, the default) draws the same units every time: -repeats
is then refused, or, with -fractions (whose doses it draws), that
experiment runs once, with a note. -each-unit silences each unit once.

How and when:
  -mode silence            the units' rates are zero: they send nothing to
                           other units or to the readout (default)
  -mode clamp              their state is held at -clamp-value
  -cut FROM:TO             cut the recurrent connections from the units of
                           FROM to those of TO (PsychRNN's connectivity
                           mask: the effective weights are zero), each side
                           a population (as -population) or a unit list;
                           FROM->TO also works; repeatable. With -cut and
                           neither -units nor -population no unit is
                           silenced. Models with a recurrent weight matrix
                           (rnn, leaky, gru, egru, lif, alif; ltc's gates
                           too) can be cut, lowrank (factored m·nᵀ/N) not.
                           Within a -window the trial runs in three parts
                           (before, during, after), each from the state the
                           last one ended in, on the same noise stream; so
                           silencing units too needs a window that runs to
                           the end (all or FROM:), clamping does not
  -window all              the whole trial (default)
  -window NAME             one of the task's periods in each trial (fixation,
                           stimulus, delay, decision, ...; the periods of
                           eval -record); where a period's steps differ from
                           trial to trial, the trials run in groups of equal
                           window, so their noise is drawn in another order
                           (same distribution, not the same numbers)
  -window FROM:TO          steps [FROM, TO) of every trial (TO empty: to the
                           end); TO is at most the longest trial's length,
                           and a shorter trial's window ends with it

Sweeps: -each-unit silences every selected unit alone and ranks the units by
the accuracy drop; -fractions 0,0.1,...,1 prints the accuracy after
inactivating each fraction of the selected units (-repeats draws each), and
-versus POP adds the same sweep of a second population (as -population).

Which trials: -split validation (default: the held-out trials training
evaluated on), test or train for a dataset; a generated task scores -trials
(default 1000) fresh trials from -seed. Every accuracy printed names them.

For decision tasks a logistic P(choice 1) = σ(bias + slope·coherence) is
fitted per context before and after (maximum likelihood with half a trial
added to each choice count, so a perfect observer's slope stays finite); the
bias is the log-odds of choice 1 at zero coherence.

-json prints one JSON object: before and after (accuracy, accuracy_stderr,
trials, repeats, conditions with their accuracy, accuracy_stderr and
accuracy_ci95, psychometric, psychometric_fit), the units of each repeat
and, with the sweeps, each_unit and fractions (each with accuracy_ci95, its
95 % interval). With no scored trial (every trial a catch trial) the
accuracy is undefined: the text says so, before's and after's accuracy and
accuracy_stderr are null, and -each-unit and -fractions are skipped.
-out DIR writes that object to
DIR/inactivation.json and the figures, in the run's plot formats
(plot_formats, default png,svg): psychometric-inactivated (before and
after, one panel per context), unit-ranking (-each-unit) and dose-response
(-fractions). The bars of both curve figures are 95 % intervals, named in
the legend: the Wilson interval on a point's trials for one evaluation; with
-repeats R, a point is the mean over the R draws of units and its bar the
mean ± the Student-t quantile (R − 1 degrees of freedom) times its s.e.
across the draws, widened where needed to the Wilson interval on the
trials (every draw scores the same trials), as the printed intervals.
`

// inactivateResult is inactivate's JSON output.
type inactivateResult struct {
	Checkpoint string          `json:"checkpoint"`
	Task       string          `json:"task"`
	Split      string          `json:"split"`
	Mode       analysis.Mode   `json:"mode"`
	ClampValue float64         `json:"clamp_value,omitempty"`
	Window     analysis.Window `json:"window"`
	Population string          `json:"population"`
	Cuts       []cutEffect     `json:"cuts,omitempty"`
	// SelectivityFile is where the regression on -recording was written.
	SelectivityFile string           `json:"selectivity_file,omitempty"`
	Selected        []int            `json:"selected"`
	Fraction        float64          `json:"fraction"`
	Units           [][]int          `json:"units"`
	Before          analysis.Summary `json:"before"`
	After           analysis.Summary `json:"after"`
	EachUnit        []unitEffect     `json:"each_unit,omitempty"`
	Fractions       []fractionEffect `json:"fractions,omitempty"`
}

// cutEffect names one connection lesion of -cut.
type cutEffect struct {
	From        string `json:"from"`
	To          string `json:"to"`
	Connections int    `json:"connections"`
}

// unitEffect is one unit's single-unit lesion.
type unitEffect struct {
	Unit     int     `json:"unit"`
	Accuracy float64 `json:"accuracy"`
	Drop     float64 `json:"drop"`
}

// fractionEffect is one point of the dose–response curve of a population.
type fractionEffect struct {
	Population string  `json:"population"`
	Fraction   float64 `json:"fraction"`
	Units      int     `json:"units"`
	Accuracy   float64 `json:"accuracy"`
	StdErr     float64 `json:"accuracy_stderr"`
	// CI95 is the 95 % interval of Accuracy (Summary.Interval95): Wilson's
	// with one draw; with several, the Student-t interval across draws,
	// widened where needed to Wilson's on the trials.
	CI95 [2]float64 `json:"accuracy_ci95"`
}

func inactivateCommand() *command {
	return &command{
		Name:  "inactivate",
		Short: "in-silico inactivation: accuracy before and after silencing or clamping units",
		Usage: "-checkpoint PATH [-units LIST | -population exc|inh|cluster:I[/K]|VAR-selective|FILE.json[:NAME]] [-recording FILE.npz] [-fraction F -repeats K] [-mode silence|clamp] [-cut FROM:TO ...] [-window all|NAME|FROM:TO] [-each-unit] [-fractions LIST [-versus POP]] [-split validation|test|train] [-json] [-out DIR]",
		Long:  inactivateLong,
		Setup: func(fs *flag.FlagSet, e *env) func(ctx context.Context, args []string) error {
			ckpt := fs.String("checkpoint", "", "checkpoint file or run directory (required)")
			units := fs.String("units", "", "0-based unit indices and inclusive ranges, e.g. 3,7,10-20 (default: every unit)")
			pop := fs.String("population", "", "exc or inh (Dale's law), cluster:I[/K] (low-rank populations), VARIABLE-selective or selective:VARIABLE[:top=K] (with -recording), or FILE.json[:NAME] (named unit sets) (default: -units)")
			fraction := fs.Float64("fraction", 1, "fraction of the selected units inactivated, drawn -repeats times")
			repeats := fs.Int("repeats", 1, "draws of -fraction of the selected units")
			var mode analysis.Mode
			fs.TextVar(&mode, "mode", analysis.Silence, "silence (rates zero) or clamp (state held at -clamp-value)")
			clamp := fs.Float64("clamp-value", 0, "state value of clamped units, with -mode clamp (default 0)")
			var cutSpecs stringList
			fs.Var(&cutSpecs, "cut", "cut the recurrent connections FROM:TO (or FROM->TO), each side a population or a unit list; repeatable (default: none cut)")
			var window analysis.Window
			fs.TextVar(&window, "window", analysis.Window{}, "when: all, a task period (stimulus, delay, decision, ...) or steps FROM:TO")
			trials := fs.Int("trials", 0, "number of trials (0: 1000 fresh trials of a generated task, every trial of a dataset's held-out split)")
			seed := fs.Uint64("seed", 1, "seed of the trials, the noise and the unit draws")
			noisy := fs.Bool("noise", true, "run with the model's private recurrent noise (the same noise before and after)")
			eachUnit := fs.Bool("each-unit", false, "silence every selected unit alone and rank the units by accuracy drop")
			fractions := fs.String("fractions", "", "dose–response: comma-separated fractions in [0, 1], e.g. 0,0.1,0.5,1 (default: no dose–response)")
			versus := fs.String("versus", "", "with -fractions: also the dose–response of this population (as -population), drawn beside (default: none)")
			split := tasks.Validation
			fs.TextVar(&split, "split", tasks.Validation, "dataset split to score: validation (the held-out trials), test or train (generated tasks: fresh trials)")
			recording := fs.String("recording", "", "eval -record FILE.npz of this checkpoint, for -population VARIABLE-selective (the regression is written to FILE.selectivity.json, replacing only an earlier one)")
			asJSON := fs.Bool("json", false, "print one JSON object")
			out := fs.String("out", "", "also write the JSON object and the figures to DIR")
			return func(ctx context.Context, args []string) error {
				if err := checkpointArgs(args, *ckpt); err != nil {
					return err
				}
				switch {
				case *units != "" && *pop != "":
					return usagef("-units and -population: give one of them")
				case !(*fraction >= 0 && *fraction <= 1):
					return usagef("-fraction must be in [0, 1], got %g", *fraction)
				case *repeats < 1 || *repeats > 10000:
					return usagef("-repeats must be in [1, 10000], got %d", *repeats)
				case *trials < 0 || *trials > 1_000_000:
					return usagef("-trials must be in [0, 1000000], got %d", *trials)
				case *versus != "" && *fractions == "":
					return usagef("-versus needs -fractions")
				case math.IsNaN(*clamp) || math.Abs(*clamp) > math.MaxFloat32:
					// The state is float32: 1e39 would clamp it to ±Inf.
					return usagef("-clamp-value must be a finite number float32 holds (|x| ≤ 3.4e38), got %g", *clamp)
				case flagGiven(fs, "clamp-value") && mode != analysis.Clamp:
					return usagef("-clamp-value %g needs -mode clamp (silenced units have no value)", *clamp)
				}
				if len(cutSpecs) > 0 && *units == "" && *pop == "" {
					// -cut alone perturbs no unit: the flags that choose
					// or perturb units would be silently ignored.
					switch {
					case *eachUnit || *fractions != "":
						return usagef("-each-unit and -fractions sweep the units of -units or -population; with -cut alone there are none")
					case mode == analysis.Clamp:
						return usagef("-mode clamp clamps the units of -units or -population; with -cut alone there are none (the cut connections are removed, whatever the mode)")
					case flagGiven(fs, "fraction"):
						return usagef("-fraction %g draws from the units of -units or -population; with -cut alone there are none", *fraction)
					}
				}
				doses, err := parseFractions(*fractions)
				if err != nil {
					return err
				}
				if *out != "" {
					// Before the experiment, which a bad -out would lose;
					// writeInactivation makes the directory, so that a
					// refused experiment leaves none behind.
					if err := checkOutputDir("-out", *out); err != nil {
						return err
					}
					if err := checkOutputFiles("-out", *out, "inactivate", []outputFile{{"inactivation.json", []string{"checkpoint", "population"}}}); err != nil {
						return err
					}
				}
				s, c, err := loadSession(*ckpt)
				if err != nil {
					return err
				}
				noteBest(e.stderr, "inactivate", "analyses", "-checkpoint", s, c, *ckpt)
				noteUnsplitFit(e.stderr, "inactivate", s, c)
				_, n, _ := s.net.Dims()
				src := &unitSource{s: s, n: n, step: c.Meta.Step, seed: *seed, recording: *recording, stderr: e.stderr}
				selected, err := src.selectUnits(*units, "-population", *pop)
				if err != nil {
					return err
				}
				var cuts []analysis.Cut
				var cutNames []cutEffect
				for _, spec := range cutSpecs {
					c, e, err := parseCut(spec, n, func(name string) ([]int, error) { return src.population("-cut", name) })
					if err != nil {
						return err
					}
					cuts, cutNames = append(cuts, c), append(cutNames, e)
				}
				if len(cuts) > 0 {
					restore, err := s.net.net.CutRecurrent(make([]bool, n*n))
					if err != nil {
						return usagef("-cut: %v", err)
					}
					restore()
					if *units == "" && *pop == "" {
						selected = []int{} // only the cut: no unit (JSON [])
					} else if mode == analysis.Silence && (window.Period != "" || window.To != 0) {
						return usagef("-cut with silenced units: the window must run to the end of the trial (all or FROM:), or use -mode clamp; after a window that ends early the trial runs on from the units' states, which do not hold a silenced unit's zero rate")
					}
				}
				// A draw of all or none of the selected units is the same
				// every time: -repeats would score one experiment repeatedly.
				draws := *repeats
				if k := int(math.Round(*fraction * float64(len(selected)))); draws > 1 && (k == 0 || k == len(selected)) {
					which := "the same units"
					if len(cuts) > 0 && len(selected) == 0 {
						which = "no unit (only the cut)"
					}
					if len(doses) == 0 {
						return usagef("-repeats %d: -fraction %g of the %d selected units draws %s every time, so every repeat would be the same experiment; "+
							"give a -fraction that draws a subset, or leave -repeats out (-each-unit silences each unit once)", draws, *fraction, len(selected), which)
					}
					fmt.Fprintf(e.stderr, "rnntrain inactivate: note: -repeats %d applies to -fractions; it runs -fraction %g of the %d selected units once, as every draw of it is the same\n",
						draws, *fraction, len(selected))
					draws = 1
				}
				var other []int
				if *versus != "" {
					if other, err = src.selectUnits("", "-versus", *versus); err != nil {
						return err
					}
				}
				if *recording != "" && src.sel == nil {
					return usagef("-recording %s has no effect: only VARIABLE-selective populations (of -population, -versus or -cut) are drawn from a recording", *recording)
				}
				part := tasks.HeldOut(s.task)
				if flagGiven(fs, "split") {
					if part, err = tasks.Part(s.task, split); err != nil {
						return usagef("-split %s: %v", split, err)
					}
				}
				if err := checkWindow(part, window, *seed); err != nil {
					return err
				}
				if err := checkFiniteOutputs(s, c.Path, part, *seed); err != nil {
					return err
				}
				nt := *trials
				if _, finite := part.(tasks.Finite); !finite && nt == 0 {
					nt = 1000
				}
				streams := func() (draw, noise *rand.Rand) {
					if *noisy {
						noise = newStream(*seed, streamEvalCmd+1<<8)
					}
					return newStream(*seed, streamEvalCmd), noise
				}
				whole := "all" // the population when neither -units nor -population is given
				if len(cuts) > 0 {
					whole = "none"
				}
				base := analysis.Inactivation{Mode: mode, ClampValue: *clamp, Window: window, Cuts: cuts}
				rng := newStream(*seed, streamInactivate)
				draw := func(from []int, f float64, repeats int) []analysis.Inactivation {
					ins := make([]analysis.Inactivation, repeats)
					for k := range ins {
						ins[k] = base
						ins[k].Units = analysis.Sample(from, f, rng)
					}
					return ins
				}
				ins := draw(selected, *fraction, draws)
				eff := analysis.Inactivate(s.net, part, nt, streams, ins...)
				res := inactivateResult{Checkpoint: c.Path, Task: eff.Before.Task, Split: eff.Before.Split, Mode: mode, Window: window,
					Population: cmp.Or(*pop, *units, whole), Cuts: cutNames, Selected: selected, Fraction: *fraction,
					Before: analysis.Summarize([]analysis.Report{eff.Before}), After: analysis.Summarize(eff.After)}
				if mode == analysis.Clamp {
					res.ClampValue = *clamp
				}
				res.SelectivityFile = src.selFile
				for _, in := range ins {
					res.Units = append(res.Units, in.Units)
				}
				scored := eff.Before.Trials > 0
				if !scored && (*eachUnit || len(doses) > 0) {
					// Every sweep's accuracy would be undefined too.
					fmt.Fprintf(e.stderr, "rnntrain inactivate: note: %s: the accuracy is undefined, so -each-unit and -fractions are skipped\n", noScored(trialsOf(eff.Before.Split)))
					doses = nil
				}
				if *eachUnit && scored {
					for _, u := range selected {
						if err := ctx.Err(); err != nil {
							return err
						}
						in := base
						in.Units = []int{u}
						r := analysis.Inactivate(s.net, part, nt, streams, in).After[0]
						res.EachUnit = append(res.EachUnit, unitEffect{Unit: u, Accuracy: r.Accuracy, Drop: eff.Before.Accuracy - r.Accuracy})
					}
					slices.SortStableFunc(res.EachUnit, func(a, b unitEffect) int {
						return cmp.Compare(b.Drop, a.Drop)
					})
				}
				sweeps := []namedUnits{{res.Population, selected}}
				if *versus != "" {
					sweeps = append(sweeps, namedUnits{*versus, other})
				}
				for _, sw := range sweeps {
					for _, f := range doses {
						if err := ctx.Err(); err != nil {
							return err
						}
						sum := analysis.Summarize(analysis.Inactivate(s.net, part, nt, streams, draw(sw.units, f, *repeats)...).After)
						lo, hi := sum.Interval95()
						res.Fractions = append(res.Fractions, fractionEffect{Population: sw.name, Fraction: f, Units: int(math.Round(f * float64(len(sw.units)))),
							Accuracy: sum.Accuracy, StdErr: sum.StdErr, CI95: [2]float64{lo, hi}})
					}
				}
				if *out != "" {
					if err := writeInactivation(*out, res, s.cfg.PlotFormats, tasks.Describe(part).Chance); err != nil {
						return err
					}
				}
				if *asJSON {
					enc := json.NewEncoder(e.stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(res)
				}
				printInactivation(e.stdout, res)
				return nil
			}
		},
	}
}

// namedUnits is a unit set and the name the user gave it.
type namedUnits struct {
	name  string
	units []int
}

// parseFractions parses -fractions.
func parseFractions(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var out []float64
	for item := range strings.SplitSeq(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(item), 64)
		if err != nil || !(f >= 0 && f <= 1) {
			return nil, usagef("-fractions: %q is not a fraction in [0, 1]", item)
		}
		if len(out) >= 1000 {
			return nil, usagef("-fractions: more than 1000 values")
		}
		out = append(out, f)
	}
	return out, nil
}

// checkWindow checks that a sample trial of task has the window's period,
// or that the window's steps lie within the task's longest trial: FROM
// before its end, TO at most its length. The longest trial is the bound:
// where trials differ in length, a window that runs past a shorter
// trial's end ends with it, as one that runs to the end (FROM:) does.
func checkWindow(task tasks.Task, w analysis.Window, seed uint64) error {
	if w.Period == "" {
		d := tasks.Describe(task)
		n := d.MaxSteps
		if n <= 0 {
			return nil
		}
		trials := fmt.Sprintf("(every trial has %d steps, 0 to %d)", n, n-1)
		if d.MinSteps > 0 && d.MinSteps < n {
			trials = fmt.Sprintf("(the longest has %d steps, 0 to %d)", n, n-1)
		}
		switch {
		case w.From >= n:
			return usagef("-window %s starts at step %d, after the end of every trial of task %s %s: it would perturb nothing", w, w.From, task.Name(), trials)
		case w.To > n:
			return usagef("-window %s ends at step %d, after the end of every trial of task %s %s; give a TO of at most %d, or %d: to run to the end", w, w.To, task.Name(), trials, n, w.From)
		}
		return nil
	}
	var b tasks.Batch
	if f, ok := task.(tasks.Finite); ok {
		if f.Len() == 0 {
			return nil
		}
		b = f.BatchOf([]int{0})
	} else {
		b = task.Batch(newStream(seed, streamPlot), 1)
	}
	if _, _, ok := w.Span(&b.Trials[0]); ok {
		return nil
	}
	var names []string
	for _, p := range b.Trials[0].Periods {
		names = append(names, p.Name)
	}
	return usagef("-window %s: task %s has no such period (its periods: %s, or all, or FROM:TO)", w.Period, task.Name(), strings.Join(names, ", "))
}
