package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
)

// writeInactivation writes inactivation.json and the figures the
// experiment has to dir, in the run's plot formats (plot_formats, default
// PNG and SVG): psychometric-inactivated (decision tasks), unit-ranking
// (-each-unit) and dose-response (-fractions).
func writeInactivation(dir string, r inactivateResult, formats plots.Formats, chance float64) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("-out %s: %w", dir, err)
	}
	if err := writeFileAtomic(filepath.Join(dir, "inactivation.json"), append(b, '\n')); err != nil {
		return err
	}
	set := &figureSet{dir: dir, formats: formats}
	if len(r.Before.Psychometric) > 0 && len(r.After.Psychometric) == len(r.Before.Psychometric) {
		pp := plots.PsychPanels{Panels: [][]plots.Psychometric{psychPanels(r)}}
		if err := set.add("psychometric-inactivated", func(p string) error { return plots.WritePsychPanels(p, pp) }); err != nil {
			return err
		}
	}
	if len(r.EachUnit) > 0 {
		rk := plots.UnitRanking{Title: fmt.Sprintf("%s: single-unit lesions (window %s, %s)", r.Task, r.Window, trialsOf(r.Split))}
		for _, u := range r.EachUnit {
			rk.Units = append(rk.Units, u.Unit)
			rk.Drop = append(rk.Drop, u.Drop)
		}
		if err := set.add("unit-ranking", func(p string) error { return plots.WriteUnitRanking(p, rk) }); err != nil {
			return err
		}
	}
	if len(r.Fractions) > 0 {
		d := doseResponse(r, chance)
		if err := set.add("dose-response", func(p string) error { return plots.WriteDoseResponse(p, d) }); err != nil {
			return err
		}
	}
	return nil
}

// doseResponse turns the -fractions sweeps into one curve per population,
// each point with the 95 % interval the text prints for it (CI95:
// Summary.Interval95 of its draws).
func doseResponse(r inactivateResult, chance float64) plots.DoseResponse {
	d := plots.DoseResponse{Title: fmt.Sprintf("%s: %s, window %s (%s, %d draws)", r.Task, r.Mode, r.Window, trialsOf(r.Split), r.After.Repeats),
		Chance: chance, Interval: intervalName(r.After.Repeats)}
	for _, f := range r.Fractions {
		i := slices.IndexFunc(d.Curves, func(c plots.DoseCurve) bool { return c.Label == f.Population })
		if i < 0 {
			d.Curves = append(d.Curves, plots.DoseCurve{Label: f.Population})
			i = len(d.Curves) - 1
		}
		c := &d.Curves[i]
		c.Fraction, c.Accuracy = append(c.Fraction, f.Fraction), append(c.Accuracy, f.Accuracy)
		c.Low, c.High = append(c.Low, f.CI95[0]), append(c.High, f.CI95[1])
	}
	return d
}

// intervalName names, for a figure's legend, the 95 % interval
// Summary.Interval95 gives a summary of repeats evaluations.
func intervalName(repeats int) string {
	if repeats <= 1 {
		return "Wilson interval"
	}
	return fmt.Sprintf("t interval across %d draws, at least Wilson's on the trials", repeats)
}

// psychPanels turns the before and after psychometric points into one
// panel per context (counted from 1), each with the two curves and each
// point with its 95 % interval (Summary.PsychInterval95): Wilson's on its
// trials before, and after with one draw of units; with several, the
// Student-t interval across the draws of their mean, widened where needed to
// Wilson's on the trials.
func psychPanels(r inactivateResult) []plots.Psychometric {
	what := fmt.Sprintf("%s %s, window %s", r.Mode, r.Population, r.Window)
	if len(r.Selected) == 0 && len(r.Cuts) > 0 {
		what = fmt.Sprintf("cut %s→%s, window %s", r.Cuts[0].From, r.Cuts[0].To, r.Window)
	}
	var ctxs []int
	curves := map[int]*[2]plots.PsychCurve{}
	for k, s := range []analysis.Summary{r.Before, r.After} {
		for i, p := range s.Psychometric {
			c := curves[p.Context]
			if c == nil {
				c = &[2]plots.PsychCurve{{Label: "before", Interval: intervalName(r.Before.Repeats)}, {Label: "after", Interval: intervalName(r.After.Repeats)}}
				curves[p.Context] = c
				ctxs = append(ctxs, p.Context)
			}
			lo, hi := s.PsychInterval95(i)
			c[k].Coherence, c[k].PChoice1, c[k].N = append(c[k].Coherence, p.Coherence), append(c[k].PChoice1, p.PChoice1), append(c[k].N, p.Trials)
			c[k].Low, c[k].High = append(c[k].Low, lo), append(c[k].High, hi)
		}
	}
	panels := make([]plots.Psychometric, len(ctxs))
	for i, k := range ctxs {
		panels[i] = plots.Psychometric{Title: fmt.Sprintf("context %d: %s", k+1, what), Curves: curves[k][:]}
	}
	if len(panels) == 1 {
		panels[0].Title = what
	}
	return panels
}

