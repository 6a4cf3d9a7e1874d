package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/rnntrain/rnntrain/internal/stats"
)

// PsychCurve is P(choice 1) against signed evidence for one group of
// trials (one context), where choice 1 is the choice positive evidence
// calls for.
type PsychCurve struct {
	Label     string
	Coherence []float64 // signed evidence, ascending
	// PChoice1 is the fraction of trials with choice 1 at each Coherence.
	PChoice1 []float64
	// PRight is the old name of PChoice1, read when PChoice1 is nil.
	//
	// Deprecated: use PChoice1.
	PRight []float64
	N      []int // trials per point, for the 95 % Wilson interval bars
	// Low and High, when not nil, are the ends of each point's 95 %
	// interval, drawn as its bar in place of the Wilson interval on N:
	// e.g. a Student-t interval across repeated draws when PChoice1 is
	// their mean. Interval names it in the legend ("" gives "interval").
	Low, High []float64
	Interval  string
	// Style, when positive, picks the colour and marker (Style−1 in the
	// palette); 0 uses the curve's position in its panel.
	Style int
}

// p1 returns the curve's P(choice 1) values.
func (c PsychCurve) p1() []float64 {
	if c.PChoice1 != nil {
		return c.PChoice1
	}
	return c.PRight
}

// Psychometric is a set of curves drawn on one axis.
type Psychometric struct {
	Title  string
	XLabel string // default "signed coherence (> 0 calls for choice 1)"
	Curves []PsychCurve
}

// PsychPanels is a grid of psychometric panels sharing one legend, e.g.
// Mante et al. (2013) Fig. 1: context (rows) × the evidence plotted
// (columns).
type PsychPanels struct {
	Panels [][]Psychometric // rows × cols, each with its own title and x label
}

// WritePsychometric draws every curve with error bars and a chance line at
// 0.5, the legend right of the axes, and writes the figure to path in the
// format its extension names (.png, .svg, .pdf). Each bar is the 95 % Wilson
// score interval (stats.Wilson, the interval of analysis.Wilson) of the
// point's P(choice 1) on its N trials, which keeps a width at 0 and 1, or,
// for a curve with Low and High, the interval they give; the legend says
// which ("bars: 95 % Wilson interval", one entry per kind of interval,
// naming the curves when the kinds differ).
// Points of opposite sign are joined only through a point at 0, so no
// line crosses evidence 0 where there is no data.
func WritePsychometric(path string, ps Psychometric) error {
	leg := newLegend()
	p, err := psychPlot(ps, leg)
	if err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	return writeFigure(path, figure{plots: [][]*plot.Plot{{p}}, legends: []*plot.Legend{leg}, w: vg.Points(520), h: vg.Points(340)})
}

// WritePsychPanels draws each panel as WritePsychometric does, in a grid,
// one legend right of each row (the row's curve labels), and writes the
// figure to path in the format its extension names.
func WritePsychPanels(path string, pp PsychPanels) error {
	if len(pp.Panels) == 0 || len(pp.Panels[0]) == 0 {
		return fmt.Errorf("plots: %s: no psychometric panels to draw", path)
	}
	rows := make([][]*plot.Plot, len(pp.Panels))
	legends := make([]*plot.Legend, len(pp.Panels))
	for j, row := range pp.Panels {
		if len(row) != len(pp.Panels[0]) {
			return fmt.Errorf("plots: %s: row %d has %d panels, row 1 has %d", path, j+1, len(row), len(pp.Panels[0]))
		}
		legends[j] = newLegend()
		for i, ps := range row {
			l := legends[j]
			if i > 0 {
				l = newLegend() // one legend per row: the first panel's
			}
			p, err := psychPlot(ps, l)
			if err != nil {
				return fmt.Errorf("plots: %s: panel %d,%d: %w", path, j+1, i+1, err)
			}
			rows[j] = append(rows[j], p)
		}
	}
	w := vg.Points(300*float64(len(rows[0])) + 110)
	return writeFigure(path, figure{plots: rows, legends: legends, w: w, h: vg.Points(260 * float64(len(rows)))})
}

