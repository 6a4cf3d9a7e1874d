package plots

import (
	"fmt"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// RankSweep is the goodness of fit of networks of increasing rank.
type RankSweep struct {
	Title string
	// Rank and R2 are the fitted ranks and their R² on the fitted data;
	// Held, when not empty, the R² on held-out data (NaN entries are
	// skipped).
	Rank, R2, Held []float64
}

// WriteRankSweep draws R² against rank (with markers, held-out dashed)
// and writes the PNG to path.
func WriteRankSweep(path string, s RankSweep) error {
	if len(s.Rank) == 0 || len(s.R2) != len(s.Rank) || (len(s.Held) != 0 && len(s.Held) != len(s.Rank)) {
		return fmt.Errorf("plots: %s: Rank and R2 (and Held) must have the same nonzero length", path)
	}
	p := newPlot(s.Title, "rank R", "R²")
	for i, c := range []struct {
		name string
		y    []float64
	}{{"fitted conditions", s.R2}, {"held-out conditions", s.Held}} {
		if len(c.y) == 0 {
			continue
		}
		pts := xy(s.Rank, c.y)
		if len(pts) == 0 {
			continue
		}
		if err := addLine(p, c.name, pts, i, i == 1, vg.Points(1.5)); err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		sc.Color, sc.Shape, sc.Radius = palette(i), draw.CircleGlyph{}, vg.Points(3)
		p.Add(sc)
	}
	p.Legend.Top, p.Legend.Left = false, false
	p.Y.Max = 1
	return writeGrid(path, [][]*plot.Plot{{p}}, vg.Points(420), vg.Points(320))
}
