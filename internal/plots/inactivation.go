package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// DoseCurve is accuracy against the fraction of a population inactivated.
type DoseCurve struct {
	Label string
	// Fraction, Accuracy, Low and High are parallel: the fraction of the
	// population inactivated, the mean accuracy over repeated draws and
	// the ends of its 95 % interval (drawn as the point's bar; NaN ends:
	// no bar).
	Fraction, Accuracy, Low, High []float64
}

// DoseResponse is a set of dose–response curves on one axis.
type DoseResponse struct {
	Title  string
	Curves []DoseCurve
	// Chance, when positive, draws the chance accuracy as a dashed line.
	Chance float64
	// Interval names the curves' 95 % interval in the legend, "bars:
	// 95 % " followed by it, e.g. "Wilson interval" or "t interval across
	// 10 draws"; "" gives "bars: 95 % interval".
	Interval string
}

// WriteDoseResponse draws accuracy against the inactivated fraction, one
// line per curve with each point's 95 % interval (Low to High) as its
// error bar, the legend right of the axes and saying what the bars are, and
// writes the figure to path in the format its extension names (.png, .svg,
// .pdf).
func WriteDoseResponse(path string, d DoseResponse) error {
	if len(d.Curves) == 0 {
		return fmt.Errorf("plots: %s: no dose–response curves to draw", path)
	}
	p := newPlot(d.Title, "fraction of the population inactivated", "accuracy")
	leg := newLegend()
	p.Y.Min, p.Y.Max = 0, 1.02
	p.X.Min, p.X.Max = -0.02, 1.02
	if d.Chance > 0 {
		chance, err := plotter.NewLine(plotter.XYs{{X: 0, Y: d.Chance}, {X: 1, Y: d.Chance}})
		if err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		chance.Color = color.Gray{150}
		chance.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		p.Add(chance)
		leg.Add("chance", chance)
	}
	barsDrawn := false
	for i, c := range d.Curves {
		if len(c.Accuracy) != len(c.Fraction) || len(c.Low) != len(c.Fraction) || len(c.High) != len(c.Fraction) {
			return fmt.Errorf("plots: %s: curve %q: Fraction, Accuracy, Low and High must have equal lengths", path, c.Label)
		}
		pts := xy(c.Fraction, c.Accuracy)
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
		s.Color, s.Radius, s.Shape = palette(i), vg.Points(3), shapeFor(i)
		p.Add(s)
		leg.Add(c.Label, s)
		errs, bars := intervalBars(c.Fraction, c.Accuracy, c.Low, c.High)
		drawn, err := addBars(p, errs, bars, i)
		if err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		barsDrawn = barsDrawn || drawn
	}
	if barsDrawn {
		barLegend(leg, cmp.Or(d.Interval, "interval"))
	}
	return writeFigure(path, figure{plots: [][]*plot.Plot{{p}}, legends: []*plot.Legend{leg}, w: vg.Points(520), h: vg.Points(340)})
}

// intervalBars returns the error bars of values y at x whose intervals
// run from lo to hi: the distances from y down to lo and up to hi. Points
// with a NaN value or end, or an interval that does not contain y, get no
// bar.
func intervalBars(x, y, lo, hi []float64) (plotter.YErrors, plotter.XYs) {
	errs := make(plotter.YErrors, 0, len(x))
	bars := make(plotter.XYs, 0, len(x))
	for k := range x {
		if !(lo[k] <= y[k] && y[k] <= hi[k]) || math.IsInf(lo[k], 0) || math.IsInf(hi[k], 0) {
			continue
		}
		errs = append(errs, struct{ Low, High float64 }{y[k] - lo[k], hi[k] - y[k]})
		bars = append(bars, plotter.XY{X: x[k], Y: y[k]})
	}
	return errs, bars
}

// UnitRanking is the effect of silencing each unit alone, largest first.
type UnitRanking struct {
	Title string
	// Units and Drop are parallel: unit indices and the accuracy drop
	// (before − after) when the unit alone is silenced, in rank order.
	Units []int
	Drop  []float64
}

// maxRanked bounds the bars WriteUnitRanking draws: the strongest units,
// the ones a reader looks for, stay legible.
const maxRanked = 40

// WriteUnitRanking draws the accuracy drop of the (at most 40) highest
// ranked units as bars labelled with the unit index, and writes the figure
// to path in the format its extension names (.png, .svg, .pdf).
func WriteUnitRanking(path string, r UnitRanking) error {
	if len(r.Units) == 0 || len(r.Drop) != len(r.Units) {
		return fmt.Errorf("plots: %s: Units and Drop must have the same nonzero length", path)
	}
	k := min(len(r.Units), maxRanked)
	title := r.Title
	if k < len(r.Units) {
		title += fmt.Sprintf(" (top %d of %d)", k, len(r.Units))
	}
	p := newPlot(title, "unit (rank order)", "accuracy drop when silenced alone")
	vals := make(plotter.Values, k)
	names := make([]string, k)
	for i := range k {
		vals[i] = r.Drop[i]
		if math.IsNaN(vals[i]) || math.IsInf(vals[i], 0) {
			vals[i] = 0
		}
		names[i] = strconv.Itoa(r.Units[i])
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(max(2, 300/float64(k))))
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	bars.Color, bars.LineStyle.Width = palette(0), 0
	p.Add(bars)
	p.NominalX(names...)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.X.Tick.Label.Font.Size = vg.Points(7)
	return writeGrid(path, [][]*plot.Plot{{p}}, vg.Points(480), vg.Points(320))
}
