package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StatePoint is a fixed point in the plane of the state-space plot, with
// the directions of its unstable (or marginal) modes.
type StatePoint struct {
	X, Y float64
	// Stable points are drawn filled, the others open.
	Stable bool
	// Modes are the in-plane directions (dx, dy) of the modes to draw as
	// short lines through the point, each drawn with half-length Scale.
	Modes [][2]float64
}

// StateSpace is trajectories and fixed points projected on two principal
// components.
type StateSpace struct {
	Title          string
	XLabel, YLabel string
	// Trajectories are the trials' paths, each a list of (x, y); trials
	// of the same Group share a colour (Groups nil: one colour).
	Trajectories [][][2]float64
	Groups       []int
	GroupNames   []string
	Points       []StatePoint
	// Scale is the half-length of a mode's line (default 5 % of the
	// trajectories' x range).
	Scale float64
}

// WriteStateSpace draws the trajectories as thin lines, the fixed points as
// filled (stable) or open (unstable, marginal) circles and each point's
// modes as short black lines, and writes the PNG to path.
func WriteStateSpace(path string, s StateSpace) error {
	if len(s.Groups) != 0 && len(s.Groups) != len(s.Trajectories) {
		return fmt.Errorf("plots: %s: %d groups for %d trajectories", path, len(s.Groups), len(s.Trajectories))
	}
	p := newPlot(s.Title, s.XLabel, s.YLabel)
	lo, hi := 0.0, 0.0
	named := map[int]bool{}
	for i, tr := range s.Trajectories {
		g := 0
		if len(s.Groups) > 0 {
			g = s.Groups[i]
		}
		pts := make(plotter.XYs, 0, len(tr))
		for _, v := range tr {
			pts = append(pts, plotter.XY{X: v[0], Y: v[1]})
			lo, hi = min(lo, v[0]), max(hi, v[0])
		}
		name := ""
		if g < len(s.GroupNames) && !named[g] {
			name, named[g] = s.GroupNames[g], true
		}
		if err := addLine(p, name, pts, g, false, vg.Points(0.6)); err != nil {
			return err
		}
	}
	scale := s.Scale
	if scale == 0 {
		scale = 0.05 * (hi - lo)
		if scale == 0 {
			scale = 0.1
		}
	}
	for _, pt := range s.Points {
		for _, m := range pt.Modes {
			l, err := plotter.NewLine(plotter.XYs{{X: pt.X - scale*m[0], Y: pt.Y - scale*m[1]}, {X: pt.X + scale*m[0], Y: pt.Y + scale*m[1]}})
			if err != nil {
				return err
			}
			l.Color, l.Width = color.Black, vg.Points(1.2)
			p.Add(l)
		}
	}
	var filled, open plotter.XYs
	for _, pt := range s.Points {
		if pt.Stable {
			filled = append(filled, plotter.XY{X: pt.X, Y: pt.Y})
		} else {
			open = append(open, plotter.XY{X: pt.X, Y: pt.Y})
		}
	}
	for _, c := range []struct {
		pts   plotter.XYs
		glyph draw.GlyphDrawer
		name  string
	}{{filled, draw.CircleGlyph{}, "stable"}, {open, draw.RingGlyph{}, "unstable / marginal"}} {
		if len(c.pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(c.pts)
		if err != nil {
			return err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(3.5), Shape: c.glyph}
		p.Add(sc)
		p.Legend.Add(c.name, sc)
	}
	return writeGrid(path, [][]*plot.Plot{{p}}, 5.5*vg.Inch, 4.5*vg.Inch)
}
