package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// palette is a colour-blind-safe cycle (Okabe & Ito 2008).
func palette(i int) color.Color {
	p := [...]color.RGBA{
		{0, 114, 178, 255},   // blue
		{213, 94, 0, 255},    // vermillion
		{0, 158, 115, 255},   // bluish green
		{204, 121, 167, 255}, // reddish purple
		{230, 159, 0, 255},   // orange
		{86, 180, 233, 255},  // sky blue
		{240, 228, 66, 255},  // yellow
		{0, 0, 0, 255},       // black
	}
	return p[(i%len(p)+len(p))%len(p)]
}

// grey is the fill of unscored periods: a pale amber that stands apart
// from the grey grid and the white background.
func grey() color.Color { return color.RGBA{252, 234, 196, 255} }

// newPlot returns a plot with a title, axis labels and a light grid.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Title.TextStyle.Font.Size = vg.Points(11)
	g := plotter.NewGrid()
	g.Vertical.Color = color.Gray{235}
	g.Horizontal.Color = color.Gray{235}
	p.Add(g)
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	return p
}

// writeGrid renders plots (rows × cols, nil entries left blank) onto one
// canvas of the given size, each plot's legend inside its axes, and writes
// it to path in the format its extension names (.png, .svg, .pdf).
func writeGrid(path string, plots [][]*plot.Plot, w, h vg.Length) error {
	return writeFigure(path, figure{plots: plots, w: w, h: h})
}

// figure is a grid of plots with, optionally, one legend per row drawn in
// a column right of the grid, outside every axis.
type figure struct {
	plots [][]*plot.Plot // rows × cols; nil entries are left blank
	// legends, when not nil, has one legend per row (a legend with no
	// entries leaves its row's strip blank); the plots' own legends are
	// drawn inside their axes as usual.
	legends []*plot.Legend
	w, h    vg.Length // the whole canvas, legend column included
}

// newLegend returns an empty legend in the figures' style, top-left
// aligned so that it reads from the top of its strip.
func newLegend() *plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = vg.Points(8)
	l.Top, l.Left = true, true
	return &l
}

// widenFlat gives an axis whose values are all one number x that ±1 does
// not widen in float64 (|x| ≥ 2^53: a 64-bit seed, a diverged loss) the
// range x·(1 ± 1e-6) instead: gonum/plot widens an empty range by ±1 and
// its tick marker panics on one it cannot.
func widenFlat(a *plot.Axis) {
	if a.Min != a.Max || a.Min-1 != a.Min || a.Max+1 != a.Max || math.IsInf(a.Min, 0) {
		return
	}
	d := math.Abs(a.Min) * 1e-6
	a.Min, a.Max = a.Min-d, a.Max+d
}

// writeFigure renders f and writes it to path in the format its extension
// names (.png, .svg, .pdf).
func writeFigure(path string, f figure) error {
	format, err := formatOf(path)
	if err != nil {
		return err
	}
	c, dc := newCanvas(format, f.w, f.h)
	var legW vg.Length
	for _, l := range f.legends {
		if l != nil {
			legW = max(legW, l.Rectangle(dc).Size().X)
		}
	}
	if legW > 0 {
		legW += vg.Millimeter * 4
	}
	t := draw.Tiles{
		Rows: len(f.plots), Cols: len(f.plots[0]),
		PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2,
		PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2,
	}
	for _, row := range f.plots {
		for _, p := range row {
			if p != nil {
				widenFlat(&p.X)
				widenFlat(&p.Y)
			}
		}
	}
	canvases := plot.Align(f.plots, t, draw.Crop(dc, 0, -legW, 0, 0))
	for j := range f.plots {
		for i := range f.plots[j] {
			if f.plots[j][i] != nil {
				f.plots[j][i].Draw(canvases[j][i])
			}
		}
		if j < len(f.legends) && f.legends[j] != nil {
			row := canvases[j][len(canvases[j])-1]
			lc := dc
			lc.Min.X, lc.Max.X = dc.Max.X-legW+vg.Millimeter*2, dc.Max.X
			lc.Min.Y, lc.Max.Y = row.Min.Y, row.Max.Y-vg.Millimeter*6
			f.legends[j].Draw(lc)
		}
	}
	return writeCanvas(path, c)
}

// xy builds plotter.XYs from parallel slices, dropping NaN and Inf values.
func xy(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, 0, len(x))
	for i := range x {
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) || math.IsNaN(x[i]) {
			continue
		}
		pts = append(pts, plotter.XY{X: x[i], Y: y[i]})
	}
	return pts
}

// addLine adds a solid (or dashed) line in colour i with a legend entry.
func addLine(p *plot.Plot, name string, pts plotter.XYs, i int, dashed bool, width vg.Length) error {
	if len(pts) == 0 {
		return nil
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	l.Color = palette(i)
	l.Width = width
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}
