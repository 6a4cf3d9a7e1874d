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

// DefaultRasterUnits is the number of units a raster of a command draws
// unless told otherwise: enough to see the population's pattern, few
// enough that the SVG of a large network stays small (every unit of a
// network of 1024 made about 7 MB, of 4096 about 100 MB).
const DefaultRasterUnits = 200

// Raster is a spike raster of example trials.
type Raster struct {
	Title string
	// DT is the duration of one step in ms; 0 draws time in steps.
	DT float64
	// MaxUnits bounds the units drawn: of N > MaxUnits units, MaxUnits
	// evenly spaced ones, i·N/MaxUnits for i = 0 … MaxUnits−1 (so unit 0
	// always), each at its own index on the unit axis. 0 or less draws
	// every unit.
	MaxUnits int
	Trials   []RasterTrial
}

// RasterUnits returns the units a raster of n units draws with at most
// most of them (Raster.MaxUnits), in increasing order.
func RasterUnits(n, most int) []int {
	k := n
	if most > 0 && most < n {
		k = most
	}
	units := make([]int, k)
	for i := range units {
		units[i] = i * n / k
	}
	return units
}

// WriteRaster draws, for each trial, a dot at (time, unit) for every spike
// of the units RasterUnits picks and writes the figure to path. It returns
// an error naming path if there are no trials or a trial has no steps or
// rows of different lengths.
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
		units := RasterUnits(n, r.MaxUnits)
		var pts plotter.XYs
		for t, s := range tr.Spikes {
			if len(s) != n {
				return fmt.Errorf("plots: %s: trial %d: step %d has %d units, step 0 has %d", path, j, t, len(s), n)
			}
			x := float64(t)
			if r.DT > 0 {
				x *= r.DT
			}
			for _, i := range units {
				if s[i] != 0 {
					pts = append(pts, plotter.XY{X: x, Y: float64(i)})
				}
			}
		}
		ylabel := "unit"
		if len(units) < n {
			ylabel = fmt.Sprintf("unit (%d of %d, evenly spaced)", len(units), n)
		}
		p := newPlot(tr.Title, unit, ylabel)
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
