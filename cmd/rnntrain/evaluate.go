package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
)

// trialsOf names the trials of a split label for a sentence: "validation
// trials", "test trials", "fresh trials".
func trialsOf(split string) string {
	if strings.HasSuffix(split, "trials") {
		return split
	}
	return split + " trials"
}

// reportLine is the report's accuracy in one line, naming its split.
func reportLine(rep analysis.Report) string {
	return fmt.Sprintf("accuracy %.4f ± %.4f on %d %s (task %s, step %d), mse %.4g",
		rep.Accuracy, rep.StdErr, rep.Trials, trialsOf(rep.Split), rep.Task, rep.Step, rep.MSE)
}

// printReport writes the accuracy and the per-condition table for humans.
func printReport(w io.Writer, rep analysis.Report) {
	fmt.Fprintln(w, reportLine(rep))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "condition\ttrials\tcorrect\taccuracy\t")
	for _, r := range rep.Conditions {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t\n", r.Condition, r.Trials, r.Correct, r.Accuracy)
	}
	tw.Flush()
}

// psychometricFigure turns the report's points into one curve per context.
func psychometricFigure(rep analysis.Report) plots.Psychometric {
	fig := plots.Psychometric{Title: fmt.Sprintf("%s: psychometric curve (%d trials)", rep.Task, rep.Trials)}
	byCtx := map[int]*plots.PsychCurve{}
	var order []int
	for _, p := range rep.Psychometric {
		c := byCtx[p.Context]
		if c == nil {
			c = &plots.PsychCurve{Label: fmt.Sprintf("context %d", p.Context)}
			byCtx[p.Context] = c
			order = append(order, p.Context)
		}
		c.Coherence = append(c.Coherence, p.Coherence)
		c.PRight = append(c.PRight, p.PChoice1)
		c.N = append(c.N, p.Trials)
	}
	if len(order) == 1 {
		byCtx[order[0]].Label = "all trials"
	}
	for _, k := range order {
		fig.Curves = append(fig.Curves, *byCtx[k])
	}
	return fig
}

// trialsFigure draws a batch of fresh trials (and the network's noise) from
// rng, picks up to k of them with
// different contexts and choices, runs them through net and lays out their
// inputs, targets and outputs.
func trialsFigure(task tasks.Task, net analysis.Runner, rng *rand.Rand, k int) plots.Trials {
	batch := task.Batch(rng, 4*k)
	out := net.Run(batch.Inputs, batch.T, batch.B, analysis.RunOptions{Noise: rng}).Out
	res := task.Score(out, &batch)
	info := tasks.Describe(task)
	fig := plots.Trials{DT: info.DtMS, InputNames: info.Inputs, OutputNames: info.Outputs}
	if task.Loss() == tasks.CrossEntropy {
		// The outputs are logits over actions; their softmax is what
		// the one-hot targets compare with.
		softmaxRowsTo(out, batch.NOut)
		fig.OutputLabel = "P(action) = softmax(output)"
	}
	type kind struct{ ctx, choice int }
	seen := map[kind]bool{}
	var pick []int
	for pass := 0; pass < 2 && len(pick) < k; pass++ {
		for b := 0; b < batch.B && len(pick) < k; b++ {
			tr := batch.Trials[b]
			kd := kind{tr.Context, tr.Choice}
			if slices.Contains(pick, b) || (pass == 0 && seen[kd]) {
				continue
			}
			seen[kd] = true
			pick = append(pick, b)
		}
	}
	for _, b := range pick {
		T := batch.T
		if b < len(batch.Lengths) && batch.Lengths[b] > 0 {
			T = batch.Lengths[b]
		}
		tr := plots.Trial{Title: fmt.Sprintf("trial %d", b+1)}
		if c := batch.Trials[b].Condition; c != "" {
			tr.Title = c
		}
		switch {
		case b < len(res.Excluded) && res.Excluded[b]:
			tr.Title += " (not scored)"
		case res.Correct[b]:
			tr.Title += " (correct)"
		default:
			tr.Title += " (error)"
		}
		at := func(x []float32, t, dim int) []float64 {
			v := make([]float64, dim)
			for i := range v {
				v[i] = float64(x[(t*batch.B+b)*dim+i])
			}
			return v
		}
		for t := range T {
			tr.Inputs = append(tr.Inputs, at(batch.Inputs, t, batch.NIn))
			tr.Targets = append(tr.Targets, at(batch.Targets, t, batch.NOut))
			tr.Outputs = append(tr.Outputs, at(out, t, batch.NOut))
			scored := false
			for _, m := range at(batch.Mask, t, batch.NOut) {
				scored = scored || m > 0
			}
			tr.Scored = append(tr.Scored, scored)
		}
		fig.Trials = append(fig.Trials, tr)
	}
	return fig
}

// softmaxRowsTo replaces each run of n values of x by its softmax.
func softmaxRowsTo(x []float32, n int) {
	for i := 0; i+n <= len(x); i += n {
		row := x[i : i+n]
		m := row[0]
		for _, v := range row {
			m = max(m, v)
		}
		var sum float64
		for j, v := range row {
			e := math.Exp(float64(v - m))
			row[j] = float32(e)
			sum += e
		}
		for j := range row {
			row[j] = float32(float64(row[j]) / sum)
		}
	}
}
