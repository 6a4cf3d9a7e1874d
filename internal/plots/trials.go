package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trial is one trial's time courses, time-major.
type Trial struct {
	Title   string
	Inputs  [][]float64 // [T][nIn]
	Targets [][]float64 // [T][nOut]
	Outputs [][]float64 // [T][nOut]
	// Scored[t] is false where no output is scored (mask zero); those
	// periods are shaded.
	Scored []bool
}

// Trials is a set of example trials drawn in one figure.
type Trials struct {
	Title string
	// DT is the duration of one step in ms; 0 draws time in steps.
	DT float64
	// InputNames and OutputNames label the channels; missing names are
	// numbered from 1 ("in 1", "out 1").
	InputNames, OutputNames []string
	// OutputLabel is the outputs' axis label; empty means "output".
	OutputLabel string
	Trials      []Trial
}

// WriteTrials draws, for each trial, its inputs (top row) and the network's
// outputs (solid) with their targets (dashed, with markers, drawn only where
// scored) in the same colour (bottom row), with unscored periods shaded
// amber, one legend per row right of the panels, and writes the figure to
// path in the format its extension names (.png, .svg, .pdf).
func WriteTrials(path string, tr Trials) error {
	if len(tr.Trials) == 0 {
		return fmt.Errorf("plots: %s: no trials to draw", path)
	}
	top := make([]*plot.Plot, len(tr.Trials))
	bottom := make([]*plot.Plot, len(tr.Trials))
	var legends []*plot.Legend
	unit := "time step"
	if tr.DT > 0 {
		unit = "time (ms)"
	}
	for j, t := range tr.Trials {
		n := len(t.Inputs)
		if len(t.Targets) != n || len(t.Outputs) != n || len(t.Scored) != n || n == 0 {
			return fmt.Errorf("plots: %s: trial %d: Inputs, Targets, Outputs and Scored must have the same nonzero length (got %d, %d, %d, %d)",
				path, j, n, len(t.Targets), len(t.Outputs), len(t.Scored))
		}
		time := make([]float64, n)
		for s := range time {
			time[s] = float64(s)
			if tr.DT > 0 {
				time[s] *= tr.DT
			}
		}
		in := newPlot(t.Title+": inputs", unit, "input")
		for i := range t.Inputs[0] {
			if err := addLine(in, channelName(tr.InputNames, "in", i), xy(time, column(t.Inputs, i)), i, false, vg.Points(1)); err != nil {
				return fmt.Errorf("plots: %s: %w", path, err)
			}
		}
		ylabel := tr.OutputLabel
		if ylabel == "" {
			ylabel = "output"
		}
		out := newPlot(t.Title+": outputs", unit, ylabel)
		lo, hi := span(t.Targets, t.Outputs)
		shade(out, time, t.Scored, lo, hi)
		for k := range t.Targets[0] {
			name := channelName(tr.OutputNames, "out", k)
			if err := addTargets(out, name+" target", time, column(t.Targets, k), t.Scored, k); err != nil {
				return fmt.Errorf("plots: %s: %w", path, err)
			}
			if err := addLine(out, name+" output", xy(time, column(t.Outputs, k)), k, false, vg.Points(1.5)); err != nil {
				return fmt.Errorf("plots: %s: %w", path, err)
			}
		}
		if j == 0 { // one legend per row, right of the row
			legends = []*plot.Legend{takeLegend(in), takeLegend(out)}
		} else {
			in.Legend, out.Legend = plot.NewLegend(), plot.NewLegend()
		}
		top[j], bottom[j] = in, out
	}
	w := vg.Points(300*float64(len(tr.Trials)) + 130)
	return writeFigure(path, figure{plots: [][]*plot.Plot{top, bottom}, legends: legends, w: w, h: vg.Points(520)})
}

// takeLegend moves p's legend out of its axes and returns it, top-left
// aligned, for a figure's legend column.
func takeLegend(p *plot.Plot) *plot.Legend {
	l := p.Legend
	l.Top, l.Left, l.XOffs, l.YOffs = true, true, 0, 0
	p.Legend = plot.NewLegend()
	return &l
}

// addTargets draws a target channel only where it is scored: a dashed line
// over each scored span, with markers on spans of at most shortSpan steps so
// that they show.
func addTargets(p *plot.Plot, name string, time, y []float64, scored []bool, i int) error {
	const shortSpan = 3
	var dots plotter.XYs
	var legend plot.Thumbnailer
	for s := 0; s < len(scored); {
		if !scored[s] {
			s++
			continue
		}
		e := s
		for e < len(scored) && scored[e] {
			e++
		}
		seg := xy(time[s:e], y[s:e])
		if e-s <= shortSpan {
			dots = append(dots, seg...)
		}
		if len(seg) > 1 {
			l, err := plotter.NewLine(seg)
			if err != nil {
				return err
			}
			l.Color = palette(i)
			l.Width = vg.Points(1.2)
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			p.Add(l)
			legend = l
		}
		s = e
	}
	if len(dots) > 0 {
		sc, err := plotter.NewScatter(dots)
		if err != nil {
			return err
		}
		sc.Color = palette(i)
		sc.Shape = draw.CircleGlyph{}
		sc.Radius = vg.Points(2.5)
		p.Add(sc)
		legend = sc
	}
	if legend != nil {
		p.Legend.Add(name+" (where scored)", legend)
	}
	return nil
}

// shade fills the spans where scored is false with pale amber, over [lo, hi].
func shade(p *plot.Plot, time []float64, scored []bool, lo, hi float64) {
	dt := 1.0
	if len(time) > 1 {
		dt = time[1] - time[0]
	}
	first := true
	for s := 0; s < len(scored); {
		if scored[s] {
			s++
			continue
		}
		e := s
		for e < len(scored) && !scored[e] {
			e++
		}
		x0, x1 := time[s]-dt/2, time[e-1]+dt/2
		poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: lo}, {X: x1, Y: lo}, {X: x1, Y: hi}, {X: x0, Y: hi}})
		if err == nil {
			poly.Color = grey()
			poly.LineStyle.Width = 0
			p.Add(poly)
			if first {
				p.Legend.Add("not scored", poly)
				first = false
			}
		}
		s = e
	}
}

func span(a, b [][]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, m := range [][][]float64{a, b} {
		for _, row := range m {
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 1
	}
	pad := 0.05 * (hi - lo)
	if pad == 0 {
		pad = 0.5
	}
	return lo - pad, hi + pad
}

func column(m [][]float64, i int) []float64 {
	c := make([]float64, len(m))
	for t, row := range m {
		c[t] = row[i]
	}
	return c
}

func channelName(names []string, prefix string, i int) string {
	if i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprintf("%s %d", prefix, i+1)
}
