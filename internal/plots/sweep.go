package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sweep is a metric of a sweep's runs against one swept setting: the mean
// and standard error over the runs sharing each value of the setting.
type Sweep struct {
	Title  string
	XLabel string // the swept config key
	YLabel string // the metric
	// X are the setting's values when they are numbers; when Labels is
	// not empty the values are drawn as categories at 0, 1, … instead and
	// X is ignored.
	X      []float64
	Labels []string
	// Mean and StdErr are per value; N is the number of runs of each.
	Mean, StdErr []float64
	N            []int
}

// WriteSweep draws Mean ± StdErr against the setting (points joined by a
// line, error bars) and writes the PNG to path.
func WriteSweep(path string, s Sweep) error {
	n := len(s.Mean)
	if n == 0 || len(s.StdErr) != n || (len(s.Labels) == 0 && len(s.X) != n) || (len(s.Labels) != 0 && len(s.Labels) != n) {
		return fmt.Errorf("plots: %s: Mean, StdErr and X (or Labels) must have the same nonzero length", path)
	}
	p := newPlot(s.Title, s.XLabel, s.YLabel)
	pts := make(plotter.XYs, 0, n)
	errs := make(plotter.YErrors, 0, n)
	for i := range n {
		x := float64(i)
		if len(s.Labels) == 0 {
			x = s.X[i]
		}
		if math.IsNaN(x) || math.IsNaN(s.Mean[i]) || math.IsInf(s.Mean[i], 0) {
			continue
		}
		e := s.StdErr[i]
		if math.IsNaN(e) || math.IsInf(e, 0) {
			e = 0
		}
		pts = append(pts, plotter.XY{X: x, Y: s.Mean[i]})
		errs = append(errs, struct{ Low, High float64 }{e, e})
	}
	if len(pts) == 0 {
		return fmt.Errorf("plots: %s: no finite values to draw", path)
	}
	if err := addLine(p, "mean ± s.e.", pts, 0, false, vg.Points(1.5)); err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	sc.Color, sc.Shape, sc.Radius = palette(0), draw.CircleGlyph{}, vg.Points(3)
	p.Add(sc)
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{pts, errs})
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	eb.Color = palette(0)
	p.Add(eb)
	if len(s.Labels) != 0 {
		p.NominalX(s.Labels...)
	}
	p.Legend.Top, p.Legend.Left = false, false
	return writeGrid(path, [][]*plot.Plot{{p}}, vg.Points(420), vg.Points(320))
}
