package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rnntrain/rnntrain/analysis"
	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/layers"
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

// noScored is what every command says in place of an accuracy when no
// trial of the trials it names was scored (every one a catch trial): the
// accuracy is undefined, which 0 ± 0 would hide as a network always wrong.
func noScored(trials string) string {
	return fmt.Sprintf("no scored %s (catch trials are not scored)", trials)
}

// reportLine is the report's accuracy in one line, naming its split.
func reportLine(rep analysis.Report) string {
	step := fmt.Sprintf("step %d", rep.Step)
	if rep.WeightsStep > 0 {
		step = fmt.Sprintf("the best weights, of step %d of %d", rep.WeightsStep, rep.Step)
	}
	if rep.Trials == 0 {
		return fmt.Sprintf("accuracy undefined: %s (task %s, %s), %s", noScored(trialsOf(rep.Split)), rep.Task, step, lossOf(rep))
	}
	return fmt.Sprintf("accuracy %.4f ± %.4f on %d %s (task %s, %s), %s",
		rep.Accuracy, rep.StdErr, rep.Trials, trialsOf(rep.Split), rep.Task, step, lossOf(rep))
}

// lossName names the loss task is trained with, as the lines that print
// it do: "mse" or "cross-entropy".
func lossName(task tasks.Task) string {
	if task.Loss() == tasks.CrossEntropy {
		return "cross-entropy"
	}
	return "mse"
}

// lossOf is the report's loss for humans: the cross-entropy of a task
// trained with it, whose outputs are logits, else the MSE.
func lossOf(rep analysis.Report) string {
	if rep.CrossEntropy != nil {
		return fmt.Sprintf("cross-entropy %.4g", *rep.CrossEntropy)
	}
	return fmt.Sprintf("mse %.4g", rep.MSE)
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
			c = &plots.PsychCurve{Label: fmt.Sprintf("context %d", p.Context+1)}
			byCtx[p.Context] = c
			order = append(order, p.Context)
		}
		c.Coherence = append(c.Coherence, p.Coherence)
		c.PChoice1 = append(c.PChoice1, p.PChoice1)
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

// drawsRaster reports whether the runs of model m draw a raster: of a
// spiking model's spikes (its rates) or of an event-based model's events
// (layers.Model.Events).
func drawsRaster(m layers.Model) bool { return m.Surrogate || m.Events != "" }

// rasterFigure runs k example trials (as trialsFigure) and returns their
// spike rasters: of net's rates for a spiking model m, of its events for
// an event-based one.
func rasterFigure(task tasks.Task, net analysis.Runner, m layers.Model, rng *rand.Rand, k int) plots.Raster {
	if m.Events != "" {
		net = eventRunner{Runner: net, state: m.Events}
	}
	fig := plots.Raster{DT: tasks.Describe(task).DtMS}
	for i, ex := range analysis.Examples(net, task, rng, k) {
		title := fmt.Sprintf("trial %d", i+1)
		if c := trialTitle(ex.Trial); c != "" {
			title = c
		}
		fig.Trials = append(fig.Trials, plots.RasterTrial{Title: title, Spikes: ex.Rates})
	}
	return fig
}

// eventRunner runs a network of an event-based model and returns as its
// rates the model's events: 1 where the state variable named state is
// nonzero, 0 elsewhere.
type eventRunner struct {
	analysis.Runner
	state string
}

// Run implements analysis.Runner; it records the states to read the
// events from. It panics if the network has no state variable r.state of
// N columns.
func (r eventRunner) Run(x []float32, steps, batch int, opt analysis.RunOptions) analysis.Activity {
	opt.Record = true
	act := r.Runner.Run(x, steps, batch, opt)
	i := slices.IndexFunc(act.States, func(s analysis.State) bool { return s.Name == r.state })
	if i < 0 || len(act.States[i].Data) != len(act.Rates) {
		panic(fmt.Sprintf("rnntrain: the network records no state %q of its rates' size to read its events from", r.state))
	}
	act.Rates = eventsOf(act.States[i].Data)
	return act
}

// eventsOf returns the events of an event-based model's state y
// (layers.Model.Events): 1 where y is nonzero, 0 elsewhere.
func eventsOf(y []float32) []float32 {
	events := make([]float32, len(y))
	for i, v := range y {
		if v != 0 {
			events[i] = 1
		}
	}
	return events
}

// trialsFigure lays out up to k example trials (analysis.Examples, drawn
// with the network's noise from rng): inputs, targets and outputs.
func trialsFigure(task tasks.Task, net analysis.Runner, rng *rand.Rand, k int) plots.Trials {
	info := tasks.Describe(task)
	fig := plots.Trials{DT: info.DtMS, InputNames: info.Inputs, OutputNames: info.Outputs}
	if task.Loss() == tasks.CrossEntropy {
		fig.OutputLabel = "P(action) = softmax(output)"
	}
	for i, ex := range analysis.Examples(net, task, rng, k) {
		tr := plots.Trial{Title: fmt.Sprintf("trial %d", i+1), Inputs: ex.Inputs, Targets: ex.Targets, Outputs: ex.Outputs, Scored: ex.Scored}
		if c := trialTitle(ex.Trial); c != "" {
			tr.Title = c
		}
		switch {
		case ex.Excluded:
			tr.Title += " (not scored)"
		case ex.Correct:
			tr.Title += " (correct)"
		default:
			tr.Title += " (error)"
		}
		fig.Trials = append(fig.Trials, tr)
	}
	return fig
}