// accuracyCI renders an accuracy with its standard error, its 95 %
// interval (Summary.Interval95: Wilson's for one evaluation, ± the
// Student-t quantile (draws − 1 degrees of freedom) times the s.e. across
// draws for several) and the trials it was measured on:
// "0.999 ± 0.001 (95% CI 0.994–1.000) on fresh trials"; with no scored
// trial "undefined: no scored fresh trials (catch trials are not
// scored)", not 0 with the interval 0–1.
func accuracyCI(s analysis.Summary, on string) string {
	if s.Trials == 0 {
		return "undefined: " + noScored(on)
	}
	lo, hi := s.Interval95()
	return fmt.Sprintf("%.3f ± %.3f (95%% CI %.3f–%.3f) on %s", s.Accuracy, s.StdErr, lo, hi, on)
}

// printInactivation prints the experiment as text; every accuracy names
// the trials it was measured on.
func printInactivation(w io.Writer, r inactivateResult) {
	k := 0
	if len(r.Units) > 0 {
		k = len(r.Units[0])
	}
	on := trialsOf(r.Split)
	var what []string
	if len(r.Selected) > 0 || len(r.Cuts) == 0 {
		what = append(what, fmt.Sprintf("%s %d of %d selected units (%s)", r.Mode, k, len(r.Selected), r.Population))
	}
	for _, c := range r.Cuts {
		what = append(what, fmt.Sprintf("cut %s→%s (%d connections)", c.From, c.To, c.Connections))
	}
	fmt.Fprintf(w, "%s: %s, window %s", r.Task, strings.Join(what, ", "), r.Window)
	fmt.Fprintf(w, ", %d %s", r.Before.Trials, on)
	if r.After.Repeats > 1 {
		fmt.Fprintf(w, ", %d draws", r.After.Repeats)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "before: accuracy %s\nafter:  accuracy %s\n", accuracyCI(r.Before, on), accuracyCI(r.After, on))
	fmt.Fprintf(w, "accuracy per condition (%s):\n", on)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "condition\ttrials\tbefore\t95% CI\tafter\t95% CI\tchange\t")
	for i, c := range r.Before.Conditions {
		a := r.After.Conditions[i]
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f–%.3f\t%.3f ± %.3f\t%.3f–%.3f\t%+.3f\t\n", c.Condition, c.Trials,
			c.Accuracy, c.CI95[0], c.CI95[1], a.Accuracy, a.StdErr, a.CI95[0], a.CI95[1], a.Accuracy-c.Accuracy)
	}
	tw.Flush()
	if len(r.Before.Psychometric) > 0 && len(r.After.Psychometric) == len(r.Before.Psychometric) {
		fmt.Fprintf(w, "\npsychometric: P(choice 1) per context (from 1) and signed coherence (%s):\n", on)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "context\tcoherence\ttrials\tbefore\tafter\t")
		for i, p := range r.Before.Psychometric {
			fmt.Fprintf(tw, "%d\t%+g\t%d\t%.3f\t%.3f\t\n", p.Context+1, p.Coherence, p.Trials, p.PChoice1, r.After.Psychometric[i].PChoice1)
		}
		tw.Flush()
	}
	if len(r.Before.PsychometricFit) > 0 && len(r.After.PsychometricFit) == len(r.Before.PsychometricFit) {
		fmt.Fprintln(w, "\nlogistic fit per context, P(choice 1) = σ(bias + slope·coherence) (bias in log-odds at zero coherence):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "context\tbias before\tbias after\tshift\tslope before\tslope after\tshift\t")
		for i, b := range r.Before.PsychometricFit {
			a := r.After.PsychometricFit[i]
			fmt.Fprintf(tw, "%d\t%+.3f\t%+.3f\t%+.3f\t%.3f\t%.3f\t%+.3f\t\n", b.Context+1, b.Bias, a.Bias, a.Bias-b.Bias, b.Slope, a.Slope, a.Slope-b.Slope)
		}
		tw.Flush()
	}
	if len(r.EachUnit) > 0 {
		fmt.Fprintf(w, "\nsingle-unit lesions, ranked by accuracy drop (%s):\n", on)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "rank\tunit\taccuracy\tdrop\t")
		for i, u := range r.EachUnit {
			fmt.Fprintf(tw, "%d\t%d\t%.3f\t%+.3f\t\n", i+1, u.Unit, u.Accuracy, u.Drop)
		}
		tw.Flush()
	}
	if len(r.Fractions) > 0 {
		fmt.Fprintf(w, "\ndose–response (%s):\n", on)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "population\tfraction\tunits\taccuracy\ts.e.\t95% CI\t")
		for _, f := range r.Fractions {
			fmt.Fprintf(tw, "%s\t%.2f\t%d\t%.3f\t%.3f\t%.3f–%.3f\t\n", cmp.Or(f.Population, r.Population), f.Fraction, f.Units, f.Accuracy, f.StdErr, f.CI95[0], f.CI95[1])
		}
		tw.Flush()
	}
}
