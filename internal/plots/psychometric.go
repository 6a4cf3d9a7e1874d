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

// PsychCurve is P(choice 1) against signed coherence for one context, where
// choice 1 is the choice positive coherence calls for ("right").
type PsychCurve struct {
	Label     string
	Coherence []float64 // signed, ascending
	PRight    []float64 // fraction of trials with choice 1
	N         []int     // trials per point, for the binomial error bars
}

// Psychometric is a set of curves drawn on one axis.
type Psychometric struct {
	Title  string
	XLabel string // default "signed coherence"
	Curves []PsychCurve
}

// WritePsychometric draws every curve with ±1 binomial standard error bars,
// a chance line at 0.5, and writes the PNG to path.
func WritePsychometric(path string, ps Psychometric) error {
	if len(ps.Curves) == 0 {
		return fmt.Errorf("plots: %s: no psychometric curves to draw", path)
	}
	xl := ps.XLabel
	if xl == "" {
		xl = "signed coherence (> 0 calls for choice 1)"
	}
	title := ps.Title
	if title == "" {
		title = "Psychometric curve"
	}
	p := newPlot(title, xl, "P(choice 1)")
	p.Y.Min, p.Y.Max = -0.02, 1.02
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range ps.Curves {
		if len(c.PRight) != len(c.Coherence) || len(c.N) != len(c.Coherence) {
			return fmt.Errorf("plots: %s: curve %q: Coherence, PRight and N must have equal lengths", path, c.Label)
		}
		for _, x := range c.Coherence {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo < hi {
		chance, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: 0.5}, {X: hi, Y: 0.5}})
		chance.Color = color.Gray{150}
		chance.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(chance)
		zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: 1}})
		zero.Color = color.Gray{200}
		p.Add(zero)
	}
	for i, c := range ps.Curves {
		pts := xy(c.Coherence, c.PRight)
		if len(pts) == 0 {
			continue
		}
		if err := addLine(p, "", pts, i, false, vg.Points(1.5)); err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		s.Color = palette(i)
		s.Radius = vg.Points(3)
		s.Shape = shapeFor(i)
		p.Add(s)
		p.Legend.Add(c.Label, s)
		errs := make(plotter.YErrors, 0, len(pts))
		bars := make(plotter.XYs, 0, len(pts))
		for k := range c.Coherence {
			if math.IsNaN(c.PRight[k]) || c.N[k] == 0 {
				continue
			}
			se := math.Sqrt(c.PRight[k] * (1 - c.PRight[k]) / float64(c.N[k]))
			errs = append(errs, struct{ Low, High float64 }{se, se})
			bars = append(bars, plotter.XY{X: c.Coherence[k], Y: c.PRight[k]})
		}
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{bars, errs})
		if err == nil {
			eb.Color = palette(i)
			p.Add(eb)
		}
	}
	p.Legend.Top, p.Legend.Left = true, true
	return writeGrid(path, [][]*plot.Plot{{p}}, vg.Points(420), vg.Points(340))
}

func shapeFor(i int) draw.GlyphDrawer {
	switch i % 3 {
	case 0:
		return draw.CircleGlyph{}
	case 1:
		return draw.TriangleGlyph{}
	}
	return draw.BoxGlyph{}
}
