package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Curves are a run's logged training metrics, in step order.
type Curves struct {
	Title string
	// Step and Loss are the logged training batches; Accuracy, when not
	// empty, is the accuracy on a fresh batch at the same steps.
	Step, Loss, Accuracy []float64
	// EvalStep and EvalAccuracy are evaluations on held-out trials;
	// EvalLoss, when not empty, their task loss (metrics.jsonl's
	// validation_loss: the mask-weighted MSE or cross-entropy, the kind
	// Loss is) at the same steps, NaN where it is unknown.
	EvalStep, EvalAccuracy, EvalLoss []float64
	// Target, when positive, draws the early-stopping accuracy.
	Target float64
	// Chance, when positive, draws the accuracy of the best constant
	// output; ChanceLoss, when positive, the held-out loss of a zero
	// output.
	Chance, ChanceLoss float64
}

// WriteCurves draws loss (log scale) and accuracy against training step,
// side by side, with one legend right of both (training batches in blue,
// held-out trials in vermillion, reference levels in grey), and writes the
// figure to path in the format its extension names (.png, .svg, .pdf).
func WriteCurves(path string, c Curves) error {
	if len(c.Step) == 0 {
		return fmt.Errorf("plots: %s: no logged steps to draw", path)
	}
	if len(c.Loss) != len(c.Step) || (len(c.Accuracy) != 0 && len(c.Accuracy) != len(c.Step)) ||
		len(c.EvalAccuracy) != len(c.EvalStep) || (len(c.EvalLoss) != 0 && len(c.EvalLoss) != len(c.EvalStep)) {
		return errors.New("plots: WriteCurves: Step, Loss and Accuracy (and EvalStep, EvalAccuracy, EvalLoss) must have equal lengths")
	}
	leg := newLegend()
	x0, x1 := c.Step[0], last(c.Step, c.EvalStep)
	loss := newPlot("Loss", "training step", "loss (log scale)")
	logY := positive(c.Loss) && positive(c.EvalLoss)
	if logY {
		// Explicit limits: autoscaling a single point gives an empty
		// range that a log axis cannot draw.
		lo, hi := c.Loss[0], c.Loss[0]
		for _, v := range append(append([]float64(nil), c.Loss...), c.EvalLoss...) {
			if !math.IsNaN(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if c.ChanceLoss > 0 {
			lo, hi = min(lo, c.ChanceLoss), max(hi, c.ChanceLoss)
		}
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = logTicks{}
		loss.Y.Min, loss.Y.Max = lo/1.5, hi*1.5
	} else {
		loss.Y.Label.Text = "loss"
	}
	if err := addLine(loss, "", xy(c.Step, c.Loss), 0, false, vg.Points(1)); err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	acc := newPlot("Accuracy", "training step", "fraction correct")
	acc.Y.Min, acc.Y.Max = 0, 1.02
	if len(c.Accuracy) > 0 {
		if err := addLine(acc, "", xy(c.Step, c.Accuracy), 0, false, vg.Points(1)); err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
	}
	leg.Add("training batches: loss, accuracy", swatch(0, false))
	if len(c.EvalStep) > 0 {
		for _, panel := range []struct {
			p *plot.Plot
			y []float64
		}{{acc, c.EvalAccuracy}, {loss, c.EvalLoss}} {
			if len(panel.y) == 0 {
				continue
			}
			pts := xy(c.EvalStep, panel.y)
			if len(pts) == 0 {
				continue
			}
			if err := addLine(panel.p, "", pts, 1, false, vg.Points(1.5)); err != nil {
				return fmt.Errorf("plots: %s: %w", path, err)
			}
			if s, err := plotter.NewScatter(pts); err == nil {
				s.Color, s.Radius = palette(1), vg.Points(2)
				panel.p.Add(s)
			}
		}
		name := "held-out trials: accuracy"
		if len(c.EvalLoss) > 0 {
			name = "held-out trials: loss, accuracy"
		}
		leg.Add(name, swatch(1, false))
	}
	if c.Target > 0 {
		leg.Add(fmt.Sprintf("target accuracy %.2f", c.Target), level(acc, x0, x1, c.Target, []vg.Length{vg.Points(5), vg.Points(3)}))
	}
	if c.Chance > 0 {
		leg.Add(fmt.Sprintf("chance accuracy %.2f", c.Chance), level(acc, x0, x1, c.Chance, []vg.Length{vg.Points(1), vg.Points(2)}))
	}
	if c.ChanceLoss > 0 && logY {
		level(loss, x0, x1, c.ChanceLoss, []vg.Length{vg.Points(1), vg.Points(2)})
		leg.Add(fmt.Sprintf("zero output: loss %.3g", c.ChanceLoss), level(nil, 0, 0, 0, []vg.Length{vg.Points(1), vg.Points(2)}))
	}
	if c.Title != "" {
		loss.Title.Text = c.Title + ": loss"
		acc.Title.Text = c.Title + ": accuracy"
	}
	return writeFigure(path, figure{plots: [][]*plot.Plot{{loss, acc}}, legends: []*plot.Legend{leg}, w: vg.Points(860), h: vg.Points(300)})
}

// swatch is a legend thumbnail: a line in colour i.
func swatch(i int, dashed bool) plot.Thumbnailer {
	l := &plotter.Line{LineStyle: plotter.DefaultLineStyle}
	l.Color = palette(i)
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
	}
	return l
}

// level draws a grey horizontal line at y from x0 to x1 on p (nil: only
// the line for a legend) and returns it.
func level(p *plot.Plot, x0, x1, y float64, dashes []vg.Length) *plotter.Line {
	l := &plotter.Line{XYs: plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}}, LineStyle: plotter.DefaultLineStyle}
	l.Color = color.Gray{110}
	l.Dashes = dashes
	if p != nil {
		p.Add(l)
	}
	return l
}

// positive reports whether every value of v is > 0 or NaN (true for
// none); NaN values are not drawn.
func positive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) && !math.IsNaN(x) {
			return false
		}
	}
	return true
}

func last(a, b []float64) float64 {
	m := a[len(a)-1]
	if len(b) > 0 && b[len(b)-1] > m {
		m = b[len(b)-1]
	}
	return m
}