// psychPlot draws ps on a new plot and adds its curves' labels to leg.
func psychPlot(ps Psychometric, leg *plot.Legend) (*plot.Plot, error) {
	if len(ps.Curves) == 0 {
		return nil, fmt.Errorf("no psychometric curves to draw")
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
		if len(c.p1()) != len(c.Coherence) || len(c.N) != len(c.Coherence) {
			return nil, fmt.Errorf("curve %q: Coherence, PChoice1 and N must have equal lengths", c.Label)
		}
		if (c.Low != nil || c.High != nil) && (len(c.Low) != len(c.Coherence) || len(c.High) != len(c.Coherence)) {
			return nil, fmt.Errorf("curve %q: Low and High must be nil or as long as Coherence", c.Label)
		}
		for _, x := range c.Coherence {
			lo, hi = min(lo, x), max(hi, x)
		}
	}
	if lo < hi {
		level(p, lo, hi, 0.5, []vg.Length{vg.Points(3), vg.Points(3)})
		zero, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: 1}})
		zero.Color = color.Gray{200}
		p.Add(zero)
	}
	var kinds []string              // the intervals drawn, in order
	byKind := map[string][]string{} // the labels of the curves drawn with each
	for i, c := range ps.Curves {
		style := i
		if c.Style > 0 {
			style = c.Style - 1
		}
		y := c.p1()
		pts := xy(c.Coherence, y)
		if len(pts) == 0 {
			continue
		}
		for _, seg := range signSegments(pts) {
			if err := addLine(p, "", seg, style, false, vg.Points(1.5)); err != nil {
				return nil, err
			}
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, err
		}
		s.Color = palette(style)
		s.Radius = vg.Points(3)
		s.Shape = shapeFor(style)
		p.Add(s)
		if c.Label != "" {
			leg.Add(c.Label, s)
		}
		errs, bars := wilsonBars(c.Coherence, y, c.N)
		kind := "Wilson interval"
		if c.Low != nil {
			errs, bars = intervalBars(c.Coherence, y, c.Low, c.High)
			kind = cmp.Or(c.Interval, "interval")
		}
		drawn, err := addBars(p, errs, bars, style)
		if err != nil {
			return nil, err
		}
		if drawn && !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
		if drawn && c.Label != "" {
			byKind[kind] = append(byKind[kind], c.Label)
		}
	}
	for _, k := range kinds {
		if len(kinds) > 1 && len(byKind[k]) > 0 {
			k += " (" + strings.Join(byKind[k], ", ") + ")"
		}
		barLegend(leg, k)
	}
	return p, nil
}

// wilsonBars returns the error bars of P(choice 1) values y at x on n
// trials each: the distances from y down and up to the ends of its 95 %
// Wilson score interval. Points with no trials or a y outside [0, 1] (NaN
// included) get no bar.
func wilsonBars(x, y []float64, n []int) (plotter.YErrors, plotter.XYs) {
	errs := make(plotter.YErrors, 0, len(x))
	bars := make(plotter.XYs, 0, len(x))
	for k := range x {
		if n[k] <= 0 || !(y[k] >= 0 && y[k] <= 1) {
			continue
		}
		lo, hi := stats.Wilson(y[k], n[k], stats.Z95)
		errs = append(errs, struct{ Low, High float64 }{y[k] - lo, hi - y[k]})
		bars = append(bars, plotter.XY{X: x[k], Y: y[k]})
	}
	return errs, bars
}

// addBars draws error bars errs at bars in colour i of the palette and
// reports whether there were any.
func addBars(p *plot.Plot, errs plotter.YErrors, bars plotter.XYs, i int) (bool, error) {
	if len(bars) == 0 {
		return false, nil
	}
	eb, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{bars, errs})
	if err != nil {
		return false, err
	}
	eb.Color = palette(i)
	p.Add(eb)
	return true, nil
}

// barLegend adds to leg the entry saying what the error bars are:
// "bars: 95 % " followed by interval.
func barLegend(leg *plot.Legend, interval string) {
	bar := plotter.DefaultLineStyle
	bar.Color = color.Gray{90}
	leg.Add("bars: 95 % "+interval, barThumb{bar})
}

// barThumb draws an error bar as a legend entry: a vertical line with a
// cap at each end.
type barThumb struct{ draw.LineStyle }

func (b barThumb) Thumbnail(c *draw.Canvas) {
	x, w := (c.Min.X+c.Max.X)/2, vg.Points(3)
	c.StrokeLine2(b.LineStyle, x, c.Min.Y, x, c.Max.Y)
	c.StrokeLine2(b.LineStyle, x-w, c.Min.Y, x+w, c.Min.Y)
	c.StrokeLine2(b.LineStyle, x-w, c.Max.Y, x+w, c.Max.Y)
}

// signSegments splits points sorted by x into the runs a curve may join:
// all of them when one lies at x = 0, else the negative and the positive
// ones apart.
func signSegments(pts plotter.XYs) []plotter.XYs {
	var neg, pos plotter.XYs
	for _, q := range pts {
		if q.X == 0 {
			return []plotter.XYs{pts}
		}
		if q.X < 0 {
			neg = append(neg, q)
		} else {
			pos = append(pos, q)
		}
	}
	return []plotter.XYs{neg, pos}
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
