package plots

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RasterTrial is one trial's spikes: Spikes[t][i] is nonzero where unit i
// spiked at step t.
type RasterTrial struct {
	Title  string
	Spikes [][]float64
}

// Raster is a spike raster of example trials.
type Raster struct {
	Title string
	// DT is the duration of one step in ms; 0 draws time in steps.
	DT     float64
	Trials []RasterTrial
}

// WriteRaster draws, for each trial, a dot at (time, unit) for every spike
// and writes the PNG to path. It returns an error naming path if there are
// no trials or a trial has no steps or rows of different lengths.
func WriteRaster(path string, r Raster) error {
	if len(r.Trials) == 0 {
		return fmt.Errorf("plots: %s: no trials to draw", path)
	}
	unit := "time step"
	if r.DT > 0 {
		unit = "time (ms)"
	}
	row := make([]*plot.Plot, len(r.Trials))
	for j, tr := range r.Trials {
		if len(tr.Spikes) == 0 {
			return fmt.Errorf("plots: %s: trial %d has no steps", path, j)
		}
		n := len(tr.Spikes[0])
		var pts plotter.XYs
		for t, s := range tr.Spikes {
			if len(s) != n {
				return fmt.Errorf("plots: %s: trial %d: step %d has %d units, step 0 has %d", path, j, t, len(s), n)
			}
			x := float64(t)
			if r.DT > 0 {
				x *= r.DT
			}
			for i, v := range s {
				if v != 0 {
					pts = append(pts, plotter.XY{X: x, Y: float64(i)})
				}
			}
		}
		p := newPlot(tr.Title, unit, "unit")
		if j == 0 && r.Title != "" {
			p.Title.Text = r.Title + ": " + tr.Title
		}
		p.X.Min, p.X.Max = 0, float64(len(tr.Spikes))
		if r.DT > 0 {
			p.X.Max *= r.DT
		}
		p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
		p.Y.Tick.Marker = intTicks{}
		if r.DT <= 0 {
			p.X.Tick.Marker = intTicks{}
		}
		if len(pts) > 0 {
			sc, err := plotter.NewScatter(pts)
			if err != nil {
				return fmt.Errorf("plots: %s: %w", path, err)
			}
			sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(0.8), Shape: draw.BoxGlyph{}}
			p.Add(sc)
		}
		row[j] = p
	}
	return writeGrid(path, [][]*plot.Plot{row}, vg.Length(len(row))*vg.Points(300), vg.Points(300))
}
