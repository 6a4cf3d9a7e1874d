package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/tasks"
)

// evalBatch bounds the trials run through the network at once.
const evalBatch = 256

// conditionRow is one line of the per-condition table.
type conditionRow struct {
	Condition string  `json:"condition"`
	Trials    int     `json:"trials"`
	Correct   int     `json:"correct"`
	Accuracy  float64 `json:"accuracy"`
}

// psychPoint is P(choice right) at one signed coherence in one context.
type psychPoint struct {
	Context   int     `json:"context"`
	Coherence float64 `json:"coherence"`
	Trials    int     `json:"trials"`
	PRight    float64 `json:"p_right"`
}

// evalReport is what eval prints, and train prints at the end.
type evalReport struct {
	Checkpoint   string         `json:"checkpoint,omitempty"`
	Task         string         `json:"task"`
	Model        string         `json:"model"`
	Step         int            `json:"step"`
	Seed         uint64         `json:"seed"`
	Trials       int            `json:"trials"`
	Accuracy     float64        `json:"accuracy"`
	StdErr       float64        `json:"accuracy_stderr"`
	MSE          float64        `json:"mse"`
	Conditions   []conditionRow `json:"conditions"`
	Psychometric []psychPoint   `json:"psychometric,omitempty"`
}

// evaluate runs n fresh trials drawn from rng through net, with private
// noise from noise (nil: none), and scores them with the task's own scorer.
// Trials the scorer excludes (catch trials) count in no accuracy.
func evaluate(task tasks.Task, net network, rng, noise *rand.Rand, n int) evalReport {
	var rep evalReport
	rep.Task = task.Name()
	conds := map[string]*conditionRow{}
	var psych tasks.Psychometric
	var sqErr float64
	correct := 0
	for done := 0; done < n; {
		b := min(evalBatch, n-done)
		batch := task.Batch(rng, b)
		out, _ := net.run(batch.Inputs, batch.T, batch.B, noise)
		res := task.Score(out, &batch)
		sqErr += res.MSE * float64(b)
		if slices.ContainsFunc(batch.Trials, func(tr tasks.Trial) bool { return tr.Choice >= 0 && tr.Coherence != 0 }) {
			psych.Add(&batch, res) // decision trials with signed evidence
		}
		for i, tr := range batch.Trials {
			if i < len(res.Excluded) && res.Excluded[i] {
				continue
			}
			row := conds[tr.Condition]
			if row == nil {
				row = &conditionRow{Condition: tr.Condition}
				conds[tr.Condition] = row
			}
			row.Trials++
			rep.Trials++
			if res.Correct[i] {
				row.Correct++
				correct++
			}
		}
		done += b
	}
	if rep.Trials > 0 {
		rep.Accuracy = float64(correct) / float64(rep.Trials)
		rep.StdErr = math.Sqrt(rep.Accuracy * (1 - rep.Accuracy) / float64(rep.Trials))
	}
	rep.MSE = sqErr / float64(n)
	for _, row := range conds {
		row.Accuracy = float64(row.Correct) / float64(row.Trials)
		rep.Conditions = append(rep.Conditions, *row)
	}
	slices.SortFunc(rep.Conditions, func(a, b conditionRow) int { return strings.Compare(a.Condition, b.Condition) })
	if pts := psych.Points(); len(pts) > 1 {
		for _, p := range pts {
			rep.Psychometric = append(rep.Psychometric, psychPoint{Context: p.Context, Coherence: p.Coherence, Trials: p.N, PRight: p.PChoice1})
		}
	}
	return rep
}

// printReport writes the accuracy and the per-condition table for humans.
func printReport(w io.Writer, rep evalReport) {
	fmt.Fprintf(w, "accuracy %.4f ± %.4f (%d held-out trials, task %s, step %d), mse %.4g\n",
		rep.Accuracy, rep.StdErr, rep.Trials, rep.Task, rep.Step, rep.MSE)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "condition\ttrials\tcorrect\taccuracy\t")
	for _, r := range rep.Conditions {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t\n", r.Condition, r.Trials, r.Correct, r.Accuracy)
	}
	tw.Flush()
}

// psychometricFigure turns the report's points into one curve per context.
func psychometricFigure(rep evalReport) plots.Psychometric {
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
		c.PRight = append(c.PRight, p.PRight)
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
func trialsFigure(task tasks.Task, net network, rng *rand.Rand, k int) plots.Trials {
	batch := task.Batch(rng, 4*k)
	out, _ := net.run(batch.Inputs, batch.T, batch.B, rng)
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
