package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one labelled line (or set of points) of a Panel.
type Series struct {
	// Label names the series in the figure's legend; series of the same
	// label share one entry (the first one's style).
	Label string
	X, Y  []float64 // equal lengths; NaN points are skipped
	// Style is the palette index of the colour; Dashed draws the line
	// dashed.
	Style  int
	Dashed bool
}

// Panel is one axis of a Panels figure.
type Panel struct {
	Title, XLabel, YLabel string
	Series                []Series
	// Points draws markers only (a scatter) instead of lines.
	Points bool
	// MarkStart marks the first point of each line (a trajectory's start)
	// with a filled circle.
	MarkStart bool
	// Identity draws the line y = x over the panel's range (produced
	// against target).
	Identity bool
}

// Panels is a grid of panels sharing one legend, right of the grid: the
// rates of a few units per condition, trajectories in principal-component
// space, produced against target intervals.
type Panels struct {
	Panels []Panel
	// Cols is the number of panels per row (0: all in one row).
	Cols int
}

// WritePanels draws every panel and writes the figure to path in the
// format its extension names (.png, .svg, .pdf). It returns an error if
// there are no panels or a series has X and Y of different lengths.
func WritePanels(path string, ps Panels) error {
	if len(ps.Panels) == 0 {
		return fmt.Errorf("plots: %s: no panels to draw", path)
	}
	cols := ps.Cols
	if cols <= 0 || cols > len(ps.Panels) {
		cols = len(ps.Panels)
	}
	leg := newLegend()
	seen := map[string]bool{}
	var grid [][]*plot.Plot
	for k, pn := range ps.Panels {
		p := newPlot(pn.Title, pn.XLabel, pn.YLabel)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, s := range pn.Series {
			if len(s.X) != len(s.Y) {
				return fmt.Errorf("plots: %s: panel %d, series %q: X and Y have lengths %d and %d", path, k+1, s.Label, len(s.X), len(s.Y))
			}
			pts := xy(s.X, s.Y)
			if len(pts) == 0 {
				continue
			}
			for _, q := range pts {
				lo, hi = min(lo, q.X, q.Y), max(hi, q.X, q.Y)
			}
			var thumb plot.Thumbnailer
			if pn.Points {
				sc, err := plotter.NewScatter(pts)
				if err != nil {
					return fmt.Errorf("plots: %s: %w", path, err)
				}
				sc.Color, sc.Shape, sc.Radius = palette(s.Style), shapeFor(s.Style), vg.Points(2.5)
				p.Add(sc)
				thumb = sc
			} else {
				if err := addLine(p, "", pts, s.Style, s.Dashed, vg.Points(1.5)); err != nil {
					return fmt.Errorf("plots: %s: %w", path, err)
				}
				thumb = swatch(s.Style, s.Dashed)
			}
			if pn.MarkStart {
				sc, err := plotter.NewScatter(pts[:1])
				if err == nil {
					sc.Color, sc.Shape, sc.Radius = palette(s.Style), draw.CircleGlyph{}, vg.Points(3)
					p.Add(sc)
				}
			}
			if s.Label != "" && !seen[s.Label] {
				seen[s.Label] = true
				leg.Add(s.Label, thumb)
			}
		}
		if pn.Identity && lo < hi {
			l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
			if err == nil {
				l.Color = color.Gray{110}
				l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
				p.Add(l)
				leg.Add("produced = target", l)
			}
		}
		if k%cols == 0 {
			grid = append(grid, make([]*plot.Plot, cols))
		}
		grid[len(grid)-1][k%cols] = p
	}
	if pn := ps.Panels[0]; pn.MarkStart {
		sc, _ := plotter.NewScatter(plotter.XYs{{}})
		sc.Color, sc.Shape, sc.Radius = color.Gray{80}, draw.CircleGlyph{}, vg.Points(3)
		leg.Add("start of trial", sc)
	}
	legends := make([]*plot.Legend, len(grid))
	legends[0] = leg
	w := vg.Points(260*float64(cols) + 150)
	return writeFigure(path, figure{plots: grid, legends: legends, w: w, h: vg.Points(250 * float64(len(grid)))})
}

// StimulusGrid is a task's stimulus set in a plane (f1 against f2 of the
// vibrotactile comparison), each stimulus labelled with its fraction of
// correct trials, as Romo et al. (1999) draw it.
type StimulusGrid struct {
	Title, XLabel, YLabel string
	X, Y                  []float64 // one stimulus each
	Accuracy              []float64 // fraction correct per stimulus
	N                     []int     // trials per stimulus
	// Diagonal draws y = x, the boundary between the two choices.
	Diagonal bool
}

// WriteStimulusGrid draws each stimulus as a marker labelled with its
// percentage of correct trials and writes the figure to path in the format
// its extension names.
func WriteStimulusGrid(path string, g StimulusGrid) error {
	n := len(g.X)
	if n == 0 || len(g.Y) != n || len(g.Accuracy) != n || len(g.N) != n {
		return fmt.Errorf("plots: %s: X, Y, Accuracy and N must have the same nonzero length", path)
	}
	p := newPlot(g.Title, g.XLabel, g.YLabel)
	pts := xy(g.X, g.Y)
	labels := plotter.XYLabels{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range g.X {
		labels.XYs = append(labels.XYs, plotter.XY{X: g.X[i], Y: g.Y[i]})
		labels.Labels = append(labels.Labels, fmt.Sprintf(" %.0f%% (%d)", 100*g.Accuracy[i], g.N[i]))
		lo, hi = min(lo, g.X[i], g.Y[i]), max(hi, g.X[i], g.Y[i])
	}
	if g.Diagonal && lo < hi {
		level := plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}}
		if l, err := plotter.NewLine(level); err == nil {
			l.Color = color.Gray{150}
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			p.Add(l)
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	sc.Color, sc.Shape, sc.Radius = palette(0), draw.CircleGlyph{}, vg.Points(3)
	p.Add(sc)
	ls, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	for i := range ls.TextStyle {
		ls.TextStyle[i].Font.Size = vg.Points(8)
		ls.TextStyle[i].XAlign = draw.XLeft
	}
	p.Add(ls)
	pad := 0.12 * (hi - lo)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lo-pad, hi+2*pad, lo-pad, hi+pad
	return writeFigure(path, figure{plots: [][]*plot.Plot{{p}}, w: vg.Points(380), h: vg.Points(340)})
}
