package plots

import (
	"errors"
	"fmt"
	"image/color"

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
	// EvalStep and EvalAccuracy are evaluations on held-out trials.
	EvalStep, EvalAccuracy []float64
	// Target, when positive, draws the early-stopping accuracy.
	Target float64
}

// WriteCurves draws loss (log scale) and accuracy against training step,
// side by side, and writes the PNG to path.
func WriteCurves(path string, c Curves) error {
	if len(c.Step) == 0 {
		return fmt.Errorf("plots: %s: no logged steps to draw", path)
	}
	if len(c.Loss) != len(c.Step) || (len(c.Accuracy) != 0 && len(c.Accuracy) != len(c.Step)) || len(c.EvalAccuracy) != len(c.EvalStep) {
		return errors.New("plots: WriteCurves: Step, Loss and Accuracy (and EvalStep, EvalAccuracy) must have equal lengths")
	}
	loss := newPlot("Training loss", "training step", "loss (log scale)")
	if positive(c.Loss) {
		// Explicit limits: autoscaling a single point gives an empty
		// range that a log axis cannot draw.
		lo, hi := c.Loss[0], c.Loss[0]
		for _, v := range c.Loss {
			lo, hi = min(lo, v), max(hi, v)
		}
		loss.Y.Scale = plot.LogScale{}
		loss.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		loss.Y.Min, loss.Y.Max = lo/1.5, hi*1.5
	} else {
		loss.Y.Label.Text = "loss"
	}
	if err := addLine(loss, "training batch", xy(c.Step, c.Loss), 0, false, vg.Points(1)); err != nil {
		return fmt.Errorf("plots: %s: %w", path, err)
	}
	loss.Legend.Top = true

	acc := newPlot("Accuracy", "training step", "fraction correct")
	acc.Y.Min, acc.Y.Max = 0, 1.02
	if len(c.Accuracy) > 0 {
		if err := addLine(acc, "fresh batch", xy(c.Step, c.Accuracy), 0, false, vg.Points(1)); err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
	}
	if len(c.EvalStep) > 0 {
		pts := xy(c.EvalStep, c.EvalAccuracy)
		if err := addLine(acc, "held-out set", pts, 1, false, vg.Points(1.5)); err != nil {
			return fmt.Errorf("plots: %s: %w", path, err)
		}
		s, err := plotter.NewScatter(pts)
		if err == nil {
			s.Color = palette(1)
			s.Radius = vg.Points(2)
			acc.Add(s)
		}
	}
	if c.Target > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: c.Step[0], Y: c.Target}, {X: last(c.Step, c.EvalStep), Y: c.Target}})
		if err == nil {
			l.Color = color.Gray{120}
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			acc.Add(l)
			acc.Legend.Add(fmt.Sprintf("target %.2f", c.Target), l)
		}
	}
	acc.Legend.Left = false
	acc.Legend.Top = false
	acc.Legend.XOffs = -vg.Millimeter * 2
	acc.Legend.YOffs = vg.Millimeter * 2
	if c.Title != "" {
		loss.Title.Text = c.Title + ": loss"
		acc.Title.Text = c.Title + ": accuracy"
	}
	return writeGrid(path, [][]*plot.Plot{{loss, acc}}, vg.Points(720), vg.Points(300))
}

func positive(v []float64) bool {
	for _, x := range v {
		if !(x > 0) {
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
