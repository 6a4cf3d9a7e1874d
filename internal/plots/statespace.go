package plots

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// StatePoint is a fixed point in the coordinates of a state-space plot,
// with the directions of the modes to draw through it.
type StatePoint struct {
	// Coords are the point's coordinates, one per axis.
	Coords []float64
	// Stable points are drawn filled, the others open.
	Stable bool
	// Slow points (not fixed points: the search stopped above its
	// tolerance on q) are drawn grey, fixed points black.
	Slow bool
	// Modes are directions in the same coordinates (each scaled to unit
	// length in every panel's plane when drawn), as short lines.
	Modes [][]float64
}

// StateSpace is trajectories and fixed points projected on a few axes
// (principal components), drawn as one panel per pair of axes.
type StateSpace struct {
	Title string
	// Axes names each coordinate ("PC1 (32 %)", …); Pairs lists the
	// panels as (x, y) axis indices.
	Axes  []string
	Pairs [][2]int
	// Trajectories are the trials' paths, each a list of coordinate
	// vectors; trials of the same Group share a colour (Groups nil: one
	// colour).
	Trajectories [][][]float64
	Groups       []int
	GroupNames   []string
	Points       []StatePoint
}

// WriteStateSpace draws, in each panel, the trajectories as thin
// translucent lines, the fixed points as filled (stable) or open (unstable,
// marginal) circles, black for fixed points and grey for slow ones, and each
// point's modes as short black lines (half-length 3 % of the panel's x
// range), and writes the PNG to path.
func WriteStateSpace(path string, s StateSpace) error {
	if len(s.Groups) != 0 && len(s.Groups) != len(s.Trajectories) {
		return fmt.Errorf("plots: %s: %d groups for %d trajectories", path, len(s.Groups), len(s.Trajectories))
	}
	if len(s.Pairs) == 0 {
		return fmt.Errorf("plots: %s: no panels", path)
	}
	for i, pt := range s.Points {
		if len(pt.Coords) != len(s.Axes) || slices.ContainsFunc(pt.Modes, func(m []float64) bool { return len(m) != len(s.Axes) }) {
			return fmt.Errorf("plots: %s: point %d has %d coordinates (or a mode of another length), want %d", path, i, len(pt.Coords), len(s.Axes))
		}
	}
	for i, tr := range s.Trajectories {
		if slices.ContainsFunc(tr, func(v []float64) bool { return len(v) != len(s.Axes) }) {
			return fmt.Errorf("plots: %s: trajectory %d has a step without %d coordinates", path, i, len(s.Axes))
		}
	}
	var row []*plot.Plot
	for k, pair := range s.Pairs {
		if pair[0] >= len(s.Axes) || pair[1] >= len(s.Axes) || pair[0] < 0 || pair[1] < 0 {
			return fmt.Errorf("plots: %s: panel %d uses axes %v of %d", path, k, pair, len(s.Axes))
		}
		title := ""
		if k == 0 {
			title = s.Title
		}
		p, err := stateSpacePanel(s, pair, title, k == 0)
		if err != nil {
			return err
		}
		row = append(row, p)
	}
	return writeGrid(path, [][]*plot.Plot{row}, vg.Length(len(row))*4.2*vg.Inch, 4.2*vg.Inch)
}

func stateSpacePanel(s StateSpace, pair [2]int, title string, legend bool) (*plot.Plot, error) {
	x, y := pair[0], pair[1]
	p := newPlot(title, s.Axes[x], s.Axes[y])
	lo, hi := 0.0, 0.0
	named := map[int]bool{}
	for i, tr := range s.Trajectories {
		g := 0
		if len(s.Groups) > 0 {
			g = s.Groups[i]
		}
		pts := make(plotter.XYs, 0, len(tr))
		for _, v := range tr {
			pts = append(pts, plotter.XY{X: v[x], Y: v[y]})
			lo, hi = min(lo, v[x]), max(hi, v[x])
		}
		if len(pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, err
		}
		r, gr, b, _ := palette(g).RGBA()
		l.Color = color.NRGBA{uint8(r >> 8), uint8(gr >> 8), uint8(b >> 8), 110}
		l.Width = vg.Points(0.6)
		p.Add(l)
		if g < len(s.GroupNames) && !named[g] && legend {
			named[g] = true
			p.Legend.Add(s.GroupNames[g], l)
		}
	}
	scale := 0.03 * (hi - lo)
	if scale == 0 {
		scale = 0.1
	}
	// Glyphs by stability (filled or open) and kind (fixed or slow).
	var glyphs [2][2]plotter.XYs
	for _, pt := range s.Points {
		px, py := pt.Coords[x], pt.Coords[y]
		for _, m := range pt.Modes {
			dx, dy := m[x], m[y]
			n := dx*dx + dy*dy
			if n < 1e-24 {
				continue
			}
			n = 1 / math.Sqrt(n)
			l, err := plotter.NewLine(plotter.XYs{{X: px - scale*dx*n, Y: py - scale*dy*n}, {X: px + scale*dx*n, Y: py + scale*dy*n}})
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = color.Black, vg.Points(1.2)
			p.Add(l)
		}
		g := &glyphs[b2i(!pt.Stable)][b2i(pt.Slow)]
		*g = append(*g, plotter.XY{X: px, Y: py})
	}
	for _, c := range pointGlyphs(glyphs) {
		sc, err := plotter.NewScatter(c.pts)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: c.color, Radius: vg.Points(3.5), Shape: c.glyph}
		p.Add(sc)
		if legend {
			p.Legend.Add(c.name, sc)
		}
	}
	return p, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pointGlyph is one scatter of a state-space panel's points.
type pointGlyph struct {
	pts   plotter.XYs
	glyph draw.GlyphDrawer
	color color.Color
	name  string
}

// pointGlyphs returns the non-empty scatters of points indexed
// [unstable][slow]: filled circles for stable points, rings for the others,
// black for fixed points and grey for slow ones, each with its legend name.
func pointGlyphs(points [2][2]plotter.XYs) []pointGlyph {
	grey := color.Gray{Y: 150}
	var out []pointGlyph
	for _, c := range []pointGlyph{
		{points[0][0], draw.CircleGlyph{}, color.Black, "stable"},
		{points[1][0], draw.RingGlyph{}, color.Black, "unstable / marginal"},
		{points[0][1], draw.CircleGlyph{}, grey, "stable, slow point"},
		{points[1][1], draw.RingGlyph{}, grey, "unstable / marginal, slow point"},
	} {
		if len(c.pts) > 0 {
			out = append(out, c)
		}
	}
	return out
}
