package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"

	"github.com/rnntrain/rnntrain/internal/plots"
	"github.com/rnntrain/rnntrain/sweep"
)

// sweepCollect prints and writes the table of the sweep in dir
// (collect.csv, collect.md) and plots metric against the axis x (mean ±
// standard error over the other axes) in collect-<metric>-<x>.png. A run
// whose files cannot be read is a note naming the file, and exit status 1
// once the rest is written.
func sweepCollect(ctx context.Context, e *env, dir string, metric sweep.Metric, x string) error {
	plan, rec, stale, err := openSweep(dir, false)
	if err != nil {
		return err
	}
	t := sweep.Table{}
	for _, a := range plan.spec.Axes {
		t.Axes = append(t.Axes, a.Key)
	}
	if x == "" && len(t.Axes) > 0 {
		x = t.Axes[0]
	}
	if x != "" && !slices.Contains(t.Axes, x) {
		return usagef("-x %s: not an axis of the sweep; its axes are %v", x, t.Axes)
	}
	rows, notes := sweepStates(ctx, plan, rec, dir)
	if stale != "" {
		notes = append(append(notes, stale), staleNotes(plan, dir)...)
	}
	l := sweep.Layout{Dir: dir}
	done := 0
	var failed error // a run's files could not be read: exit 1 after the table
	for _, r := range rows {
		row := r.Row
		if r.err != nil {
			failed = exitStatus{1}
		}
		if r.State == sweep.Done {
			res, err := sweep.ReadResult(l.Run(r.Name))
			if err != nil {
				notes = append(notes, err.Error())
				failed = exitStatus{1}
			} else {
				res.WallS = r.run.WallS
				if r.run.Killed > 0 {
					// Only the attempts that ended recorded their time.
					res.WallS = math.NaN()
					notes = append(notes, fmt.Sprintf("point %d: wall_s left empty: %d of its %d attempts were killed before they recorded their wall time", r.Point.Index, r.run.Killed, r.run.Attempts))
				}
				row.Result = &res
				done++
			}
		}
		t.Rows = append(t.Rows, row)
	}
	var csv, md bytes.Buffer
	if err := t.WriteCSV(&csv); err != nil {
		return err
	}
	if err := t.WriteMarkdown(&md); err != nil {
		return err
	}
	for name, b := range map[string][]byte{"collect.csv": csv.Bytes(), "collect.md": md.Bytes()} {
		if err := writeFileAtomic(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	e.stdout.Write(md.Bytes())
	printNotes(e.stderr, notes)
	fmt.Fprintf(e.stdout, "\n%d of %d points done; wrote %s and %s\n", done, len(rows), filepath.Join(dir, "collect.csv"), filepath.Join(dir, "collect.md"))
	if x == "" || done == 0 {
		return failed
	}
	groups, err := t.Aggregate(x, metric)
	if err != nil {
		return usagef("-x: %v", err)
	}
	if len(groups) == 0 {
		// No finished point has a value of the metric: a cross_entropy
		// of a sweep of MSE tasks, or undefined (null) everywhere.
		why := ""
		if metric == sweep.CrossEntropy {
			why = " (only a cross-entropy task's points have one)"
		}
		fmt.Fprintf(e.stdout, "no plot: none of the %d finished points has a value of %s%s\n", done, metric, why)
		return failed
	}
	fig := plots.Sweep{Title: fmt.Sprintf("%s against %s (mean ± s.e. over the other axes)", metric, x), XLabel: x, YLabel: metric.String()}
	numeric := true
	for _, g := range groups {
		if _, ok := g.X.Float(); !ok {
			numeric = false
		}
	}
	fmt.Fprintf(e.stdout, "%s against %s, mean ± s.e. over the other axes:\n", metric, x)
	for _, g := range groups {
		v, _ := g.X.Float()
		fig.X, fig.Mean, fig.StdErr, fig.N = append(fig.X, v), append(fig.Mean, g.Mean), append(fig.StdErr, g.StdErr), append(fig.N, g.N)
		if !numeric {
			fig.Labels = append(fig.Labels, g.X.String())
		}
		fmt.Fprintf(e.stdout, "  %s = %-10s %.4g ± %.2g  (%d runs)\n", x, g.X, g.Mean, g.StdErr, g.N)
	}
	png := filepath.Join(dir, fmt.Sprintf("collect-%s-%s.png", metric, x))
	if err := plots.WriteSweep(png, fig); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "plot: %s\n", png)
	return failed
}
